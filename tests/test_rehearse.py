"""`runbook test`: scenarios run through the real session engine with a scripted shell, nothing started.

The runbooks here would leave a mark on disk if any command, probe, condition or rollback ran; the tests check
that none does, and that the session behaves as `runbook exec` would (retry, capture, when, on_failure, target
checks, rollback offers). Output, JUnit and coverage are checked as a user reads them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.shell.evaluate import NotPure, evaluate

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]

# Every command touches a file in $MARKS: if any of them ran, the folder would not be empty.
SHOP = """\
    kind: runbook
    id: shop
    title: Shop
    summary: S
    owner: team-a
    service: shop
    requires: [definitely-not-installed-program]
    target:
      - {name: kube context, run: 'touch "$MARKS/probe"; echo prod'}
    variables:
      MARKS: {description: Where marks go, default: /nonexistent}
      LEVEL: {description: Level, default: "2", pattern: "^[0-9]+$"}
    steps:
      - {id: check, title: Check, run: 'touch "$MARKS/check"', timeout: 30, on_failure: continue}
      - id: wait
        title: Wait for the rollout
        run: 'touch "$MARKS/wait"; kubectl rollout status deployment/shop'
        expect: {output: successfully rolled out}
        retry: {attempts: 3, interval: 3600}
        timeout: 30
      - {id: count, title: Count, run: 'touch "$MARKS/count"', capture: REPLICAS, expect: {output: '^[0-9]+$'}, timeout: 30}
      - id: scale
        title: Scale
        run: 'touch "$MARKS/scale"'
        risk: mutating
        when: '[ -n "$REPLICAS" ] && [ "$LEVEL" -gt 1 ]'
        rollback: 'touch "$MARKS/scale-rollback"'
        timeout: 30
      - id: drop
        title: Drop
        run: 'touch "$MARKS/drop"'
        risk: destructive
        confirm: Stops the shop.
        rollback: 'touch "$MARKS/drop-rollback"'
        timeout: 30
      - {id: notify, title: Notify, run: 'touch "$MARKS/notify"', when: 'touch "$MARKS/when"', timeout: 30}
      - {id: verify, title: Verify, checklist: [Shop answers]}
"""

HAPPY = """\
  - name: the rollout finishes on the second attempt
    variables: {{MARKS: {marks}}}
    target: {{kube context: prod}}
    results:
      check: {{exit: 7, output: "curl: (7) Failed to connect"}}
      wait:
        - {{exit: 1, output: Waiting for rollout to finish}}
        - {{output: deployment "shop" successfully rolled out}}
      count: {{output: "3"}}
      scale: {{output: scaled}}
      drop: {{output: deleted}}
      notify: {{output: sent}}
    conditions: {{notify: true}}
    answers: {{default: yes}}
    expect:
      outcome: completed
      ran: [check, wait, count, scale, drop, notify]
      skipped: []
      attempts: {{wait: 2}}
      variables: {{REPLICAS: "3"}}
"""


@pytest.fixture
def shop(project):
    project.runbook(textwrap.dedent(SHOP))
    marks = project.root / "marks"
    marks.mkdir()
    return project, marks


def scenarios(project, body: str, name: str = "shop.test.yaml", runbook: str = "shop") -> Path:
    path = project.root / "runbooks" / name
    path.write_text(f"kind: runbook-test\nrunbook: {runbook}\nscenarios:\n{body}", encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


# -- the engine, through the CLI ------------------------------------------------------------------------------


def test_a_passing_scenario_starts_no_process(shop):
    project, marks = shop
    scenarios(project, HAPPY.format(marks=marks))
    # One hour between attempts: a run that slept would not end within the subprocess timeout.
    result = project.run("test", timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "runbooks/shop.test.yaml::the rollout finishes on the second attempt PASSED" in result.stdout
    assert "1 passed" in result.stdout.splitlines()[-1]
    assert list(marks.iterdir()) == []  # no command, probe, condition or rollback ran


def test_retry_intervals_are_counted_not_slept(shop):
    from generator.project import load_catalog
    from generator.rehearse.suite import run_tests, tests_of

    project, marks = shop
    scenarios(project, HAPPY.format(marks=marks))
    catalog = load_catalog([project.root / "runbooks"])
    suite = run_tests(catalog, tests_of(catalog))
    (run,) = suite.runs
    assert run.passed, run.mismatches
    assert run.facts.waited == 3600  # one interval, between attempts 1 and 2
    assert run.facts.did["wait"] == "ran, 2 attempts: succeeded (exit 0)"


def test_a_step_without_a_result_fails_the_scenario_at_its_results(shop):
    project, marks = shop
    path = scenarios(project, """\
  - name: pods crash
    variables: {MARKS: /x}
    results:
      check: {}
      wait: {output: successfully rolled out}
