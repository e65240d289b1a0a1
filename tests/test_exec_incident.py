"""The incident features of `runbook exec` on a real pseudo-terminal: `retry` (against a Redis that
starts late), `when` reading a capture, `requires`, `target` probes that change before a destructive
step, `interactive` steps that read from the operator, and --resume in the middle of a retry loop."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import free_port

pexpect = pytest.importorskip("pexpect")

PROMPT = r"Run this step\? \[(Y|y)/s/e/q/\?\] "


def test_retry_succeeds_on_attempt_3_against_a_redis_started_late(project, tmp_path):
    binary = shutil.which("redis-server")
    if binary is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server/redis-cli are not installed (CI installs the redis-server package)")
    port = free_port()
    project.runbook("""
        kind: runbook
        id: wait-redis
        title: Wait for Redis
        summary: Waits until Redis answers.
        owner: platform-team
        variables:
          REDIS_PORT: {description: Redis port}
        steps:
          - id: ping
            title: Wait until Redis answers
            run: redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
            expect: {output: PONG}
            retry: {attempts: 5, interval: 3}
            timeout: 5
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "wait-redis", "--var", f"REDIS_PORT={port}", "--transcript", str(transcript))
    child.expect(r"up to 5 attempts, 3s apart")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"attempt 1/5: FAILED")
    child.expect(r"Next attempt \(2/5\) in 3s; Ctrl-C stops waiting")
    child.expect(r"attempt 2/5: FAILED")
    child.expect(r"Next attempt \(3/5\) in 3s")
    workdir = tempfile.mkdtemp(prefix="runbook-redis-late-")
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.expect("PONG")
        child.expect(r"attempt 3/5: ok: succeeded")
        project.finish(child, 0)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    events = project.events(transcript)
    attempts = [e for e in events if e["event"] == "step-attempt"]
    assert [(e["attempt"], e["attempts"], e["status"], e["retry"]) for e in attempts] == [
        (1, 5, "failed", "automatic"), (2, 5, "failed", "automatic")]
    end = project.ends(transcript)["ping"]
    assert (end["status"], end["attempt"], end["attempts"]) == ("succeeded", 3, 5)
    timeline = project.run("transcript", str(transcript)).stdout
    assert "attempt 1/5, ran `redis-cli" in timeline and "next attempt in 3s" in timeline
    assert "attempt 3/5, ran" in timeline


def test_ctrl_c_stops_the_waiting_between_attempts(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: never
        title: Never ready
        summary: Waits for a file that never comes.
        owner: platform-team
        steps:
          - {id: wait, title: Wait for the flag, run: test -f flag, retry: {attempts: 10, interval: 120}}
          - {id: after, title: After, run: echo after}
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "never", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"Next attempt \(2/10\) in 120s; Ctrl-C stops waiting")
    child.sendintr()
    child.expect("Stopped waiting")
    child.expect(r"Stopped waiting after attempt 1/10\. Retry now, skip or quit\? \[r/s/q\] ")
    child.sendline("s")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("after")
    project.finish(child, 0)
    ends = project.ends(transcript)
    assert ends["wait"]["status"] == "failed" and "skip" in ends["wait"]["decision"]


def test_resume_after_kill_9_in_a_retry_loop_continues_at_the_next_attempt(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: crash-retry
        title: Crash in a retry
        summary: Killed while waiting between attempts.
        owner: platform-team
        steps:
          - {id: wait, title: Wait for the flag, run: test -f flag, retry: {attempts: 6, interval: 2}}
          - {id: done, title: Done, run: echo finished}
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "crash-retry", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"Next attempt \(3/6\)")  # attempts 1 and 2 are on disk
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    (project.root / "flag").touch()
    child = project.spawn("exec", "crash-retry", "--resume", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"Continuing at attempt 3/6")
    child.expect(r"attempt 3/6: ok: succeeded")
    child.expect(PROMPT)
    child.sendline("y")
    project.finish(child, 0)
    events = project.events(transcript)
    assert [e["attempt"] for e in events if e["event"] == "step-attempt"] == [1, 2]
    assert project.ends(transcript)["wait"]["attempt"] == 3


