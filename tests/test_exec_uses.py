"""Runbooks that call runbooks (`uses`) under `runbook exec`: on a real pty (nested prompts, a destructive
step inside the call, kill -9 inside it and --resume), the modes (--dry-run, --yes, --allow-destructive,
--from), the called runbook's `requires` and `target`, the transcript and its timeline."""

from __future__ import annotations

import os
import signal

import pytest

from generator.calls import CallError, Calls
from generator.execute import nesting
from generator.project import load_catalog
from test_exec_pty import _survivors

pexpect = pytest.importorskip("pexpect")

PROMPT = r"Run this step\? \[(Y|y)/s/e/q/\?\] "

CALLEE = """
    kind: runbook
    id: app-rollback
    title: Application rollback
    summary: Undo the last rollout of a deployment.
    owner: platform-team
    variables:
      DEPLOYMENT: {description: Deployment to roll back}
      REASON: {description: Why it is rolled back, default: unknown}
      TICKET: {description: Change ticket}
    steps:
      - {id: history, title: Show the history, run: 'echo "history of $DEPLOYMENT"'}
      - id: undo
        title: Undo the rollout
        risk: destructive
        confirm: Replaces the running pods with the previous version.
        run: 'echo "undo $DEPLOYMENT ($REASON) for $TICKET" | tee undone.txt'
      - {id: verify, title: Verify the rollout, run: 'echo "verified $DEPLOYMENT"'}
    """

CALLER = """
    kind: runbook
    id: shop
    title: Shop service
    summary: Calls the rollback instead of repeating it.
    owner: shop-team
    service: shop
    variables:
      SERVICE: {description: The service's deployment, default: shop-api}
    steps:
      - {id: check, title: Check the service, run: 'echo "checking $SERVICE"'}
      - id: roll-back
        title: Roll back the deployment
        uses: app-rollback
        with: {DEPLOYMENT: "$SERVICE", REASON: '$(touch pwned) bad release'}
      - {id: after, title: Tell the channel, run: echo told}
    """


@pytest.fixture
def nested(project):
    project.runbook(CALLEE)
    project.runbook(CALLER)
    return project


def test_called_steps_run_in_place_with_nested_prompts(nested, tmp_path):
    transcript = tmp_path / "t.jsonl"
    child = nested.spawn("exec", "shop", "--transcript", str(transcript))
    child.expect(r"\[1/3\] Check the service")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"SERVICE \[shop-api\]: ")  # asked when the first command needs it, default offered
    child.sendline("")
    child.expect("checking shop-api")
    child.expect(r"\[2/3\] Roll back the deployment  \(destructive, step roll-back\)")
    child.expect("Calls all 3 steps of app-rollback: Application rollback")
    child.expect(r"Roll back the deployment -> app-rollback, step 1/3")
    child.expect(r"\[2\.1/3\] Show the history  \(read-only, step roll-back/history\)")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("history of shop-api")
    child.expect(r"Roll back the deployment -> app-rollback, step 2/3")
    child.expect(r"\[2\.2/3\] Undo the rollout  \(destructive, step roll-back/undo\)")
    # The called runbook has no service: the caller's confirmation word guards its destructive step.
    child.expect("Type shop to run this destructive step")
    child.sendline("y")
    child.expect("A destructive step runs only when you type shop")
    child.sendline("shop")
    child.expect(r"TICKET \(for example|TICKET: ")  # not given by `with`: asked when the command needs it
    child.sendline("CHG-42")
    child.expect(r"undo shop-api \(\$\(touch pwned\) bad release\) for CHG-42")
    child.expect(r"\[2\.3/3\] Verify the rollout")
    child.expect(PROMPT)
    child.sendline("s")
    child.expect(r"\[3/3\] Tell the channel")
    child.expect(PROMPT)
    child.sendline("y")
    nested.finish(child, 0)
    assert not (nested.root / "pwned").exists()  # `with` values reach commands through the environment only
    events = nested.events(transcript)
    ends = nested.ends(transcript)
    assert list(ends) == ["check", "roll-back/history", "roll-back/undo", "roll-back/verify", "roll-back", "after"]
    assert ends["roll-back/undo"]["decision"] == "confirmed"
    assert ends["roll-back/verify"]["status"] == "skipped"
    assert ends["roll-back"]["uses"] == "app-rollback" and ends["roll-back"]["status"] == "succeeded"
    call = next(e for e in events if e["event"] == "call-start")
    assert call["step"] == "roll-back" and call["runbook"] == "app-rollback"
    assert call["variables"] == {"DEPLOYMENT": "shop-api", "REASON": "$(touch pwned) bad release"}
    start = next(e for e in events if e["event"] == "step-start" and e["step"] == "roll-back/undo")
    assert (start["runbook"], start["called_from"], start["number"]) == ("app-rollback", "roll-back", "2.2")
    asked = [(e["step"], e["variables"]) for e in events if e["event"] == "variables"]
    assert asked == [("check", {"SERVICE": "shop-api"}), ("roll-back/undo", {"TICKET": "CHG-42"})]
    assert events[-1]["status"] == "completed" and events[-1]["steps_run"] == 4

    timeline = nested.run("transcript", str(transcript))
    assert timeline.returncode == 0, timeline.stderr
    assert "| roll-back | call app-rollback: Application rollback, 3 step(s), with DEPLOYMENT=shop-api" in timeline.stdout
    assert "| roll-back/undo | ↳ ran `echo" in timeline.stdout
    assert "| roll-back | call app-rollback ended | succeeded |" in timeline.stdout
    assert "4 step(s) run, 1 skipped" in timeline.stdout