""")
    result = project.run("test")
    assert result.returncode == 1
    line = line_of(path, "results:")
    assert f"runbooks/shop.test.yaml:{line}: scenario 'pods crash': step count would run; give it a result" in result.stdout
    assert "1 failed" in result.stdout.splitlines()[-1]


def test_a_mismatch_shows_expected_against_actual_step_by_step(shop):
    project, marks = shop
    path = scenarios(project, """\
  - name: expects a restart that never happens
    results:
      check: {}
      wait: {exit: 1, output: "error: timed out waiting for the condition"}
    expect:
      outcome: completed
      ran: [check, wait, count]
      attempts: {wait: 2}
""")
    result = project.run("test")
    assert result.returncode == 1
    out = result.stdout
    line = line_of(path, "expect:")
    assert (f"runbooks/shop.test.yaml:{line}: scenario 'expects a restart that never happens': outcome: expected "
            f"completed, got failed (the operator quit after step wait failed)") in out
    assert "  ran: expected [check, wait, count], got [check, wait]" in out
    assert "  attempts of wait: expected 2, got 3" in out
    table = out[out.index("    step "):].splitlines()
    assert table[0].split() == ["step", "expected", "actual"]
    assert table[1].split()[:2] == ["check", "ran"] and not table[1].startswith("  !")
    assert table[2].startswith("  ! wait") and "ran, 2 attempts" in table[2] and "ran, 3 attempts: failed (exit 1)" in table[2]
    assert table[3].startswith("  ! count") and "not reached" in table[3]


def test_when_is_evaluated_from_the_values_and_captures(shop):
    """`[ -n "$REPLICAS" ] && [ "$LEVEL" -gt 1 ]` is pure bash: no `conditions` needed. A count not captured
    (output that fails `expect`), then skipped by the operator, leaves REPLICAS unset: scale is skipped."""
    project, marks = shop
    scenarios(project, """\
  - name: the replica count is not captured
    results:
      check: {}
      wait: {output: successfully rolled out}
      count: {output: "error: jsonpath"}
    answers: {count: [yes, skip], drop: skip}
    conditions: {notify: false}
    expect:
      outcome: completed
      ran: [check, wait, count]
      skipped: [scale, drop, notify]
      variables: {REPLICAS: null}
  - name: a low level skips scale too
    variables: {LEVEL: "1"}
    results:
      check: {}
      wait: {output: successfully rolled out}
      count: {output: "4"}
    answers: {drop: skip}
    conditions: {notify: false}
    expect:
      skipped: [scale, drop, notify]
      variables: {REPLICAS: "4"}
""")
    result = project.run("test")
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("PASSED") == 2


def test_a_when_that_is_not_pure_bash_needs_a_condition(shop):
    project, marks = shop
    path = scenarios(project, """\
  - name: notify without a condition
    answers: {default: skip, notify: yes}
""")
    result = project.run("test")
    assert result.returncode == 1
    line = line_of(path, "name: notify")
    assert (f"runbooks/shop.test.yaml:{line}: scenario 'notify without a condition': step notify has a `when` that is "
            f"not a pure bash test (it runs `touch`, not a bash builtin test); give conditions.notify: true or false"
            ) in result.stdout
    assert list(marks.iterdir()) == []


def test_a_target_change_stops_before_the_destructive_step(shop):
    project, marks = shop
    scenarios(project, """\
  - name: the context changed
    target: {kube context: prod}
    target_changes:
      drop: {kube context: staging}
    answers: {default: skip, drop: yes}
    expect:
      outcome: aborted
      ran: []
      stopped_at: drop
""")
    result = project.run("test", "--coverage")
    assert result.returncode == 0, result.stdout
    assert "target changed" not in result.stdout.split("branches no scenario took:")[1].split("\n")[0]


def test_a_failure_offers_the_rollback_and_the_answers_go_on(shop):
    from generator.project import load_catalog
    from generator.rehearse.suite import run_tests, tests_of

    project, marks = shop
    scenarios(project, """\
  - name: scale fails, is rolled back, the operator skips on
    results:
      check: {}
      wait: {output: successfully rolled out}
      count: {output: "3"}
      scale: {exit: 1, output: forbidden}
    rollbacks:
      scale: {output: scaled back}
    answers: {scale: [yes, skip], drop: skip}
    conditions: {notify: false}
    expect: {outcome: completed, ran: [check, wait, count, scale], skipped: [drop, notify]}
  - name: drop fails and its rollback has no result
    answers: {default: skip, drop: yes}
    results:
      drop: {exit: 1}
    rollbacks: {}
  - name: the operator retries the count
    answers: {count: [yes, yes], scale: skip, drop: skip}
    conditions: {notify: false}
    results:
      check: {}
      wait: {output: successfully rolled out}
      count: [{exit: 1}, {output: "5"}]
    expect: {attempts: {count: 2}, variables: {REPLICAS: "5"}, outcome: completed}
