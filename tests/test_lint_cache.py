"""`runbook lint` answers an unchanged repository from its last run (.runbook/lint-cache.json), and never
an edited one: a changed runbook, setting or rule file gives the fresh answer."""

from __future__ import annotations

import json

RUNBOOK = """\
kind: runbook
id: demo
title: Demo
summary: S.
owner: team
steps:
  - {id: one, title: One, run: echo "$NS"}
"""


def lint_json(project, *args):
    result = project.run("lint", "--format", "json", *args)
    return result.returncode, json.loads(result.stdout)["findings"]


def codes(findings):
    return sorted(f["code"] for f in findings)


def test_the_second_run_of_an_unchanged_project_gives_the_same_answer_from_the_cache(project):
    project.runbook(RUNBOOK)
    first = lint_json(project)
    cache = project.root / ".runbook" / "lint-cache.json"
    assert cache.is_file()
    # Proof that the second answer is the cache's: findings written into it come back as they are.
    saved = json.loads(cache.read_text())
    saved["findings"][0]["message"] = "as the cache has it"
    cache.write_text(json.dumps(saved))
    code, findings = lint_json(project)
    assert code == first[0] == 1 and codes(findings) == codes(first[1]) == ["RB301"]
    assert findings[0]["message"] == "as the cache has it"


def test_an_edited_runbook_is_linted_again(project):
    path = project.runbook(RUNBOOK)
    assert codes(lint_json(project)[1]) == ["RB301"]
    path.write_text(RUNBOOK.replace("owner: team", "owner: team\nvariables:\n  NS: {description: namespace}"))
    assert lint_json(project) == (0, [])


def test_a_changed_setting_is_linted_again(project):
    project.runbook(RUNBOOK)
    assert codes(lint_json(project)[1]) == ["RB301"]
    (project.root / "pyproject.toml").write_text("[tool.runbook.lint]\nignore = ['RB301']\n")
    assert lint_json(project) == (0, [])


def test_a_new_file_is_linted(project):
    project.runbook(RUNBOOK)
    lint_json(project)
    project.runbook(RUNBOOK.replace("id: demo", "id: other"))
    assert [f["path"] for f in lint_json(project)[1]] == ["runbooks/demo.yaml", "runbooks/other.yaml"]


def test_a_broken_cache_file_is_ignored(project):
    project.runbook(RUNBOOK)
    (project.root / ".runbook").mkdir()
    (project.root / ".runbook" / "lint-cache.json").write_text("{not json")
    assert codes(lint_json(project)[1]) == ["RB301"]