def test_kill_9_inside_the_call_then_resume_continues_there(nested, tmp_path):
    marker = f"{os.getpid() % 1000 + 6000}.25"
    nested.runbook(CALLEE.replace("""run: 'echo "verified $DEPLOYMENT"'""", f"""run: 'echo verifying; sleep {marker}'"""))
    transcript = tmp_path / "t.jsonl"
    child = nested.spawn("exec", "shop", "--transcript", str(transcript), env={"TICKET": "CHG-7", "SERVICE": "shop-api"})
    for answer in ("y", "y"):
        child.expect(PROMPT)
        child.sendline(answer)
    child.expect("Type shop to run")
    child.sendline("shop")
    child.expect(r"undo shop-api")
    child.expect(r"\[2\.3/3\] Verify the rollout")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("verifying")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    for pid in _survivors(f"sleep {marker}"):
        os.kill(int(pid), signal.SIGKILL)

    # The resumed session continues inside the call, with the values the call had (no TICKET in the
    # environment this time: it comes from the transcript), and the called runbook's step-end follows.
    nested.runbook(CALLEE.replace("""run: 'echo "verified $DEPLOYMENT"'""", """run: 'echo "verified $DEPLOYMENT for $TICKET"'"""))
    child = nested.spawn("exec", "shop", "--resume", str(transcript), env={"SERVICE": "shop-api"})
    child.expect(r"Starting at step 2\.3/3: roll-back/verify")
    child.expect(r"\[2\.3/3\] Verify the rollout")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("verified shop-api for CHG-7")
    child.expect(r"\[3/3\] Tell the channel")
    child.expect(PROMPT)
    child.sendline("y")
    nested.finish(child, 0)
    events = nested.events(transcript)
    kinds = [e["event"] for e in events]
    assert kinds.count("session-resume") == 1 and kinds.count("call-start") == 2
    assert events[kinds.index("call-start", kinds.index("session-resume"))]["resumed"] is True
    ends = [e["step"] for e in events if e["event"] == "step-end"]
    assert ends == ["check", "roll-back/history", "roll-back/undo", "roll-back/verify", "roll-back", "after"]
    timeline = nested.run("transcript", str(transcript))
    assert "call again (resumed) app-rollback" in timeline.stdout


def test_yes_stops_at_the_destructive_step_inside_and_allow_destructive_runs_it(nested, tmp_path):
    first = nested.run("exec", "shop", "--yes", "--transcript", str(tmp_path / "a.jsonl"), env={"TICKET": "T-1"})
    assert first.returncode == 1
    assert "Stopped before destructive step roll-back/undo" in first.stdout
    assert "--resume" in first.stdout and "runbook exec shop" in first.stdout
    assert not (nested.root / "undone.txt").exists()
    second = nested.run("exec", "shop", "--yes", "--allow-destructive", "--transcript", str(tmp_path / "b.jsonl"),
                        env={"TICKET": "T-1"})
    assert second.returncode == 0, second.stdout + second.stderr
    assert (nested.root / "undone.txt").read_text() == "undo shop-api ($(touch pwned) bad release) for T-1\n"


def test_yes_names_a_missing_variable_of_the_called_runbook_before_anything_runs(nested, tmp_path):
    result = nested.run("exec", "shop", "--yes", "--allow-destructive", "--transcript", str(tmp_path / "t.jsonl"))
    assert result.returncode == 2
    assert "TICKET (of app-rollback, called by step roll-back)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "t.jsonl").exists()