def test_when_reads_a_capture_and_skips_with_condition_false(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: conditional
        title: Conditional
        summary: A rollback that only makes sense when something was captured.
        owner: platform-team
        steps:
          - {id: record, title: Record the previous version, run: cat version.txt, capture: PREVIOUS_VERSION}
          - id: restore
            title: Restore the previous version
            run: echo "restoring $PREVIOUS_VERSION" > restored.txt
            risk: mutating
            when: '[ -n "$PREVIOUS_VERSION" ]'
          - id: cleanup
            title: Clean up when nothing was recorded
            run: touch cleaned
            when: '[ -z "$PREVIOUS_VERSION" ]'
        """)
    (project.root / "version.txt").write_text("v41\n")
    dry = project.run("exec", "conditional", "--dry-run")
    assert dry.returncode == 0 and "Runs only when (otherwise skipped):" in dry.stdout
    assert '[ -n "$PREVIOUS_VERSION" ]' in dry.stdout
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "conditional", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"Condition holds")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"\[3/3\]")
    child.expect(r"skipped: condition false \(`when` exited 1\)")
    project.finish(child, 0)
    assert (project.root / "restored.txt").read_text() == "restoring v41\n"
    assert not (project.root / "cleaned").exists()
    ends = project.ends(transcript)
    assert ends["restore"]["status"] == "succeeded" and ends["restore"]["when_exit"] == 0
    assert ends["cleanup"]["status"] == "skipped" and ends["cleanup"]["decision"] == "condition false"
    assert ends["cleanup"]["reason"] == "condition false"
    timeline = project.run("transcript", str(transcript)).stdout
    assert 'skipped by its condition `[ -z "$PREVIOUS_VERSION" ]`' in timeline


REQUIRES = """
    kind: runbook
    id: needs-tools
    title: Needs tools
    summary: Needs programs that are not installed.
    owner: platform-team
    requires: [bash, no-such-tool-rb1]
    steps:
      - {id: first, title: First, run: echo first}
      - {id: second, title: Second, run: no-such-tool-rb2 --version, requires: [no-such-tool-rb2]}
    """


def test_missing_tools_are_listed_with_the_steps_that_need_them(project, tmp_path):
    project.runbook(REQUIRES)
    shown = project.run("show", "needs-tools")
    assert "Requires on PATH: bash, no-such-tool-rb1" in shown.stdout and "Requires: no-such-tool-rb2" in shown.stdout
    result = project.run("exec", "needs-tools")  # no terminal: a usage error, nothing runs
    assert result.returncode == 2
    assert "no-such-tool-rb1 (needed by the runbook)" in result.stdout
    assert "no-such-tool-rb2 (needed by step second)" in result.stdout
    assert "runbook: missing program(s): no-such-tool-rb1 (needed by the runbook); no-such-tool-rb2" in result.stderr
    assert not (project.root / "transcripts").exists()
    yes = project.run("exec", "needs-tools", "--yes")
    assert yes.returncode == 2 and "--yes runs unattended" in yes.stderr
    child = project.spawn("exec", "needs-tools")  # at a terminal: a choice
    child.expect(r"no-such-tool-rb2 \(needed by step second\)")
    child.expect(r"Go on anyway\? The steps that need them will fail\. \[y/N\] ")
    child.sendline("")
    child.expect("stopped before the first step")
    project.finish(child, 2)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "needs-tools", "--transcript", str(transcript))
    child.expect(r"\[y/N\] ")
    child.sendline("y")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(PROMPT)
    child.sendline("s")
    project.finish(child, 0)
    start = project.events(transcript)[0]
    assert start["missing_programs"] == ["no-such-tool-rb1 (needed by the runbook)",
                                         "no-such-tool-rb2 (needed by step second)"]


TARGET = """
    kind: runbook
    id: targeted
    title: Targeted
    summary: Acts on the context named in a file.
    owner: platform-team
    service: orders
    variables:
      CTX_FILE: {description: File that names the current context}
    target:
      - {name: kube context, run: cat "$CTX_FILE"}
      - {name: namespace, run: echo production}
    steps:
      - {id: look, title: Look around, run: echo looking}
      - id: wipe
        title: Wipe the cache
        run: touch wiped
        risk: destructive
        confirm: Drops the cache.
    """


def test_a_target_that_changes_before_a_destructive_step_stops_the_session(project, tmp_path):
    project.runbook(TARGET)
    shown = project.run("show", "targeted")
    assert re.search(r'Target:\n  kube context   cat "\$CTX_FILE"\n  namespace      echo production', shown.stdout), shown.stdout
    context = tmp_path / "context"
    context.write_text("prod-eu\n")
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "targeted", "--var", f"CTX_FILE={context}", "--transcript", str(transcript))
    child.expect(r"Target:\s+kube context = prod-eu\s+namespace\s+= production")
    child.expect(PROMPT)
    context.write_text("staging-us\n")  # someone switched the context in another terminal
    child.sendline("y")
    child.expect("looking")
    child.expect(r"Target now:")
    child.expect(r"kube context = staging-us\s+\(was prod-eu\)")
    child.expect(r"Stopped before destructive step wipe: the target changed since the session started "
                 r"\(kube context was 'prod-eu', now 'staging-us'\)")
    project.finish(child, 1)
    assert not (project.root / "wiped").exists()
    events = project.events(transcript)
    assert events[0]["target"] == {"kube context": "prod-eu", "namespace": "production"}
    check = next(e for e in events if e["event"] == "target-check")
    assert check["changed"] == [{"name": "kube context", "before": "prod-eu", "now": "staging-us"}]
    assert "wipe" not in project.ends(transcript)
    timeline = project.run("transcript", str(transcript)).stdout
    assert "target changed: kube context was prod-eu, now staging-us" in timeline
    # --yes --allow-destructive checks the target too.
    context.write_text("prod-eu\n")
    unattended = project.run("exec", "targeted", "--var", f"CTX_FILE={context}", "--yes", "--allow-destructive")
    assert unattended.returncode == 0 and (project.root / "wiped").exists()


def test_the_destructive_prompt_names_the_unchanged_target(project, tmp_path):
    project.runbook(TARGET)
    context = tmp_path / "context"
    context.write_text("prod-eu\n")
    child = project.spawn("exec", "targeted", "--var", f"CTX_FILE={context}")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"Type orders to run this destructive step against kube context prod-eu, namespace production, "
                 r"or \[s/e/q/\?\]: ")
    child.sendline("orders")
    child.expect("succeeded")
    project.finish(child, 0)
    assert (project.root / "wiped").exists()


INTERACTIVE = """
    kind: runbook
    id: console
    title: Console
    summary: Opens a prompt that the operator answers.
    owner: platform-team
    steps:
      - id: ask
        title: Talk to the tool
        run: 'read -r -p "Name of the pod? " POD_ANSWER; echo "hello $POD_ANSWER" > answer.txt; echo "shown $POD_ANSWER"'
        interactive: true
      - {id: after, title: After, run: echo after}
    """


def test_an_interactive_step_reads_a_line_from_the_operator(project, tmp_path):
    project.runbook(INTERACTIVE)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "console", "--transcript", str(transcript))
    child.expect(r"interactive: gets the terminal")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("The command has the terminal until it exits; its output is not recorded")
    child.expect(r"Name of the pod\? ")
    child.sendline("api-7f9c")
    child.expect("shown api-7f9c")
    child.expect("ok: succeeded")
    child.expect(PROMPT)
    child.sendline("y")
    project.finish(child, 0)
    assert (project.root / "answer.txt").read_text() == "hello api-7f9c\n"
    end = project.ends(transcript)["ask"]
    assert end["status"] == "succeeded" and end["interactive"] is True
    assert end["output"] is None and end["output_recorded"] is False
    assert "api-7f9c" not in transcript.read_text()
    timeline = project.run("transcript", str(transcript)).stdout
    assert "on the terminal (interactive; output not recorded)" in timeline


def test_an_interactive_step_is_refused_under_yes(project, tmp_path):
    project.runbook(INTERACTIVE)
    result = project.run("exec", "console", "--yes")
    assert result.returncode == 1
    assert "Stopped before interactive step ask" in result.stdout
    assert not (project.root / "answer.txt").exists()


def test_a_target_that_changes_while_the_confirmation_waits_stops_before_the_command(project, tmp_path):
    project.runbook(TARGET)
    context = tmp_path / "context"
    context.write_text("prod-eu\n")
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "targeted", "--var", f"CTX_FILE={context}", "--transcript", str(transcript),
                          "--from", "wipe")
    child.expect(r"Type orders to run this destructive step against kube context prod-eu")
    context.write_text("staging-us\n")  # switched while the prompt waited
    child.sendline("orders")
    child.expect(r"Stopped before destructive step wipe: the target changed since the session started")
    project.finish(child, 1)
    assert not (project.root / "wiped").exists()
    checks = [e for e in project.events(transcript) if e["event"] == "target-check"]
    assert [c["moment"] for c in checks] == ["before the prompt", "after the confirmation"]
    assert checks[0]["changed"] is None and checks[1]["changed"][0]["now"] == "staging-us"


def test_resume_compares_the_target_with_the_start_of_the_session(project, tmp_path):
    project.runbook(TARGET)
    context = tmp_path / "context"
    context.write_text("prod-eu\n")
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "targeted", "--var", f"CTX_FILE={context}", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("q")
    project.finish(child, 1)
    context.write_text("staging-us\n")
    child = project.spawn("exec", "targeted", "--resume", str(transcript))
    child.expect(r"kube context = staging-us\s+\(was prod-eu when the session started: destructive steps will stop\)")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"Stopped before destructive step wipe: the target changed since the session started "
                 r"\(kube context was 'prod-eu', now 'staging-us'\)")
    project.finish(child, 1)
    assert not (project.root / "wiped").exists()
    resume = next(e for e in project.events(transcript) if e["event"] == "session-resume")
    assert resume["target_changed"] == [{"name": "kube context", "before": "prod-eu", "now": "staging-us"}]
    timeline = project.run("transcript", str(transcript)).stdout
    assert "target changed: kube context was prod-eu, now staging-us" in timeline