""")
    catalog = load_catalog([project.root / "runbooks"])
    suite = run_tests(catalog, tests_of(catalog))
    rolled, unanswered, retried = suite.runs
    assert rolled.passed, rolled.mismatches
    assert ("scale", "rollback") in rolled.branches and ("scale", "failure: ask") in rolled.branches
    assert rolled.facts.did["scale"] == "ran: failed (exit 1), then skipped"
    # The session offered the rollback only because the scenario gives one: without it the operator quits.
    assert unanswered.gap is None and unanswered.facts.outcome == "failed"
    assert retried.passed, retried.mismatches
    assert list(marks.iterdir()) == []


def test_quit_and_checklists(shop):
    project, marks = shop
    scenarios(project, """\
  - name: quit at the first step
    answers: {check: quit}
    expect: {outcome: aborted, ran: [], stopped_at: check}
  - name: quit at the checklist
    answers: {default: skip, verify: quit}
    conditions: {notify: true}
    expect: {outcome: aborted, stopped_at: verify}
  - name: unquoted yes is the word yes
    answers: {default: skip, verify: yes}
    conditions: {notify: true}
    expect: {outcome: completed, skipped: [check, wait, count, scale, drop, notify]}
""")
    result = project.run("test")
    assert result.returncode == 0, result.stdout
    lint = project.run("lint", "runbooks/shop.test.yaml")
    assert lint.returncode == 0, lint.stdout  # `yes` under answers is not RB006


# -- reports ----------------------------------------------------------------------------------------------------


def test_junit_report(shop):
    project, marks = shop
    scenarios(project, HAPPY.format(marks=marks) + """\
  - name: no results at all
