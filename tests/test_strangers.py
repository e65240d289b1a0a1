"""Runbooks with calls and scenario files written the way someone who only read issues 18 and 19 writes them:
flow style, anchors, numbers and booleans where text is meant, calls three deep, called steps addressed
`call/step`, and the mistakes such a person makes. Each test is a class of failure found that way."""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from generator.loading import load_text
from generator.shell.evaluate import NotPure, evaluate

SCALE = """\
    kind: runbook
    id: scale-it
    title: Scale it
    summary: Scale a deployment.
    owner: team-a
    variables:
      REPLICAS: {description: Replica count, pattern: "^[0-9]+$"}
      FORCE: {description: Force it, default: "false", choices: ["true", "false"]}
      RATIO: {description: Ratio, default: "1.0"}
    steps:
      - {id: scale, title: Scale, run: 'echo "$REPLICAS" "$FORCE" "$RATIO"', risk: mutating, capture: SAID}
"""

CALLER = """\
    kind: runbook
    id: caller
    title: Caller
    summary: Calls scale-it with numbers.
    owner: team-a
    variables:
      VERSION: {description: Version, default: "3.10"}
    steps:
      - id: scale
        title: Scale through the call
        uses: scale-it
        with: {REPLICAS: 3, FORCE: true, RATIO: 1.50}
      - {id: version, title: Version, run: 'echo "$VERSION"', capture: GOT}
"""


