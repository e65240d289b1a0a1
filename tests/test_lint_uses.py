"""Lint of `uses`/`with` (RB430-RB436): messages with "did you mean", a cycle reported once with its path, line
and column in every format, `lint --changed` checking a caller again, and the calls library (risk, cycles)."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest
from click.testing import CliRunner

from generator.calls import Calls, describe_cycle, reference, with_values
from generator.cli import main
from generator.project import load_catalog

CALLEE = """\
kind: runbook
id: rollback-app
title: Roll back
summary: S.
owner: team-a
variables:
  DEPLOYMENT: {description: Deployment}
  NAMESPACE: {description: Namespace, default: production}
  TICKET: {description: Change ticket}
steps:
  - {id: history, title: History, run: 'echo "$DEPLOYMENT" "$NAMESPACE"'}
  - {id: undo, title: Undo, risk: destructive, confirm: Replaces the pods with the previous version., run: 'echo "$DEPLOYMENT" "$TICKET"'}
"""


def lint(tmp_path, monkeypatch, files: dict[str, str], *args: str):
    folder = tmp_path / "runbooks"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n[tool.runbook.lint]\nignore = ["SC"]\n')
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["lint", "--today", "2026-06-01", *args])


def findings(result) -> list[tuple[str, int, int, str]]:
    report = json.loads(result.output)
    return [(f["code"], f["line"], f["column"], f["message"]) for f in report["findings"]]


def caller(steps: str, variables: str = "  SERVICE: {description: Service, default: shop}\n") -> str:
    return ("kind: runbook\nid: caller\ntitle: Caller\nsummary: S.\nowner: team-a\nvariables:\n" + variables
            + "steps:\n" + textwrap.dedent(steps))


def test_unknown_runbook_and_step_say_what_was_meant(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, {"rollback-app": CALLEE, "caller": caller("""\
        - {id: a, title: A, uses: rollbak-app, with: {DEPLOYMENT: "$SERVICE"}}
        - {id: b, title: B, uses: 'rollback-app#histroy', with: {DEPLOYMENT: "$SERVICE"}}
        - {id: c, title: C, uses: 'rollback-app#nothing-like-it', with: {DEPLOYMENT: "$SERVICE"}}
        """)}, "--format", "json")
    assert result.exit_code == 1
    got = findings(result)
    assert ("RB430", 9, 27, "step a uses runbook 'rollbak-app', which does not exist; did you mean 'rollback-app'?") in got
    # The column of an unknown step points after the `#`.
    assert ("RB431", 10, 41, "runbook rollback-app has no step 'histroy'; did you mean rollback-app#history?") in got
    assert ("RB431", 11, 41, "runbook rollback-app has no step 'nothing-like-it'; its steps: history, undo") in got


def test_with_keys_and_references(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, {"rollback-app": CALLEE, "caller": caller("""\
        - {id: v, title: V, run: echo 1, capture: VERSION}
        - id: a
          title: A
          uses: rollback-app
          with:
            DEPLOYMNT: "$SERVICE"
            TICKET: "$SERVCE"
            NAMESPACE: "$VERSION"
        """)}, "--format", "json", "--fail-on", "info")
    got = findings(result)
    assert ("RB433", 14, 5, "rollback-app declares no variable DEPLOYMNT; did you mean DEPLOYMENT?") in got
    assert ("RB434", 15, 13, "`with` passes $SERVCE to TICKET, but caller declares no variable SERVCE; did you mean "
            "$SERVICE?") in got
    assert ("RB435", 12, 9, "rollback-app needs DEPLOYMENT (Deployment) and this call does not pass it in `with`; "
            "runbook exec takes it from the environment or asks for it") in got
    assert not any(code == "RB434" and "VERSION" in message for code, _, _, message in got)  # a capture may be passed
    assert not any(code == "RB302" for code, *_ in got)  # SERVICE is used: it is passed on


def test_required_variable_of_a_single_called_step(tmp_path, monkeypatch):
    """Only the variables the called step reads count: `#history` needs DEPLOYMENT, not TICKET."""
    result = lint(tmp_path, monkeypatch, {"rollback-app": CALLEE, "caller": caller("""\
        - {id: a, title: A, uses: 'rollback-app#history'}
        """)}, "--format", "json", "--fail-on", "info")
    assert [(code, message.split(" (")[0]) for code, _, _, message in findings(result) if code.startswith("RB43")] == [
        ("RB435", "rollback-app needs DEPLOYMENT")]


def test_uses_with_its_own_fields(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, {"rollback-app": CALLEE, "caller": caller("""\
        - id: a
          title: A
          uses: rollback-app
          with: {DEPLOYMENT: "$SERVICE", TICKET: T-1}
          checklist: [Done]
          risk: read-only
        """)}, "--format", "json")
    # A `risk` is checked against the calls' risk (the highest inside): one that differs is its own finding.
    assert findings(result) == [("RB436", 13, 3, "step a uses rollback-app and also has `checklist`; a `uses` "
                                 "step runs the called steps only: move them to a step of their own"),
                                ("RB436", 14, 3, "step a says `risk: read-only`, but the steps rollback-app runs make it "
                                 "destructive: a call's risk is the highest risk of the steps it calls; remove `risk`")]


def test_a_cycle_is_reported_once_with_its_path(tmp_path, monkeypatch):
    def runbook(name: str, target: str) -> str:
        return (f"kind: runbook\nid: {name}\ntitle: T\nsummary: S.\nowner: team-a\n"
                f"steps:\n  - {{id: start, title: Start, run: 'true'}}\n  - {{id: go, title: Go, uses: {target}}}\n")

    result = lint(tmp_path, monkeypatch, {"alpha": runbook("alpha", "beta"), "beta": runbook("beta", "gamma"),
                                          "gamma": runbook("gamma", "alpha")}, "--format", "json")
    got = findings(result)
    assert got == [("RB432", 8, 31, "runbooks call each other in a cycle: alpha (step go) -> beta (step go) -> gamma "
                    "(step go) -> alpha; write the shared steps once in a runbook that both call")]
    # Linting one file of the cycle still finds it (the others are read as references), once, in that file.
    result = lint(tmp_path, monkeypatch, {}, "--format", "json", "runbooks/gamma.yaml")
    assert [(code, line) for code, line, _, _ in findings(result)] == [("RB432", 8)]
    assert json.loads(result.output)["findings"][0]["path"] == "runbooks/gamma.yaml"


def test_a_step_that_calls_its_own_runbook(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, {"caller": caller("""\
        - {id: a, title: A, run: 'echo "$SERVICE"'}
        - {id: b, title: B, uses: caller}
        """)}, "--format", "json")
    assert [(code, message) for code, _, _, message in findings(result)] == [
        ("RB432", "runbooks call each other in a cycle: caller (step b) -> caller; write the shared steps once in a "
                  "runbook that both call")]


@pytest.mark.parametrize("output_format, expected", [
    ("text", "runbooks/caller.yaml:9:27: RB430"),
    ("github", "::error file=runbooks/caller.yaml,line=9,col=27"),
])
def test_line_and_column_in_every_format(tmp_path, monkeypatch, output_format, expected):
    result = lint(tmp_path, monkeypatch, {"caller": caller("""\
        - {id: a, title: A, uses: rollbak-app}
        """)}, "--format", output_format)
    assert result.exit_code == 1
    assert expected in result.output


def test_sarif_region(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, {"caller": caller("""\
        - {id: a, title: A, uses: rollbak-app}
        """)}, "--format", "sarif")
    run = json.loads(result.output)["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "RB430")
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (9, 27)
    assert any(rule["id"] == "RB436" for rule in run["tool"]["driver"]["rules"])


def test_explain_and_schema(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    explained = CliRunner().invoke(main, ["lint", "--explain", "RB432"])
    assert explained.exit_code == 0 and "cycle" in explained.output
    # `with` without `uses` is a schema error at its line.
    result = lint(tmp_path, monkeypatch, {"caller": caller("""\
        - {id: a, title: A, run: 'echo "$SERVICE"', with: {X: y}}
        """)}, "--format", "json")
    assert [(code, line) for code, line, _, _ in findings(result)] == [("RB100", 9)]


def test_changed_lints_the_callers_of_a_changed_runbook(tmp_path, monkeypatch):
    files = {"rollback-app": CALLEE, "caller": caller("""\
        - {id: a, title: A, uses: rollback-app, with: {DEPLOYMENT: "$SERVICE", TICKET: T-1}}
        """)}
    assert lint(tmp_path, monkeypatch, files).exit_code == 0
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tmp_path, check=True)
    # The callee drops TICKET: only the callee changed, but the caller's `with` is now wrong.
    callee = tmp_path / "runbooks" / "rollback-app.yaml"
    callee.write_text(CALLEE.replace("  TICKET: {description: Change ticket}\n", "").replace(' "$TICKET"', ""))
    result = CliRunner().invoke(main, ["lint", "--changed", "--base", "HEAD", "--format", "json", "--today", "2026-06-01"])
    assert [(f["code"], f["path"]) for f in json.loads(result.output)["findings"]] == [("RB433", "runbooks/caller.yaml")]


def test_calls_library(tmp_path):
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "rollback-app.yaml").write_text(CALLEE)
    (folder / "caller.yaml").write_text(caller("""\
        - {id: a, title: A, uses: rollback-app, with: {DEPLOYMENT: "$SERVICE", NAMESPACE: "${SERVICE}", TICKET: "$NONE"}}
        - {id: b, title: B, uses: 'rollback-app#history', with: {DEPLOYMENT: literal text}}
        """))
    catalog = load_catalog([folder])
    calls = Calls(catalog.runbooks)
    a, b = catalog.resolve("caller").steps
    assert calls.risk(a) == "destructive" and calls.risk(b) == "read-only"
    assert [s.id for s in calls.resolve(b).steps] == ["history"]
    assert [v.name for v in calls.resolve(b).needed_variables()] == ["DEPLOYMENT", "NAMESPACE"]
    assert with_values(a, {"SERVICE": "shop"}) == {"DEPLOYMENT": "shop", "NAMESPACE": "shop"}  # $NONE: not given
    assert with_values(b, {}) == {"DEPLOYMENT": "literal text"}
    assert (reference("$A_1"), reference("${B}"), reference("x$A"), reference("$a")) == ("A_1", "B", None, "a")
    assert calls.cycles(catalog.runbooks) == []
    self_call = catalog.resolve("caller")
    assert describe_cycle([(self_call, a)]) == "caller (step a) -> caller"


def test_the_shipped_runbooks_write_each_shared_procedure_once():
    """The service runbooks call the restart, the rollback and the workload diagnostics instead of repeating
    them (bench/repeated_commands.py prints the counts; 25 repeated commands before `uses`, 8 after)."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("repeated_commands", root / "bench" / "repeated_commands.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found = module.repeated(root / "runbooks")
    shared = {"application-rollback", "service-restart", "kubernetes-workloads", "rabbitmq"}
    assert not {command: ids for command, ids in found.items() if shared & set(ids)}
    assert len(found) <= 8