""")
    result = project.run("test", "--format", "junit", "-o", "report.xml")
    assert result.returncode == 1
    assert "runbook test: 1 passed, 1 failed, 0 error(s); report written to report.xml" in result.stdout
    root = ET.parse(project.root / "report.xml").getroot()
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "runbooks/shop.test.yaml"
    passed, failed = suite.findall("testcase")
    assert passed.get("classname") == "shop" and passed.get("name") == "the rollout finishes on the second attempt"
    assert passed.find("failure") is None
    failure = failed.find("failure")
    assert failure.get("message").endswith("scenario 'no results at all': step check would run; give it a result")
    assert "Check" in failed.find("system-out").text  # what the session showed


def test_coverage_lists_steps_and_branches_not_exercised(shop):
    from generator.project import load_catalog
    from generator.rehearse.coverage import coverage_of

    project, marks = shop
    scenarios(project, HAPPY.format(marks=marks).replace("answers: {default: yes}", "answers: {drop: skip}")
              .replace("ran: [check, wait, count, scale, drop, notify]", "ran: [check, wait, count, scale, notify]")
              .replace("skipped: []", "skipped: [drop]"))
    result = project.run("test", "--coverage")
    assert result.returncode == 0, result.stdout
    cover = result.stdout[result.stdout.index("coverage"):].splitlines()
    assert cover[1].split() == ["runbook", "scenarios", "steps", "branches"]
    assert cover[2].split() == ["shop", "1", "6/7", "3/14"]
    assert cover[3] == "  steps no scenario ran: drop"
    assert cover[4] == ("  branches no scenario took: wait (retry exhausted, failure: ask); "
                        "count (failure: ask); scale (when false, failure: ask, rollback); drop (failure: ask, rollback, "
                        "target changed); notify (when false, failure: ask)")
    catalog = load_catalog([project.root / "runbooks"])
    assert coverage_of(catalog) == {"shop": (1, 6, 7)}


# -- the shipped scenarios -----------------------------------------------------------------------------------------


def test_shipped_scenarios_pass_with_full_step_coverage():
    from generator.project import load_catalog
    from generator.rehearse.coverage import coverage_of

    result = subprocess.run([*CLI, "test"], cwd=REPO, text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    coverage = coverage_of(load_catalog([REPO / "runbooks"]))
    assert coverage and all(count > 0 and covered == total for count, covered, total in coverage.values()), coverage


def test_shipped_scenario_files_name_their_schema():
    files = sorted(REPO.glob("runbooks/**/*.test.yaml"))
    assert files
    for path in files:
        relative = os.path.relpath(REPO / "schemas" / "runbook-test.schema.json", path.parent)
        assert path.read_text(encoding="utf-8").splitlines()[0] == f"# yaml-language-server: $schema={relative}"


def test_list_shows_scenario_files_and_the_site_does_not_publish_them(project):
    from generator.project import load_catalog
    from generator.site.pages import SiteRenderer

    result = subprocess.run([*CLI, "list", "--format", "json"],
                            cwd=REPO, text=True, capture_output=True, timeout=60)
    rows = json.loads(result.stdout)
    assert {"id": "payment-service.test", "kind": "runbook-test"}.items() <= next(
        r for r in rows if r["kind"] == "runbook-test" and r["id"] == "payment-service.test").items()
    renderer = SiteRenderer(load_catalog([REPO / "runbooks"]), REPO / "runbooks")
    assert renderer.published and all(d.kind != "runbook-test" for d in renderer.published)
    assert all(page.source is None or not page.source.endswith(".test.yaml") for page in renderer.pages())


# -- user errors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, files, message", [
    pytest.param(["nope"], {}, "no runbook named 'nope'", id="unknown-runbook-name"),
    pytest.param(["shop"], {}, "no scenarios test runbook shop: write a `kind: runbook-test` file", id="no-scenarios"),
    pytest.param([], {}, "no scenario files (kind: runbook-test) under", id="nothing-to-run"),
    pytest.param(["missing.test.yaml"], {}, "missing.test.yaml: no such file or folder", id="missing-path"),
    pytest.param([], {"shop.test.yaml": "kind: runbook-test\nrunbook: shop\nscenarios: []\n"},
                 "runbooks/shop.test.yaml:3:12: RB100 an empty list; give at least 1 item", id="schema-error"),
    pytest.param([], {"shop.test.yaml": "kind: runbook-test\nrunbook: shopp\nscenarios:\n  - name: a\n"},
                 "runbooks/shop.test.yaml:2:10: runbook 'shopp' does not exist; did you mean 'shop'?", id="missing-runbook"),
    pytest.param([], {"shop.test.yaml": "kind: runbook-test\nrunbook: shop\nscenarios:\n  - {name: a\n"},
                 "runbooks/shop.test.yaml:5:1: RB001", id="yaml-error"),
    pytest.param(["--format", "xml"], {}, "Invalid value for '--format'", id="bad-format"),
])
def test_user_errors_exit_2_with_one_clear_line(shop, args, files, message):
    project, _ = shop
    for name, text in files.items():
        (project.root / "runbooks" / name).write_text(text, encoding="utf-8")
    result = project.run("test", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_report_that_cannot_be_written(shop):
    project, marks = shop
    scenarios(project, HAPPY.format(marks=marks))
    result = project.run("test", "-o", "no-such-folder/report.txt")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("runbook: cannot write no-such-folder/report.txt:")


def test_a_value_the_runbook_refuses_fails_the_scenario(shop):
    project, _ = shop
    path = scenarios(project, "  - name: bad level\n    variables: {LEVEL: high}\n")
    result = project.run("test")
    assert result.returncode == 1
    line = line_of(path, "LEVEL: high")
    assert f"runbooks/shop.test.yaml:{line}: scenario 'bad level': variables.LEVEL: must match the pattern" in result.stdout


# -- pure bash `when` tests, against bash itself ------------------------------------------------------------------

WHEN_TESTS = ['[ -n "$X" ]', '[ -n $X ]', '[ -z $X ]', '[ "${C:-0}" -gt 1 ]', '[ -n "${R:-}" ] && [ "$R" != "${C:-}" ]',
              '[[ $X == a* || ! -z "$Y" ]]', 'test -z $X', '! [ x = y ]', 'true', "[ 'a' = b\"$X\"c ]",
              '[[ $X =~ ^[0-9]+$ ]]', '[ "$X" = "$Y" -o -n "$C" ]', '[ ! -n "$X" ]', '[ $X ]', '[ "$C" -gt 1 ]',
              '[[ -n $X && $Y == "b c" ]]', '[ "${#X}" -eq 0 ]', '[ "${X+set}" = set ]', 'false || [ -n "$Y" ]',
              'test "$X" = a -a "$C" = 3', ': ; false', '[ ]']
WHEN_VALUES = [{}, {"X": ""}, {"X": "abc", "Y": "b c", "C": "3"}, {"X": "a b", "C": "x", "R": "2"},
               {"X": "12", "R": "3", "C": "3"}]


@pytest.mark.parametrize("values", WHEN_VALUES, ids=[json.dumps(v) for v in WHEN_VALUES])
def test_pure_when_tests_agree_with_bash(values):
    env = {"PATH": os.environ["PATH"], **values}
    for command in WHEN_TESTS:
        expected = subprocess.run(["bash", "-c", command], env=env, capture_output=True).returncode
        assert evaluate(command, values, {"X", "Y", "C", "R"}) == expected, command


@pytest.mark.parametrize("command, why", [
    ('[ -s "$X" ]', "`-s` tests a file"),
    ('[ "$(date)" = x ]', "command substitution"),
    ("ls", "it runs `ls`"),
    ("[ a = b ] | cat", "pipeline"),
    ('[ -n "$HOME" ]', "it reads $HOME, which is neither a variable of the runbook nor a capture"),
    ("[ $X = a* ]", "glob"),
    ('[ -n "$1" ]', "it reads $1"),
])
def test_other_when_tests_are_not_pure(command, why):
    with pytest.raises(NotPure, match=re.escape(why)):
        evaluate(command, {"X": "a"}, {"X"})


# -- lint ------------------------------------------------------------------------------------------------------------


def test_lint_points_at_scenario_mistakes_even_in_an_invalid_file(shop):
    project, _ = shop
    scenarios(project, """\
  - name: broken
    results:
      check: {exit: "x", outptu: 1}
      chek: {}
    answers: {check: maybe}
  - name: fine
    expect: {ran: [chekc], outcome: done}
