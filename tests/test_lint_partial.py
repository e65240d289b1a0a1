"""One error never hides the others: lint checks the valid parts of an invalid document (generator/partial.py),
while the site and the executor still only ever get fully valid documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.loading import load_text
from generator.partial import partial_document
from generator.project import ResolveError, load_catalog
from generator.schema import check

TWO_ERRORS = """kind: runbook
id: two-errors
title: Two errors
summary: A misspelt key and a duplicate step id.
owner: team-a
stpes_typo: 1
steps:
  - id: check
    title: Check
    run: "true"
  - id: check
    title: Check again
    run: "true"
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.runbook]\nrunbooks = \"runbooks\"\n", encoding="utf-8")
    (tmp_path / "runbooks").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def lint(*args):
    result = CliRunner().invoke(main, ["lint", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write(project: Path, name: str, text: str) -> Path:
    path = project / "runbooks" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_text_reports_the_unknown_key_and_the_duplicate_step(project):
    write(project, "two-errors.yaml", TWO_ERRORS)
    result = lint("--format", "text")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("runbooks/two-errors.yaml:6:1: RB100 [error] unknown property 'stpes_typo'")
    assert lines[1] == "runbooks/two-errors.yaml:11:9: RB203 [error] step id 'check' is used twice (first on line 8)"
    assert lines[2] == "1 file(s) checked, 2 finding(s): 2 error(s)"


def test_json_reports_both(project):
    write(project, "two-errors.yaml", TWO_ERRORS)
    result = lint("--format", "json")
    found = [(f["code"], f["line"], f["pointer"]) for f in json.loads(result.output)["findings"]]
    assert found == [("RB100", 6, "/stpes_typo"), ("RB203", 11, "/steps/1/id")]


def test_github_reports_both(project):
    write(project, "two-errors.yaml", TWO_ERRORS)
    lines = lint("--format", "github").output.splitlines()
    assert lines[0].startswith("::error file=runbooks/two-errors.yaml,line=6,col=1,title=RB100::unknown property 'stpes_typo'")
    assert lines[1].startswith("::error file=runbooks/two-errors.yaml,line=11,col=9,title=RB203::step id 'check' is used twice")


def test_sarif_reports_both(project):
    write(project, "two-errors.yaml", TWO_ERRORS)
    run = json.loads(lint("--format", "sarif").output)["runs"][0]
    found = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert found == [("RB100", 6), ("RB203", 11)]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"RB100", "RB203"} <= rules


def test_the_site_and_the_executor_never_get_the_partial_document(project):
    path = write(project, "two-errors.yaml", TWO_ERRORS)
    catalog = load_catalog([project / "runbooks"])
    assert catalog.documents == [] and [p.document.id for p in catalog.partial] == ["two-errors"]
    assert [d.id for d in catalog.lintable] == ["two-errors"]
    with pytest.raises(ResolveError):
        catalog.resolve("two-errors")
    from generator.site.catalog import CatalogErrors, load_site_source

    with pytest.raises(CatalogErrors) as refused:
        load_site_source(project)
    assert [f.code for f in refused.value.findings] == ["RB100", "RB203"]
    for name in ("two-errors", str(path)):
        result = CliRunner().invoke(main, ["exec", name, "--yes"])
        assert result.exit_code == 1
        assert "RB100" in result.output and "is not a valid runbook" in result.output


def partial(text: str):
    source = load_text(text, "x.yaml")
    validation = check(source)
    flagged = [f.pointer for f in source.findings if f.severity == "error"]
    return partial_document(source.data, source.path, source.sha256, validation.errors, flagged)


def test_repair_removes_unknown_keys_fills_missing_ones_and_neutralises_bad_values():
    result = partial("""kind: runbook
id: x
summary: S
owner: team-a
colour: red
variables:
  lower: {description: bad name}
  PORT: {description: the port, default: 5432}
steps:
  - {id: a, run: "true", timeout: soon, rsik: destructive}
  - not a step
""")
    runbook, damage = result.document, result.damage
    # `rsik` misspells `risk`: the author's risk is not known either.
    assert damage.replaced == {"/colour", "/title", "/variables/lower", "/variables/PORT/default",
                               "/steps/0/title", "/steps/0/timeout", "/steps/0/rsik", "/steps/0/risk", "/steps/1"}
    assert runbook.title == "" and [v.name for v in runbook.variables] == ["PORT"]
    assert [s.id for s in runbook.steps] == ["a", ""]  # the broken item keeps its place: pointers stay right
    assert runbook.steps[1].pointer == "/steps/1" and runbook.steps[0].timeout == 0
    assert damage.replaced_at("/steps/1/id") and not damage.replaced_at("/steps/0/id")
    assert damage.touches("/steps") and not damage.touches("/owner")


def test_no_partial_document_when_nothing_sound_can_be_built():
    # A key the loader could not read at the top level (a merge key) leaves no sound mapping.
    assert partial("kind: runbook\n<<: {id: x}\n") is None


def lint_one(project, text: str, *args) -> list[str]:
    write(project, "doc.yaml", text)
    result = lint("--format", "json", "--today", "2026-06-01", *args)
    return [f"{f['code']}@{f['line']}" for f in json.loads(result.output)["findings"]]


HEAD = "kind: runbook\nid: doc\ntitle: T\nsummary: S\nowner: team-a\n"


@pytest.mark.parametrize("body, expected", [
    pytest.param("variables:\n  NS: {description: n, secret: maybe}\nsteps:\n  - {id: a, title: A, run: echo \"$NS\"}\n",
                 ["RB100@7"], id="a-broken-variable-is-still-declared"),
    pytest.param("variables:\n  ns: {description: n}\nsteps:\n  - {id: a, title: A, run: echo \"$ns\"}\n",
                 ["RB100@7"], id="a-variable-with-a-bad-name-is-not-called-undeclared"),
    pytest.param("variables:\n  NS: {description: n}\nsteps:\n  - {id: a, title: A, rnu: echo \"$NS\"}\n",
                 ["RB100@9", "RB100@9"], id="no-unused-variable-when-a-misspelt-run-may-use-it"),
    pytest.param("variables:\n  NS: {description: n}\nsteps:\n  - {id: a, title: A, run: \"true\", timeout: x}\n",
                 ["RB100@9", "RB302@7"], id="unused-variable-still-found-when-no-command-is-missing"),
    pytest.param("steps:\n  - {id: a, title: A, risk: destrcutive, run: kubectl delete pod x}\n",
                 ["RB100@7"], id="a-misspelt-risk-is-not-also-an-unmarked-destructive-step"),
    pytest.param("steps:\n  - {id: a, title: A, risk: destructive, confirm: 5, run: kubectl delete pod x}\n",
                 ["RB100@7"], id="a-bad-confirm-is-not-also-a-missing-one"),
    pytest.param("steps:\n  - {id: a, title: A, rsik: destructive, run: kubectl delete pod x}\n",
                 ["RB100@7"], id="a-misspelt-risk-key-is-not-also-an-unmarked-destructive-step"),
    pytest.param("varaibles:\n  NS: {description: n}\nsteps:\n  - {id: a, title: A, run: echo \"$NS\"}\n",
                 ["RB100@6"], id="no-undeclared-variable-under-a-misspelt-variables-key"),
    pytest.param("steps:\n  - {id: a, title: A, run: \"true\", captrue: OUT}\n  - {id: b, title: B, run: echo \"$OUT\"}\n",
                 ["RB100@7"], id="no-undeclared-variable-after-a-misspelt-capture-key"),
    pytest.param("last_reviewed: 2020-01-01\ncolour: red\nsteps:\n  - {id: a, title: A, run: \"true\"}\n",
                 ["RB501@6", "RB100@7"], id="stale-review-next-to-an-unknown-key"),
    pytest.param("last_reviewed: 2020-01-01\nreview_interval: 1 year\nsteps:\n  - {id: a, title: A, run: \"true\"}\n",
                 ["RB100@7"], id="no-stale-review-against-a-bad-interval"),
    pytest.param("colour: red\nsteps:\n  - {id: a, title: A, run: echo \"$MISSING\"}\n",
                 ["RB100@6", "RB301@8"], id="undeclared-variable-next-to-an-unknown-key"),
    pytest.param("colour: red\nsteps:\n  - {id: a, title: A, run: 'kubectl delete pod x'}\n",
                 ["RB100@6", "RB401@8"], id="unmarked-destructive-next-to-an-unknown-key"),
    pytest.param("steps:\n  - {id: a, title: A, capture: lower, run: \"true\"}\n  - {id: b, title: B, run: echo \"$X\"}\n",
                 ["RB100@7"], id="no-undeclared-variable-after-a-broken-capture"),
    pytest.param("notes:\n  token: ghp_0123456789abcdefghijABCDEFGHIJ0123456789\nsteps:\n  - {id: a, title: A, run: \"true\"}\n",
                 ["RB100@6", "RB405@7"], id="a-secret-under-an-unknown-key-is-still-reported"),
])
def test_rules_skip_only_what_depends_on_the_broken_node(project, body, expected):
    assert sorted(lint_one(project, HEAD + body)) == sorted(expected)


def test_references_to_a_document_with_a_broken_id_resolve_by_its_file_name(project):
    write(project, "target.yaml", HEAD.replace("id: doc", "id: Target_Bad") + "steps:\n  - {id: a, title: A, run: \"true\"}\n")
    found = lint_one(project, HEAD + "related: [target]\nsteps:\n  - {id: a, title: A, run: \"true\"}\n")
    assert found == ["RB100@2"]  # target.yaml's id, and no RB205 in doc.yaml


def test_references_to_a_partial_document_resolve(project):
    # Before: a document with a schema error vanished, so every runbook pointing at it got RB205 as well.
    write(project, "target.yaml", HEAD.replace("id: doc", "id: target") + "colour: red\nsteps:\n  - {id: a, title: A, run: \"true\"}\n")
    found = lint_one(project, HEAD + "related: [target]\nsteps:\n  - {id: a, title: A, run: \"true\"}\n")
    assert found == ["RB100@6"]  # target.yaml's unknown key, and no RB205 in doc.yaml


def test_a_suppression_is_not_called_unused_where_the_rules_could_not_all_run(project):
    # The suppressed RB401 is skipped because the risk is misspelt; RB901 would blame the suppression.
    found = lint_one(project, HEAD + "steps:\n  - id: a\n    title: A\n    risk: destrcutive\n"
                              "    run: kubectl delete pod x  # runbook: disable=RB401 -- one pod\n")
    assert found == ["RB100@9"]
    write(project, "broken.yaml", "kind: runbook\nid: [\n# runbook: disable=RB302 -- x\n")
    assert "RB901" not in str(lint("--format", "json").output)
    # In a valid document an unused suppression is still reported.
    found = lint_one(project, HEAD + "steps:\n  - {id: a, title: A, run: \"true\"}  # runbook: disable=RB401 -- x\n")
    assert "RB901@7" in found