def test_dry_run_shows_the_called_steps_and_runs_nothing(nested):
    result = nested.run("exec", "shop", "--dry-run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("[2/3] Roll back the deployment") < out.index("[2.1/3] Show the history") < out.index(
        "[2.3/3] Verify the rollout") < out.index("[3/3] Tell the channel")
    assert "With: DEPLOYMENT=$SERVICE, REASON=$(touch pwned) bad release" in out
    assert not (nested.root / "undone.txt").exists() and not (nested.root / "transcripts").exists()


def test_from_the_call_and_from_a_called_step(nested, tmp_path):
    env = {"TICKET": "T-2"}
    result = nested.run("exec", "shop", "--from", "roll-back", "--yes", "--allow-destructive",
                        "--transcript", str(tmp_path / "a.jsonl"), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Starting at step 2/3: roll-back" in result.stdout
    assert [e for e in nested.ends(tmp_path / "a.jsonl")] == [
        "roll-back/history", "roll-back/undo", "roll-back/verify", "roll-back", "after"]
    result = nested.run("exec", "shop", "--from", "roll-back/verify", "--yes", "--transcript", str(tmp_path / "b.jsonl"),
                        env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified shop-api" in result.stdout  # the call's values, though its first steps did not run
    assert list(nested.ends(tmp_path / "b.jsonl")) == ["roll-back/verify", "roll-back", "after"]
    wrong = nested.run("exec", "shop", "--from", "undo", "--dry-run")
    assert wrong.returncode == 2 and "roll-back/history" in wrong.stderr


def test_called_requires_join_the_preflight(nested, tmp_path):
    nested.runbook(CALLEE.replace("owner: platform-team", "owner: platform-team\n    requires: [no-such-tool-uses]"))
    result = nested.run("exec", "shop", "--yes", "--transcript", str(tmp_path / "t.jsonl"), env={"TICKET": "x"})
    assert result.returncode == 2
    assert "no-such-tool-uses (needed by app-rollback, called by step roll-back)" in result.stderr


def test_called_target_is_shown_in_the_header_and_checked_before_its_destructive_step(nested, tmp_path):
    (nested.root / "context.txt").write_text("prod-eu\n")
    nested.runbook(CALLEE.replace("owner: platform-team", "owner: platform-team\n"
                                  "    target: [{name: kube context, run: cat context.txt}]").replace(
        "  - {id: history, title: Show the history, run: 'echo \"history of $DEPLOYMENT\"'}",
        "  - {id: history, title: Switch context by mistake, run: 'echo prod-us > context.txt'}"))
    result = nested.run("exec", "shop", "--yes", "--allow-destructive", "--transcript", str(tmp_path / "t.jsonl"),
                        env={"TICKET": "x"})
    assert result.returncode == 1
    header = result.stdout[:result.stdout.index("[1/3]")]
    assert "Target of app-rollback (called by step roll-back):" in header and "kube context = prod-eu" in header
    assert "Stopped before destructive step roll-back/undo: the target changed" in result.stdout
    assert "runbook exec shop --from roll-back/undo" in result.stdout
    assert not (nested.root / "undone.txt").exists()
    start = nested.events(tmp_path / "t.jsonl")[0]
    assert start["called_targets"] == {"roll-back": {"kube context": "prod-eu"}}


def test_a_call_inside_a_call_and_a_single_called_step(project, tmp_path):
    project.runbook(CALLEE)
    project.runbook("""
        kind: runbook
        id: middle
        title: Middle
        summary: Calls one step of the rollback.
        owner: platform-team
        variables:
          NAME: {description: Deployment}
        steps:
          - id: look
            title: Look first
            uses: app-rollback#history
            with: {DEPLOYMENT: "$NAME"}
        """)
    project.runbook("""
        kind: runbook
        id: top
        title: Top
        summary: Calls middle.
        owner: platform-team
        steps:
          - {id: first, title: First, run: echo hello, capture: GREETING}
          - id: deep
            title: Go deep
            when: '[ "$GREETING" = hello ]'
            uses: middle
            with: {NAME: "$GREETING"}
        """)
    result = project.run("exec", "top", "--yes", "--transcript", str(tmp_path / "t.jsonl"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[2.1.1/2] Show the history  (read-only, step deep/look/history)" in result.stdout
    assert "Go deep -> middle, step 1/1 > Look first -> app-rollback#history, step 1/1" in result.stdout
    assert "history of hello" in result.stdout  # an earlier step's capture, passed on by `with`
    ends = project.ends(tmp_path / "t.jsonl")
    assert list(ends) == ["first", "deep/look/history", "deep/look", "deep"]


def test_a_false_when_skips_the_whole_call(project, tmp_path):
    project.runbook(CALLEE)
    project.runbook(CALLER.replace("        uses: app-rollback", "        when: 'false'\n        uses: app-rollback"))
    result = project.run("exec", "shop", "--yes", "--transcript", str(tmp_path / "t.jsonl"), env={"TICKET": "x"})
    assert result.returncode == 0, result.stdout + result.stderr
    ends = project.ends(tmp_path / "t.jsonl")
    assert list(ends) == ["check", "roll-back", "after"]
    assert ends["roll-back"]["status"] == "skipped" and ends["roll-back"]["decision"] == "condition false"


# -- the plan (library) ------------------------------------------------------------------------------


def test_plan_numbers_keys_risk_and_resume_point(nested):
    catalog = load_catalog([nested.root / "runbooks"])
    plan = nesting.build(catalog.resolve("shop"), Calls(catalog.runbooks))
    assert [(e.number, e.key, e.step.id) for e in plan.entries] == [
        ("1", "check", "check"), ("2", "roll-back", "roll-back"), ("2.1", "roll-back/history", "roll-back/history"),
        ("2.2", "roll-back/undo", "roll-back/undo"), ("2.3", "roll-back/verify", "roll-back/verify"),
        ("3", "after", "after")]
    assert plan.entries[1].step.risk == "destructive" and plan.entries[1].end == 4
    assert nesting.step_key("roll-back", "undo") == "roll-back/undo"
    events = [{"event": "session-start", "variables": {"SERVICE": "x"}},
              {"event": "call-start", "step": "roll-back", "variables": {"DEPLOYMENT": "x", "TICKET": "t"}},
              {"event": "step-end", "step": "roll-back/history"},
              {"event": "variables", "step": "roll-back/undo", "variables": {"REASON": "r"}}]
    start, known = nesting.resume_point(events, plan)
    assert start == 3 and known == {"": {"SERVICE": "x"}, "roll-back": {"DEPLOYMENT": "x", "TICKET": "t", "REASON": "r"}}
    start, _ = nesting.resume_point(events + [{"event": "step-end", "step": "roll-back", "status": "skipped"}], plan)
    assert start == 5  # a finished (or skipped) call covers its steps


def test_plan_refuses_a_cycle_and_an_unknown_call(project):
    project.runbook("""
        kind: runbook
        id: ping
        title: Ping
        summary: Calls pong.
        owner: platform-team
        steps: [{id: a, title: A, uses: pong}]
        """)
    project.runbook("""
        kind: runbook
        id: pong
        title: Pong
        summary: Calls ping back.
        owner: platform-team
        steps: [{id: b, title: B, uses: ping}, {id: c, title: C, uses: nowhere}]
        """)
    catalog = load_catalog([project.root / "runbooks"])
    calls = Calls(catalog.runbooks)
    with pytest.raises(CallError, match=r"cycle \(ping -> pong -> ping\)"):
        nesting.build(catalog.resolve("ping"), calls)
    result = project.run("exec", "ping", "--dry-run")
    assert result.returncode == 1 and "RB432" in result.stderr and "Traceback" not in result.stderr


def test_show_lists_the_called_steps_in_place(nested):
    result = nested.run("show", "shop")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "3 step(s): 2 read-only, 1 destructive" in out  # the call counts with the highest risk inside
    assert "Calls all 3 steps of app-rollback: Application rollback" in out
    assert "With: DEPLOYMENT=$SERVICE, REASON=$(touch pwned) bad release" in out
    assert out.index("[2/3] Roll back the deployment") < out.index("Roll back the deployment -> app-rollback, step 2/3") \
        < out.index("[2.2/3] Undo the rollout  (destructive, step roll-back/undo)") < out.index("[3/3] Tell the channel")
    assert "Replaces the running pods with the previous version." in out


def test_from_inside_a_call_is_not_called_a_resume(nested, tmp_path):
    result = nested.run("exec", "shop", "--from", "roll-back/verify", "--yes", "--transcript", str(tmp_path / "t.jsonl"),
                        env={"TICKET": "x"})
    assert result.returncode == 0, result.stdout + result.stderr
    call = next(e for e in nested.events(tmp_path / "t.jsonl") if e["event"] == "call-start")
    assert call.get("resumed") is None and call["variables"]["DEPLOYMENT"] == "shop-api"


def test_a_skipped_call_at_the_end_of_a_call_ends_the_outer_call(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: inner
        title: Inner
        summary: S.
        owner: team-a
        steps: [{id: x, title: X, run: echo inner-ran}]
        """)
    project.runbook("""
        kind: runbook
        id: outer
        title: Outer
        summary: S.
        owner: team-a
        steps:
          - {id: first, title: First, run: echo first}
          - {id: maybe, title: Maybe, when: 'false', uses: inner}
        """)
    project.runbook("""
        kind: runbook
        id: top
        title: Top
        summary: S.
        owner: team-a
        steps:
          - {id: call, title: Call, uses: outer}
          - {id: last, title: Last, run: echo last}
        """)
    result = project.run("exec", "top", "--yes", "--transcript", str(tmp_path / "t.jsonl"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "inner-ran" not in result.stdout
    ends = project.ends(tmp_path / "t.jsonl")
    assert list(ends) == ["call/first", "call/maybe", "call", "last"]
    assert ends["call/maybe"]["status"] == "skipped" and ends["call"]["status"] == "succeeded"


def test_a_called_runbook_with_a_lint_error_refuses_the_run(nested):
    nested.runbook(CALLEE.replace('''run: 'echo "history of $DEPLOYMENT"\'''', '''run: 'echo "history of $DEPLOYMNT"\''''))
    result = nested.run("exec", "shop", "--dry-run")
    assert result.returncode == 1
    assert "runbooks/app-rollback.yaml" in result.stderr and "RB301" in result.stderr
    assert "shop is not a valid runbook" in result.stderr


def test_a_with_value_the_called_runbook_refuses_stops_at_the_call(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: strict
        title: Strict
        summary: S.
        owner: team-a
        variables:
          DEPLOYMENT: {description: Deployment, pattern: "^[a-z-]+$"}
        steps: [{id: x, title: X, run: 'echo "$DEPLOYMENT"'}]
        """)
    project.runbook("""
        kind: runbook
        id: loose
        title: Loose
        summary: S.
        owner: team-a
        variables:
          NAME: {description: Name, default: Not Kebab}
        steps:
          - {id: first, title: First, run: echo first}
          - {id: call, title: Call, uses: strict, with: {DEPLOYMENT: "$NAME"}}
        """)
    result = project.run("exec", "loose", "--yes", "--transcript", str(tmp_path / "t.jsonl"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Stopped at step call: DEPLOYMENT from `with` of step call must match the pattern ^[a-z-]+$" in result.stdout
    end = project.events(tmp_path / "t.jsonl")[-1]
    assert end["event"] == "session-end" and end["status"] == "aborted"


PHASED_CALLEE = """
    kind: runbook
    id: db-failover
    title: Database failover
    summary: Promote the replica.
    owner: platform-team
    phases:
      - id: prepare
        title: Prepare
        steps:
          - {id: check, title: Check the replica lag, run: echo lag}
      - id: switch
        title: Switch over
        steps:
          - {id: promote, title: Promote the replica, run: echo promoted}
          - {id: verify, title: Verify writes, run: echo writes}
    """

PHASED_CALLER = """
    kind: runbook
    id: orders
    title: Orders service
    summary: Fails the database over.
    owner: shop-team
    steps:
      - {id: fail-over, title: Fail the database over, uses: db-failover}
    """


def test_a_called_runbook_in_phases_names_the_phase_of_each_called_step(project):
    """The called runbook's phases are its own: shown beside each called step (show, exec, the page),
    never announced as phases of the caller."""
    project.runbook(PHASED_CALLEE)
    project.runbook(PHASED_CALLER)
    shown = project.run("show", "orders")
    assert shown.returncode == 0, shown.stderr
    assert "Fail the database over -> db-failover, step 1/3 (Prepare)" in shown.stdout
    assert "Fail the database over -> db-failover, step 3/3 (Switch over)" in shown.stdout
    assert "== Phase:" not in shown.stdout
    ran = project.run("exec", "orders", "--yes")
    assert ran.returncode == 0 and "step 2/3 (Switch over)" in ran.stdout and "promoted" in ran.stdout, ran.stdout
    rendered = project.run("render", "out")
    assert rendered.returncode == 0, rendered.stderr
    page = (project.root / "out" / "docs" / "runbooks" / "orders.md").read_text()
    prepare = page.index("Phase of <code>db-failover</code>: Prepare")
    switch = page.index("Phase of <code>db-failover</code>: Switch over")
    assert prepare < page.index("**1.1. Check the replica lag**") < switch < page.index("**1.2. Promote the replica**") \
        < page.index("**1.3. Verify writes**")
    assert page.count("Phase of <code>db-failover</code>") == 2