""")
    result = project.run("lint", "runbooks/shop.test.yaml")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("runbooks/")]
    assert lines == [
        "runbooks/shop.test.yaml:6:21: RB100 [error] 'x' is not a whole number at /scenarios/0/results/check/exit",
        "runbooks/shop.test.yaml:6:26: RB100 [error] unknown property 'outptu'; did you mean 'output'? at "
        "/scenarios/0/results/check/outptu",
        "runbooks/shop.test.yaml:7:7: RB651 [error] runbook shop has no step 'chek'; did you mean 'check'?",
        "runbooks/shop.test.yaml:8:22: RB100 [error] 'maybe' is not one of ['yes', 'skip', 'quit'] at "
        "/scenarios/0/answers/check",
        "runbooks/shop.test.yaml:10:20: RB651 [error] runbook shop has no step 'chekc'; did you mean 'check'?",
        "runbooks/shop.test.yaml:10:37: RB100 [error] 'done' is not one of ['completed', 'failed', 'aborted'] at "
        "/scenarios/1/expect/outcome",
    ]
    test = project.run("test")
    assert test.returncode == 2
    assert ("runbooks/shop.test.yaml:6:21: RB100 'x' is not a whole number at /scenarios/0/results/check/exit (and 3 "
            "more; `runbook lint runbooks/shop.test.yaml` lists them)") in test.stdout


def test_the_run_shows_the_scenario_files_lint_findings(shop):
    project, marks = shop
    scenarios(project, HAPPY.format(marks=marks).replace("      notify: {output: sent}\n",
                                                         "      notify: {output: sent}\n      notfy: {}\n"))
    result = project.run("test")
    assert result.returncode == 0, result.stdout  # lint decides on them; the scenario itself passed
    assert "1 lint finding(s) in the scenario files (`runbook lint` reports them too):" in result.stdout
    assert "RB651 [error] runbook shop has no step 'notfy'; did you mean 'notify'?" in result.stdout


PAYMENT = """\
    kind: runbook
    id: payment-service
    title: Payment service
    summary: S
    owner: payments-team
    service: payment-service
    target:
      - {name: kube context, run: kubectl config current-context}
      - {name: namespace, run: kubectl get namespace "$NAMESPACE" -o name}
    variables:
      NAMESPACE: {description: Namespace, default: production}
    steps:
      - {id: check-health, title: Health, run: curl -fsS http://payment-service/health, on_failure: continue}
      - {id: restart, title: Restart, run: kubectl rollout restart deployment/payment-service, risk: mutating}
      - id: wait-for-rollout
        title: Wait
        run: kubectl rollout status deployment/payment-service --timeout=60s
        expect: {output: successfully rolled out}
        retry: {attempts: 5, interval: 5}
      - {id: current-replicas, title: Replicas, run: kubectl get deployment payment-service, capture: CURRENT_REPLICAS}
      - {id: scale, title: Scale, run: kubectl scale deployment/payment-service --replicas=5, risk: mutating,
         when: '[ -n "$CURRENT_REPLICAS" ]'}
"""

# The issue's example, as written there.
ISSUE_EXAMPLE = """\
kind: runbook-test
runbook: payment-service
scenarios:
  - name: pods crash, a restart brings them back
    variables: {NAMESPACE: production}
    target: {kube context: prod-eu, namespace: production}
    results:
      check-health: {exit: 7, output: "curl: (7) Failed to connect to payment-service port 80"}
      restart: {}
      wait-for-rollout:
        - {exit: 1, output: Waiting for deployment "payment-service" rollout to finish}
        - {output: deployment "payment-service" successfully rolled out}
      current-replicas: {output: "3"}
    answers: {default: yes, scale: skip}
    expect:
      outcome: completed
      ran: [check-health, restart, wait-for-rollout, current-replicas]
      skipped: [scale]
      attempts: {wait-for-rollout: 2}
      variables: {CURRENT_REPLICAS: "3"}
"""


def test_the_issue_example_passes_as_written_and_names_a_missing_result(project):
    project.runbook(textwrap.dedent(PAYMENT))
    path = project.root / "runbooks" / "payment-service.test.yaml"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    assert project.run("lint").returncode == 0
    result = project.run("test", "payment-service")
    assert result.returncode == 0, result.stdout
    assert "payment-service.test.yaml::pods crash, a restart brings them back PASSED" in result.stdout
    path.write_text(ISSUE_EXAMPLE.replace("{default: yes, scale: skip}", "{default: yes}"), encoding="utf-8")
    result = project.run("test", "runbooks/payment-service.test.yaml")
    assert result.returncode == 1
    assert ("runbooks/payment-service.test.yaml:7: scenario 'pods crash, a restart brings them back': step scale would "
            "run; give it a result") in result.stdout


# -- runbooks that call runbooks (`uses`) ---------------------------------------------------------------------------

# `store` calls the whole `shop` (its retry, capture, `when`, destructive step and target) and one step of it.
STORE = """\
    kind: runbook
    id: store
    title: Store
    summary: S
    owner: team-a
    service: store
    target:
      - {name: kube context, run: 'touch "$MARKS/store-probe"; echo prod'}
    variables:
      MARKS: {description: Where marks go, default: /nonexistent}
    steps:
      - {id: look, title: Look, run: 'touch "$MARKS/look"', timeout: 30}
      - {id: fix, title: Fix the shop, uses: shop, with: {MARKS: "$MARKS"}}
      - {id: recount, title: Count again, uses: 'shop#count', with: {MARKS: "$MARKS"}}
"""

# `mall` calls `store`: the shop's steps are two levels down.
MALL = """\
    kind: runbook
    id: mall
    title: Mall
    summary: S
    owner: team-a
    variables:
      MARKS: {description: Where marks go, default: /nonexistent}
    steps:
      - {id: open, title: Open the store, uses: store, with: {MARKS: "$MARKS"}}
"""

STORE_KEYS = ["look", "fix", "fix/check", "fix/wait", "fix/count", "fix/scale", "fix/drop", "fix/notify", "fix/verify",
              "recount", "recount/count"]


@pytest.fixture
def store(shop):
    project, marks = shop
    project.runbook(textwrap.dedent(STORE))
    project.runbook(textwrap.dedent(MALL))
    return project, marks


def test_step_keys_follow_the_calls_as_the_session_walks_them(store):
    from generator.calls import Calls
    from generator.project import load_catalog
    from generator.rehearse.keys import step_keys

    project, _ = store
    catalog = load_catalog([project.root / "runbooks"])
    calls = Calls(catalog.runbooks)
    assert list(step_keys(catalog.resolve("store"), calls)) == STORE_KEYS
    assert list(step_keys(catalog.resolve("mall"), calls)) == ["open", *(f"open/{key}" for key in STORE_KEYS)]
    # Without the catalog a call cannot be followed: the `uses` step keeps its own key and nothing inside.
    assert list(step_keys(catalog.resolve("store"))) == ["look", "fix", "recount"]


def test_a_scenario_runs_the_called_steps_under_the_caller_and_starts_nothing(store):
    project, marks = store
    path = scenarios(project, f"""\
  - name: the called shop retries, captures, scales and drops
    variables: {{MARKS: {marks}}}
    target: {{kube context: prod}}
    results:
      look: {{}}
      fix/check: {{exit: 7}}
      fix/wait:
        - {{exit: 1, output: Waiting for rollout to finish}}
        - {{output: successfully rolled out}}
      fix/count: {{output: "3"}}
      fix/scale: {{output: scaled}}
      fix/drop: {{output: deleted}}
      recount/count: {{output: "4"}}
    conditions: {{fix/notify: false}}
    expect:
      outcome: completed
      ran: [look, fix/check, fix/wait, fix/count, fix/scale, fix/drop, recount/count]
      skipped: [fix/notify]
      attempts: {{fix/wait: 2}}
  - name: the called count is not captured, so the called scale is skipped
    variables: {{LEVEL: "1"}}
    answers: {{default: skip, fix/count: [yes, skip], fix/scale: yes, fix/notify: yes}}
    conditions: {{fix/notify: true}}
    results:
      fix/count: {{output: "error: jsonpath"}}
      fix/notify: {{output: sent}}
    expect:
      outcome: completed
      ran: [fix/count, fix/notify]
      skipped: [look, fix/check, fix/wait, fix/scale, fix/drop, fix/verify, recount/count]
  - name: the target changed before the called destructive step
    target: {{kube context: prod}}
    target_changes:
      fix/drop: {{kube context: staging}}
    answers: {{default: skip, fix/drop: yes}}
    expect:
      outcome: aborted
      ran: []
      stopped_at: fix/drop
""", name="store.test.yaml", runbook="store")
    # The machine's own LEVEL does not reach the called runbook: a scenario's world is what it says.
    result = project.run("test", "store", "--coverage", env={"LEVEL": "0"})
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("PASSED") == 3
    assert list(marks.iterdir()) == []  # no command, probe, condition or rollback ran, called or not
    cover = result.stdout[result.stdout.index("= coverage ="):].splitlines()
    assert cover[2].split() == ["store", "3", "11/11", "7/16"]
    # The called destructive step has the target-changed branch (the whole shop is called, with its target),
    # and the third scenario took it; the called `when`s were taken both ways.
    assert cover[3] == ("  branches no scenario took: look (failure: ask); fix/wait (retry exhausted, failure: ask); "
                        "fix/scale (failure: ask, rollback); fix/drop (failure: ask, rollback); "
                        "fix/notify (failure: ask); recount/count (failure: ask)")
    assert line_of(path, "fix/drop: {kube context: staging}")


def test_a_mismatch_inside_a_call_names_the_called_step(store):
    from generator.project import load_catalog
    from generator.rehearse.suite import run_tests, tests_of

    project, marks = store
    scenarios(project, """\
  - name: the called wait never finishes
    answers: {default: skip, fix/wait: yes}
    results:
      fix/wait: {exit: 1, output: still waiting}
    expect: {outcome: completed}
  - name: the called drop has no result
    answers: {default: skip, fix/drop: yes}
""", name="store.test.yaml", runbook="store")
    result = project.run("test", "store")
    assert result.returncode == 1
    assert "outcome: expected completed, got failed" in result.stdout
    table = result.stdout[result.stdout.index("step  "):]
    assert re.search(r"\n +fix +- +called shop\n", table)  # the call began and did not end
    assert re.search(r"\n +fix/wait +- +ran, 3 attempts: failed \(exit 1\); stopped: the operator quit", table)
    assert "scenario 'the called drop has no result': step fix/drop would run; give it a result" in result.stdout
    catalog = load_catalog([project.root / "runbooks"])
    wait, drop = run_tests(catalog, tests_of(catalog)).runs
    assert wait.facts.stopped_at == "fix/wait" and wait.facts.attempts == {"fix/wait": 3}
    assert ("fix/wait", "retry exhausted") in wait.branches
    assert wait.facts.did["fix"].startswith("called shop")
    assert drop.gap is not None and drop.gap.step == "fix/drop"
    assert list(marks.iterdir()) == []


def test_nested_calls_two_levels_down(store):
    from generator.project import load_catalog
    from generator.rehearse.coverage import coverage_of

    project, marks = store
    scenarios(project, """\
  - name: the mall drops the shop through the store
    target: {kube context: prod}
    answers: {default: skip, open/fix/drop: yes, open/recount/count: yes}
    conditions: {open/fix/notify: false}
    results:
      open/fix/drop: {output: deleted}
      open/recount/count: {output: "2"}
    expect:
      outcome: completed
      ran: [open/fix/drop, open/recount/count]
  - name: the shop's target changed under the mall
    target: {kube context: prod}
    target_changes: {open/fix/drop: {kube context: staging}}
    answers: {default: skip, open/fix/drop: yes}
    expect: {outcome: aborted, stopped_at: open/fix/drop}
""", name="mall.test.yaml", runbook="mall")
    result = project.run("test", "mall")
    assert result.returncode == 0, result.stdout
    assert project.run("lint").returncode == 0
    catalog = load_catalog([project.root / "runbooks"])
    scenarios_run, covered, total = coverage_of(catalog)["mall"]
    assert (scenarios_run, total) == (2, 12)
    assert covered == 5  # open, open/fix, open/recount (their calls began), open/fix/drop, open/recount/count
    assert list(marks.iterdir()) == []


def test_lint_knows_the_called_steps_keys(store):
    project, _ = store
    path = scenarios(project, """\
  - name: wrong keys
    variables: {LEVEL: "x", LEVL: "1"}
    results:
      fix/chek: {}
      drop: {}
      fix: {}
    rollbacks:
      recount/count: {}
    conditions: {recount/count: true}
    answers: {fix: skip}
    target_changes:
      recount/count: {kube context: staging}
      fix/drop: {kube contxt: staging}
    expect:
      ran: [fix/wait/again]
      stopped_at: recount/cont
      variables: {REPLICAS: "3"}
""", name="store.test.yaml", runbook="store")
    result = project.run("lint", "runbooks/store.test.yaml")
    assert result.returncode == 1
    lines = [line.removeprefix("runbooks/store.test.yaml:") for line in result.stdout.splitlines()
             if line.startswith("runbooks/")]
    assert lines == [
        "5:24: RB660 [error] LEVEL: must match the pattern ^[0-9]+$",
        "5:29: RB658 [error] runbook store declares no variable LEVL (nor do the runbooks it calls); did you mean "
        "'LEVEL'?",
        "7:7: RB651 [error] runbook store has no step 'fix/chek'; did you mean 'fix/check'?",
        "8:7: RB651 [error] runbook store has no step 'drop'; did you mean 'fix/drop'?",
        "9:7: RB652 [error] step fix uses shop and has no `run` of its own; give the results to the steps it calls: "
        "fix/check, fix/wait, fix/count, fix/scale, fix/drop, fix/notify, fix/verify",
        "11:7: RB653 [error] step recount/count has no `rollback`; remove this rollback result",
        "12:18: RB655 [error] step recount/count has no `when`; remove this condition",
        "13:15: RB661 [error] step fix uses shop, so nothing is asked there; answer the steps it calls: fix/check, "
        "fix/wait, fix/count, fix/scale, fix/drop, fix/notify, fix/verify",
        "15:7: RB657 [warning] step recount/count is not destructive: the target is re-checked only before "
        "destructive steps, so this change is not seen there",
        "16:18: RB656 [error] runbook shop has no target probe 'kube contxt'; did you mean 'kube context'?; its "
        "probes: kube context",
        "18:13: RB651 [error] runbook store has no step 'fix/wait/again'; did you mean 'fix/wait'?",
        "19:19: RB651 [error] runbook store has no step 'recount/cont'; did you mean 'recount/count'?",
        "20:19: RB658 [error] REPLICAS is captured by called step fix/count, and a called runbook's values stay inside "
        "its call; `expect.variables` checks runbook store's own",
    ]
    assert line_of(path, "fix/chek") == 7 and line_of(path, "kube contxt") == 16


def test_a_target_change_under_a_one_step_call_is_not_seen(store):
    """`uses: shop#drop` runs the destructive step without the shop's target baseline: lint says the change
    given there is not seen, and the session indeed runs the step."""
    project, marks = store
    project.runbook(textwrap.dedent("""\
        kind: runbook
        id: kiosk
        title: Kiosk
        summary: S
        owner: team-a
        variables:
          MARKS: {description: Where marks go, default: /nonexistent}
        steps:
          - {id: close, title: Close, uses: 'shop#drop', with: {MARKS: "$MARKS"}}
    """))
    path = scenarios(project, """\
  - name: the drop runs although the context moved
    target_changes: {close/drop: {kube context: staging}}
    results: {close/drop: {output: deleted}}
    expect: {outcome: completed, ran: [close/drop]}
""", name="kiosk.test.yaml", runbook="kiosk")
    lint = project.run("lint", "runbooks/kiosk.test.yaml")
    assert lint.returncode == 0, lint.stdout  # a warning
    assert (f"runbooks/kiosk.test.yaml:{line_of(path, 'target_changes')}:22: RB657 [warning] step close/drop runs "
            f"through `uses: shop#drop`, one step of shop: the session takes no baseline of shop's target for it, so "
            f"this change is not seen there") in lint.stdout
    result = project.run("test", "kiosk", "--coverage")
    assert result.returncode == 0, result.stdout
    # No `target changed` branch to miss: only the failure paths are left.
    assert "\nkiosk 1 2/2 0/2\n branches no scenario took: close/drop (failure: ask, rollback)\n" in \
        re.sub(r" +", " ", result.stdout)
    assert list(marks.iterdir()) == []


def test_a_call_that_cannot_be_followed_is_a_file_error(store):
    project, _ = store
    store_file = project.root / "runbooks" / "store.yaml"
    store_file.write_text(store_file.read_text(encoding="utf-8").replace("uses: shop,", "uses: shopp,"),
                          encoding="utf-8")
    path = scenarios(project, """\
  - name: anything
    results: {fix/check: {}}
""", name="store.test.yaml", runbook="store")
    result = project.run("test", "store")
    assert result.returncode == 2
    assert (f"runbooks/store.test.yaml:{line_of(path, 'runbook: store')}:10: runbook store cannot run: step fix uses "
            f"shopp, but there is no runbook 'shopp'; `runbook lint` explains it") in result.stdout
    lint = project.run("lint")
    # The call is the runbook's mistake (RB430 there, with "did you mean"); the scenario's keys under it are not
    # called unknown.
    assert "runbooks/store.yaml:" in lint.stdout and "RB430" in lint.stdout and "'shop'" in lint.stdout
    assert "RB651" not in lint.stdout