def test_numbers_and_booleans_where_text_is_meant_keep_their_text(project):
    """`with: {REPLICAS: 3}` and a scenario's `output: 3.10` are text the shell sees: kept as written (3.10,
    not 3.1; true, not True), never a schema error."""
    source = load_text(textwrap.dedent(CALLER))
    assert source.data["steps"][0]["with"] == {"REPLICAS": "3", "FORCE": "true", "RATIO": "1.50"}
    assert not source.findings
    project.runbook(SCALE)
    project.runbook(CALLER)
    (project.root / "runbooks" / "caller.test.yaml").write_text(textwrap.dedent("""\
        kind: runbook-test
        runbook: caller
        scenarios:
          - name: versions are text
            variables: {VERSION: 3.10}
            results:
              scale/scale: {output: 3 true 1.50}
              version: {output: 3.10}
            expect:
              outcome: completed
              variables: {GOT: 3.10, VERSION: "3.10"}
        """), encoding="utf-8")
    lint = project.run("lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    run = project.run("test")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    # A bare date where text is meant is that text, without the RB008 warning meant for text fields.
    dated = load_text("kind: runbook-test\nrunbook: x\nscenarios:\n  - {name: n, variables: {SINCE: 2026-01-01}}\n")
    assert dated.data["scenarios"][0]["variables"]["SINCE"] == "2026-01-01" and not dated.findings
    # Numbers keep their meaning where a number is meant.
    data = load_text("kind: runbook-test\nrunbook: x\nscenarios:\n  - {name: n, results: {a: {exit: 3}}, "
                     "expect: {attempts: {a: 2}}}\n").data
    assert data["scenarios"][0]["results"]["a"]["exit"] == 3
    assert data["scenarios"][0]["expect"]["attempts"]["a"] == 2


WEB = """\
    kind: runbook
    id: web
    title: Web
    summary: Restart the web deployment.
    owner: team-a
    steps:
      - {id: restart, title: Restart, run: 'kubectl rollout restart deployment/web', risk: mutating}
      - {id: verify, title: Verify, checklist: [Pods ready]}
"""


def web_scenarios(project, body: str) -> Path:
    """runbooks/web.test.yaml: scenarios of WEB (`body`: the scenario list, as the file says it)."""
    path = project.root / "runbooks" / "web.test.yaml"
    path.write_text("kind: runbook-test\nrunbook: web\nscenarios:\n" + body, encoding="utf-8")
    return path


# A runbook that calls WEB whole from its step `again`.
OUTER = """\
kind: runbook
id: outer
title: Outer
summary: Calls web.
owner: team-a
steps:
  - {id: again, title: Restart through web, uses: web}
"""


def test_every_misspelt_key_of_a_scenario_is_reported(project):
    """`result:` and `expected:` in one scenario are two mistakes, each with its line and its "did you mean"."""
    project.runbook(WEB)
    web_scenarios(project, "  - name: typos\n    result: {restart: {}}\n    expected: {outcome: completed}\n")
    lint = project.run("lint", "runbooks/web.test.yaml")
    assert lint.returncode == 1
    assert "web.test.yaml:5:5: RB100 [error] unknown property 'result'; did you mean 'results'?" in lint.stdout
    assert "web.test.yaml:6:5: RB100 [error] unknown property 'expected'; did you mean 'expect'?" in lint.stdout
    # Values are shown as YAML writes them.
    web_scenarios(project, "  - name: a boolean\n    expect: {outcome: true}\n")
    lint = project.run("lint", "runbooks/web.test.yaml")
    assert "true is not one of" in lint.stdout or "true is not" in lint.stdout, lint.stdout
    assert "True" not in lint.stdout


def test_a_scenario_file_that_cannot_be_read_is_an_error_of_the_run(project):
    """An empty, non-UTF-8 or list-shaped NAME.test.yaml is named with its loader's message (exit 2), whether
    `runbook test` runs everything or is given that file; never "no scenarios" or silence."""
    project.runbook(WEB)
    folder = project.root / "runbooks"
    (folder / "web.test.yaml").write_text(
        "kind: runbook-test\nrunbook: web\nscenarios:\n  - name: fine\n    results: {restart: {}}\n", encoding="utf-8")
    (folder / "empty.test.yaml").write_text("", encoding="utf-8")
    (folder / "latin1.test.yaml").write_bytes(b"kind: runbook-test\nrunbook: web\nscenarios:\n  - name: caf\xe9\n")
    (folder / "list.test.yaml").write_text("- kind: runbook-test\n  runbook: web\n", encoding="utf-8")
    every = project.run("test")
    assert every.returncode == 2, every.stdout + every.stderr
    assert "runbooks/empty.test.yaml:1:1: RB009 the file is empty" in every.stdout
    assert "runbooks/latin1.test.yaml:4:14: RB012 byte 0xe9 is not valid UTF-8" in every.stdout
    assert "runbooks/list.test.yaml:1:1: RB011 the top level is a list" in every.stdout
    assert "1 passed" in every.stdout
    for name, message in (("empty", "RB009 the file is empty"), ("latin1", "RB012 byte 0xe9")):
        one = project.run("test", f"runbooks/{name}.test.yaml")
        assert one.returncode == 2
        assert f"runbooks/{name}.test.yaml:" in one.stdout and message in one.stdout, one.stdout + one.stderr
        assert "Traceback" not in one.stderr


def test_a_checklist_or_a_call_listed_in_ran_is_explained(project):
    """`ran` holds the steps whose command ran: a stranger who lists a checklist step or a `uses` step there
    gets RB662 from lint at the item, and the failed scenario says why the step is missing."""
    project.runbook(WEB)
    project.runbook(OUTER + "  - {id: tell, title: Tell people, checklist: [Status page updated]}\n")
    path = project.root / "runbooks" / "outer.test.yaml"
    path.write_text("kind: runbook-test\nrunbook: outer\nscenarios:\n  - name: listed\n"
                    "    results: {again/restart: {}}\n    expect:\n      ran: [again, again/restart, again/verify, tell]\n",
                    encoding="utf-8")
    lint = project.run("lint", "runbooks/outer.test.yaml")
    assert lint.returncode == 0  # a warning: `runbook test` is what fails on it, the site still builds
    assert "outer.test.yaml:7:13: RB662 [warning] `ran` lists the steps whose command ran, and step again uses web" \
           in lint.stdout, lint.stdout
    assert "list the steps it calls: again/restart, again/verify" in lint.stdout
    assert "outer.test.yaml:7:35: RB662 [warning]" in lint.stdout and "step again/verify is a manual step" in lint.stdout
    assert "outer.test.yaml:7:49: RB662" in lint.stdout
    run = project.run("test")
    assert run.returncode == 1
    assert "ran: expected [again, again/restart, again/verify, tell], got [again/restart]" in run.stdout
    assert "(again/verify, tell: a manual step (checklist) runs no command, so it is not in `ran`)" in run.stdout
    assert "(again: a `uses` step runs no command of its own; `ran` lists the steps it calls (again/STEP))" in run.stdout


def test_call_mistakes_a_stranger_makes_get_messages_that_say_what_to_do(project):
    """`uses: Web` (capitals), `uses: levels` (a catalog's id) and `with: {X: $LATER}` where LATER is captured
    by a later step: each gets a finding at its line that says what is wrong, not a schema paragraph or
    "does not exist" / "declares no variable"."""
    project.runbook(WEB)
    project.runbook("""\
        kind: severity-levels
        id: levels
        title: Severity levels
        levels:
          - {id: sev1, name: Critical, definition: Down, response_time: 15m, escalation: Page the on-call}
        """)
    project.runbook("""\
        kind: runbook
        id: calls
        title: Calls
        summary: Call mistakes.
        owner: team-a
        steps:
          - {id: capitals, title: Capitals, uses: Web}
          - {id: catalog, title: Catalog, uses: levels}
          - {id: early, title: Early, uses: outer, with: {WHAT: $LATER}}
          - {id: later, title: Later, run: 'echo x', capture: LATER}
        """)
    project.runbook("""\
        kind: runbook
        id: outer
        title: Outer
        summary: Takes WHAT.
        owner: team-a
        variables:
          WHAT: {description: What, default: x}
        steps:
          - {id: say, title: Say, run: 'echo "$WHAT"'}
        """)
    lint = project.run("lint", "runbooks/calls.yaml")
    assert lint.returncode == 1
    lines = lint.stdout.splitlines()
    assert any(line.startswith("runbooks/calls.yaml:7:43: RB100 [error] 'Web' is not a runbook id or RUNBOOK#STEP")
               and "did you mean 'web'?" in line for line in lines), lint.stdout
    assert ("runbooks/calls.yaml:8:41: RB430 [error] step catalog uses 'levels', which is a severity-levels document, "
            "not a runbook") in lint.stdout
    assert ("runbooks/calls.yaml:9:57: RB434 [error] `with` passes $LATER to WHAT, but $LATER is captured only by a "
            "later step (later)") in lint.stdout


def test_a_risk_written_on_a_call_is_checked_not_refused(project):
    """`risk: destructive` on a step that calls destructive steps says what the call is (no finding, and no
    RB402 "has no confirm": each called step confirms itself); a risk that differs from the calls' is RB436."""
    project.runbook("""\
        kind: runbook
        id: drop
        title: Drop
        summary: Drops it.
        owner: team-a
        steps:
          - {id: drop, title: Drop, run: 'echo drop', risk: destructive, confirm: Drops it.}
        """)
    project.runbook("""\
        kind: runbook
        id: caller
        title: Caller
        summary: Calls drop.
        owner: team-a
        steps:
          - {id: right, title: Right, uses: drop, risk: destructive}
          - {id: wrong, title: Wrong, uses: drop, risk: mutating}
        """)
    lint = project.run("lint", "runbooks/caller.yaml")
    assert lint.returncode == 1
    assert lint.stdout.splitlines()[:-1] == [
        "runbooks/caller.yaml:8:43: RB436 [error] step wrong says `risk: mutating`, but the steps drop runs make it "
        "destructive: a call's risk is the highest risk of the steps it calls; remove `risk`"], lint.stdout


def test_a_list_of_rollback_results_is_one_per_failure(project):
    """`rollbacks.STEP` as a list is "one per time the rollback runs": the operator rolls back at each failure
    while a result is left (the second is not silently unused)."""
    project.runbook("""\
        kind: runbook
        id: migrate
        title: Migrate
        summary: Migrates.
        owner: team-a
        steps:
          - {id: migrate, title: Migrate, run: ./migrate.sh, risk: mutating, rollback: ./migrate.sh --down}
        """)
    (project.root / "runbooks" / "migrate.test.yaml").write_text(textwrap.dedent("""\
        kind: runbook-test
        runbook: migrate
        scenarios:
          - name: fails twice, rolled back each time, then works
            results: {migrate: [{exit: 1}, {exit: 1}, {exit: 0}]}
            rollbacks: {migrate: [{output: down}, {output: down again}]}
            answers: {migrate: [yes, yes, yes]}
            expect: {outcome: completed, attempts: {migrate: 3}}
        """), encoding="utf-8")
    from generator.project import load_catalog
    from generator.rehearse.suite import run_tests, tests_of

    catalog = load_catalog([project.root / "runbooks"])
    [run] = run_tests(catalog, tests_of(catalog)).runs
    assert run.passed, (run.gap, run.mismatches)
    assert "  | down\n" in run.output and "  | down again\n" in run.output


def test_a_default_answer_list_answers_every_unnamed_steps_prompts(project):
    """`answers: {default: [yes, skip]}`: every step not named runs, and when one fails the operator skips on
    (the list's later words were ignored: the session quit at the first failure)."""
    project.runbook("""\
        kind: runbook
        id: checks
        title: Checks
        summary: Three checks.
        owner: team-a
        steps:
          - {id: one, title: One, run: 'curl -f http://one'}
          - {id: two, title: Two, run: 'curl -f http://two'}
          - {id: three, title: Three, run: 'curl -f http://three'}
        """)
    (project.root / "runbooks" / "checks.test.yaml").write_text(textwrap.dedent("""\
        kind: runbook-test
        runbook: checks
        scenarios:
          - name: every check runs, failures are skipped
            results: {one: {exit: 22}, two: {}, three: {exit: 22}}
            answers: {default: [yes, skip]}
            expect: {outcome: completed, ran: [one, two, three]}
          - name: a named step keeps its own answers
            results: {one: {exit: 22}}
            answers: {default: [yes, skip], one: yes}
            expect: {outcome: failed, stopped_at: one}
        """), encoding="utf-8")
    run = project.run("test")
    assert run.returncode == 0, run.stdout
    assert "2 passed" in run.stdout


def test_from_a_misspelt_called_step_suggests_its_key(project):
    """`--from again/restat` names the called step it most likely means (the list shows top-level steps only)."""
    project.runbook(WEB)
    project.runbook(OUTER)
    result = project.run("exec", "outer", "--from", "again/restat", "--dry-run")
    assert result.returncode == 2
    assert result.stderr.startswith("runbook: --from again/restat: no such step in outer (did you mean again/restart?); "
                                    "its steps: again"), result.stderr


# `(( ))` and `$(( ))` are bash builtin arithmetic: a `when` written with them is as pure as `[ ]` (issue 18: "a pure
# bash test (builtins only, as the shell parser tells) is evaluated with the scenario's values").
ARITHMETIC = ["(( R > 2 ))", "(( N % 2 == 0 ))", "(( 010 == 8 ))", "(( 16#ff == 255 ))", "(( 0x10 == N ))",
              "(( -R + 5 == 2 ))", "(( ${R:-0} > 2 ))", "(( $N % 2 == 0 && ${C:-1} != 3 ))", "(( R ))", "(( E ))",
              "(( U + 1 ))", "(( 1/0 ))", "(( 7 / -2 == -3 ))", "(( -7 % 3 == -1 ))", "(( 2 ** 3 ** 2 == 512 ))",
              "(( 1 + 2 * 3 == 7 ))", "(( !R ))", "(( N > 3 ? 1 : 0 ))", "[ $((R + 1)) -gt 3 ]",
              '[ "$(( N * 2 ))" = 32 ]', "(( R > 2 )) && [ -n \"$N\" ]", "(( 1 < 2 && 3 > 4 || 0 ))",
              "(( (1 + 2) * 3 == 9 ))", "(( ~0 == -1 ))", "(( 1 << 3 == 8 ))", "(( 5 & 3 | 8 ^ 1 ))", "((N>3))"]
ARITHMETIC_VALUES = [{"R": "3", "N": "16", "E": ""}, {"R": "0", "N": "7", "C": "3", "E": ""}, {"R": "-4", "N": "0"}]


@pytest.mark.parametrize("values", ARITHMETIC_VALUES, ids=[json.dumps(v) for v in ARITHMETIC_VALUES])
def test_arithmetic_when_tests_agree_with_bash(values):
    env = {"PATH": os.environ["PATH"], **values}
    for command in ARITHMETIC:
        expected = subprocess.run(["bash", "-c", command], env=env, capture_output=True).returncode
        assert evaluate(command, values, {"R", "N", "C", "E", "U"}) == expected, command


@pytest.mark.parametrize("command, why", [
    ("(( R++ ))", "it changes variables"),
    ("(( R = 3 ))", "it changes variables"),
    ("(( $(date +%s) > 0 ))", "runs a command"),
    ("(( HOME > 0 ))", "it reads HOME, which is neither a variable of the runbook nor a capture"),
    ("(( W > 0 ))", "$W is 'abc', which bash would read as an expression of its own"),
])
def test_arithmetic_that_changes_or_reads_the_world_is_not_pure(command, why):
    with pytest.raises(NotPure, match=re.escape(why)):
        evaluate(command, {"R": "1", "W": "abc"}, {"R", "W"})


def test_a_scenario_decides_an_arithmetic_when_without_conditions(project):
    project.runbook("""\
        kind: runbook
        id: scale
        title: Scale
        summary: Scales when there are few replicas.
        owner: team-a
        steps:
          - {id: count, title: Count, run: 'kubectl get deploy web -o jsonpath={.spec.replicas}', capture: REPLICAS}
          - {id: scale, title: Scale, run: 'kubectl scale deploy web --replicas=$((REPLICAS * 2))', risk: mutating,
             when: '(( REPLICAS < 5 ))'}
        """)
    (project.root / "runbooks" / "scale.test.yaml").write_text(textwrap.dedent("""\
        kind: runbook-test
        runbook: scale
        scenarios:
          - name: few replicas are doubled
            results: {count: {output: "2"}, scale: {}}
            expect: {ran: [count, scale]}
          - name: many replicas are left alone
            results: {count: {output: "8"}}
            expect: {ran: [count], skipped: [scale]}
        """), encoding="utf-8")
    lint = project.run("lint")
    assert lint.returncode == 0, lint.stdout
    run = project.run("test")
    assert run.returncode == 0, run.stdout
    assert "2 passed" in run.stdout


def test_show_or_exec_of_a_scenario_file_says_what_it_is(project):
    project.runbook(WEB)
    web_scenarios(project, "  - name: fine\n    results: {restart: {}}\n")
    for command in (("show", "runbooks/web.test.yaml"), ("exec", "runbooks/web.test.yaml", "--dry-run")):
        result = project.run(*command)
        assert result.returncode == 2
        assert "web.test.yaml holds scenarios of runbook web (kind: runbook-test), not a runbook: name the runbook " \
               "(web), or run them with `runbook test " in result.stderr, result.stderr


def test_schema_messages_for_lengths_and_quoting_are_short_and_say_what_to_do(project):
    project.runbook(WEB)
    web_scenarios(project, "  - name: " + "x" * 230 + "\n  - name: 42\n")
    lint = project.run("lint", "runbooks/web.test.yaml")
    assert "web.test.yaml:4:11: RB100 [error] 230 characters, at most 200 allowed at /scenarios/0/name" in lint.stdout
    assert "x" * 50 not in lint.stdout
    assert "web.test.yaml:5:11: RB100 [error] 42 is not text; quote it if text is meant (\"42\")" in lint.stdout


def test_a_when_reading_a_required_variable_nobody_gave_fails_the_scenario(project):
    """A real session asks for a required variable before the `when` that reads it; a scenario that does not
    give it would evaluate the test on an empty value and rehearse a session that cannot happen."""
    project.runbook("""\
        kind: runbook
        id: env
        title: Env
        summary: Acts on production only.
        owner: team-a
        variables:
          ENVIRONMENT: {description: Where, choices: [production, staging]}
          OPTIONAL: {description: Optional, required: false}
        steps:
          - {id: prod-only, title: Prod only, run: 'echo prod', when: '[ "$ENVIRONMENT" = production ]'}
          - {id: opt, title: Optional, run: 'echo opt', when: '[ -n "$OPTIONAL" ]'}
        """)
    (project.root / "runbooks" / "env.test.yaml").write_text(textwrap.dedent("""\
        kind: runbook-test
        runbook: env
        scenarios:
          - name: the environment is not given
            expect: {skipped: [prod-only, opt]}
          - name: staging skips it
            variables: {ENVIRONMENT: staging}
            expect: {skipped: [prod-only, opt]}
        """), encoding="utf-8")
    run = project.run("test")
    assert run.returncode == 1
    assert ("scenario 'the environment is not given': step prod-only has a `when` that reads $ENVIRONMENT, which env "
            "requires and the scenario does not give (a real session would ask for it): give variables.ENVIRONMENT, "
            "or conditions.prod-only") in run.stdout, run.stdout
    assert "1 failed, 1 passed" in run.stdout


def test_a_result_written_with_nothing_after_it_is_an_empty_result(project):
    """`restart:` with nothing after it (YAML null) is `{}`: no output, exit 0, as for `rollbacks`."""
    project.runbook(WEB)
    web_scenarios(project, "  - name: bare keys\n    results:\n      restart:\n"
                           "    expect: {outcome: completed, ran: [restart]}\n")
    lint = project.run("lint", "runbooks/web.test.yaml")
    assert lint.returncode == 0, lint.stdout
    run = project.run("test")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout


def test_runbook_test_of_a_runbook_that_does_not_load_says_so(project):
    project.runbook(WEB.replace("risk: mutating", "risk: dangerous"))
    web_scenarios(project, "  - name: fine\n    results: {restart: {}}\n")
    result = project.run("test", "web")
    assert result.returncode == 2
    assert result.stderr.strip() == "runbook: runbook web does not load; `runbook lint runbooks/web.yaml` says why"


def test_var_gives_a_called_runbooks_variable_as_the_environment_would(project):
    """`--var NAME=VALUE` for a variable only a called runbook declares (not given by `with`) reaches the call, as an
    exported value does, instead of "has no variable"; an unknown name still names every runbook's variables."""
    project.runbook("""\
        kind: runbook
        id: greet
        title: Greet
        summary: Greets.
        owner: team-a
        variables:
          WHO: {description: Who, pattern: "^[a-z]+$"}
        steps:
          - {id: hello, title: Hello, run: 'echo "hello $WHO"'}
        """)
    project.runbook("""\
        kind: runbook
        id: caller
        title: Caller
        summary: Calls greet without with.
        owner: team-a
        steps:
          - {id: call, title: Call, uses: greet}
        """)
    missing = project.run("exec", "caller", "--yes")
    assert missing.returncode == 2
    assert "WHO (of greet, called by step call); pass them with `with` in the calling step, with --var NAME=VALUE, " \
           "or in the environment" in missing.stderr
    ran = project.run("exec", "caller", "--yes", "--var", "WHO=ann")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "| hello ann" in ran.stdout
    refused = project.run("exec", "caller", "--yes", "--var", "WHO=Ann")
    assert refused.returncode != 0 and "must match the pattern" in refused.stdout + refused.stderr
    unknown = project.run("exec", "caller", "--yes", "--var", "WHOM=ann")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == ("runbook: --var WHOM: runbook caller and the runbooks it calls have no variable "
                                      "WHOM (their variables: WHO)")


def test_a_step_answered_skip_needs_no_condition(project):
    """A step the scenario skips is skipped whether its `when` holds or not: no `conditions` entry is needed for
    a `when` that is not pure bash (one that is still decides whether the step is asked at all)."""
    project.runbook("""\
        kind: runbook
        id: checks
        title: Checks
        summary: A check that only runs where a file exists.
        owner: team-a
        steps:
          - {id: config, title: Config, run: 'cat /etc/app.conf', when: '[ -f /etc/app.conf ]'}
          - {id: after, title: After, run: 'echo after'}
        """)
    (project.root / "runbooks" / "checks.test.yaml").write_text(textwrap.dedent("""\
        kind: runbook-test
        runbook: checks
        scenarios:
          - name: the operator skips the config check
            answers: {config: skip}
            results: {after: {}}
            expect: {outcome: completed, ran: [after], skipped: [config]}
          - name: without an answer the condition is needed
            results: {after: {}}
        """), encoding="utf-8")
    run = project.run("test")
    assert run.returncode == 1
    assert "checks.test.yaml::the operator skips the config check PASSED" in run.stdout
    assert "step config has a `when` that is not a pure bash test (`-f` tests a file" in run.stdout


def test_the_started_runbooks_target_is_checked_before_a_called_destructive_step(project, tmp_path):
    """The target the operator saw in the header (the started runbook's) is re-checked before every destructive
    step of the session, those run through `uses` included: a cluster that changed half-way stops the call's
    destructive step (it ran: only the called runbook's own target was compared, and it has none)."""
    cluster, mark = tmp_path / "cluster", tmp_path / "destroyed"
    cluster.write_text("prod\n", encoding="utf-8")
    project.runbook(f"""\
        kind: runbook
        id: top
        title: Top
        summary: Has a target, calls a destructive step.
        owner: team-a
        target:
          - {{name: cluster, run: 'cat {cluster}'}}
        steps:
          - {{id: flip, title: Flip, run: 'echo staging > {cluster}'}}
          - {{id: call, title: Call, uses: destroy}}
        """)
    project.runbook(f"""\
        kind: runbook
        id: destroy
        title: Destroy
        summary: One destructive step, no target of its own.
        owner: team-a
        steps:
          - {{id: destroy, title: Destroy, run: 'touch {mark}', risk: destructive, confirm: Destroys.}}
        """)
    result = project.run("exec", "top", "--yes", "--allow-destructive")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cluster = staging   (was prod)" in result.stdout
    assert "Stopped before destructive step call/destroy: the target changed since the session started " \
           "(cluster was 'prod', now 'staging')" in result.stdout
    assert not mark.exists()
    # The rehearsal agrees: a change of the started runbook's probe before the called step stops it.
    (project.root / "runbooks" / "top.test.yaml").write_text(textwrap.dedent("""\
        kind: runbook-test
        runbook: top
        scenarios:
          - name: the cluster changes before the called destructive step
            target: {cluster: prod}
            target_changes: {call/destroy: {cluster: staging}}
            results: {flip: {}}
            expect: {outcome: aborted, stopped_at: call/destroy, ran: [flip]}
        """), encoding="utf-8")
    lint = project.run("lint", "runbooks/top.test.yaml")
    assert lint.returncode == 0 and "RB65" not in lint.stdout, lint.stdout
    run = project.run("test", "--coverage")
    assert run.returncode == 0, run.stdout
    assert "call/destroy (failure: ask)" in run.stdout  # its "target changed" branch was taken
