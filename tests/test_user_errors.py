"""One error path: a user's mistake anywhere in the library is a UserError, printed by the CLI as one line
(`runbook: ...` or `path:line:col: ...`) with its exit code; mkdocs.yml's plugin options and lint's
per-file-ignores patterns are checked like every other input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from generator.errors import UserError

RUNBOOK = """\
kind: runbook
id: {id}
title: T
summary: S.
owner: team
steps:
  - {{id: one, title: One, run: kubectl get pods -n $NS}}
"""


@pytest.mark.parametrize("error, line", [
    (UserError("--from x: no such step"), "runbook: --from x: no such step"),
    (UserError("cannot read", path="a.yaml"), "runbook: a.yaml: cannot read"),
    (UserError("not a transcript line", path="t.jsonl", line=3), "t.jsonl:3: not a transcript line"),
    (UserError("bad value", path="m.yml", line=3, col=7), "m.yml:3:7: bad value"),
])
def test_one_message_shape(error, line):
    assert error.for_user() == line and error.exit_code == 2


def test_library_errors_are_user_errors():
    from generator.config import ConfigError
    from generator.execute.transcript import TranscriptError
    from generator.execute.variables import VariableError
    from generator.importing.command import UsageError
    from generator.project import ResolveError

    for kind in (ConfigError, ResolveError, VariableError, TranscriptError, UsageError):
        assert issubclass(kind, UserError), kind


def test_a_broken_transcript_line_is_path_line_and_exit_2(project):
    bad = project.root / "t.jsonl"
    bad.write_text('{"event": "session-start", "time": "x", "runbook": "a"}\nnot json\n{"event": "x", "time": "y"}\n')
    result = project.run("transcript", str(bad))
    assert result.returncode == 2 and result.stderr == f"{bad}:2: not a transcript line (expected one JSON event with `event` and `time`)\n"


@pytest.mark.parametrize("pattern, flagged", [
    ("runbooks/*.yaml", ["runbooks/nested/b.yaml"]),  # `*` stays in one folder (fnmatch's crossed `/`)
    ("runbooks/**/*.yaml", []),
    ("runbooks/**", []),
    ("*.yaml", []),  # no slash: any depth, as in .gitignore
    ("runbooks/nested", ["runbooks/a.yaml"]),  # a folder: the files below it
    ("/runbooks/nested/*.yaml", ["runbooks/a.yaml"]),
    ("nested/*.yaml", ["runbooks/a.yaml", "runbooks/nested/b.yaml"]),  # with a slash: from the project root
])
def test_per_file_ignores_use_gitignore_patterns(project, pattern, flagged):
    (project.root / "runbooks" / "nested").mkdir()
    (project.root / "runbooks" / "a.yaml").write_text(RUNBOOK.format(id="a"))
    (project.root / "runbooks" / "nested" / "b.yaml").write_text(RUNBOOK.format(id="b"))
    (project.root / "pyproject.toml").write_text(f"[tool.runbook.lint]\nper-file-ignores = {{'{pattern}' = ['RB301']}}\n")
    result = project.run("lint", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert sorted(f["path"] for f in findings if f["code"] == "RB301") == flagged, result.stdout + result.stderr


def test_a_broken_per_file_ignores_pattern_is_one_line_and_exit_2(project):
    (project.root / "runbooks" / "a.yaml").write_text(RUNBOOK.format(id="a"))
    (project.root / "pyproject.toml").write_text("[tool.runbook.lint]\nper-file-ignores = {'runbooks/[z-a].yaml' = ['RB301']}\n")
    result = project.run("lint")
    assert result.returncode == 2
    assert result.stderr.startswith("runbook: [tool.runbook.lint] per-file-ignores: 'runbooks/[z-a].yaml' is not a valid pattern")
    assert len(result.stderr.splitlines()) == 1


MKDOCS = """\
site_name: Demo
theme:
  name: material
plugins:
  - runbooks:
      review_interval: {value}
"""


def _site_project(project, value: str):
    (project.root / "runbooks" / "a.yaml").write_text(RUNBOOK.format(id="a").replace("$NS", "default"))
    (project.root / "docs").mkdir()
    (project.root / "docs" / "index.md").write_text("# Home\n")
    (project.root / "mkdocs.yml").write_text(MKDOCS.format(value=value))


@pytest.mark.parametrize("command", [["build"], ["render", "out"], ["serve", "-a", "127.0.0.1:0"]])
def test_a_wrong_plugin_option_is_one_line_and_exit_2(project, command):
    _site_project(project, "soon")
    result = project.run(*command)
    mkdocs_yml = project.root / "mkdocs.yml"
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == (f"runbook: {mkdocs_yml}: Config value 'plugins': Plugin 'runbooks' option 'review_interval': "
                             "review_interval must be a number of days or weeks such as \"180d\", not 'soon'\n")


def test_a_wrong_plugin_option_is_a_clean_mkdocs_configuration_error(project):
    _site_project(project, "soon")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project.root, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "option 'review_interval': review_interval must be a number of days or weeks" in result.stderr
    assert "Aborted with a configuration error!" in result.stdout + result.stderr


def test_a_right_plugin_option_builds(project):
    _site_project(project, "30d")
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    assert (project.root / "site" / "runbooks" / "a" / "index.html").is_file()
