"""Fitting into the tools teams already use: pre-commit, GitHub Actions, editors, scaffolding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.changes import changed_files, select_changed
from generator.cli import main
from generator.project import load_catalog

REPO = Path(__file__).resolve().parents[1]
GOOD = """\
kind: runbook
id: {id}
title: A runbook
summary: Use when the thing breaks.
owner: platform-team
steps:
  - id: look
    title: Look around
    run: echo hello
"""


def run(cmd, cwd, **kwargs):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, **kwargs)


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    run(["git", "init", "-q", "-b", "main"], path, check=True)
    run(["git", "config", "user.email", "t@example.com"], path, check=True)
    run(["git", "config", "user.name", "Test"], path, check=True)
    return path


def commit_all(path: Path, message: str = "commit") -> None:
    run(["git", "add", "-A"], path, check=True)
    run(["git", "commit", "-q", "-m", message], path, check=True)


def test_workflow_is_a_valid_github_workflow():
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert workflows
    done = run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, workflows)], REPO)
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_gates_pull_requests_and_publishes_main():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "runbooks.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # PyYAML reads `on:` as True
    assert "pull_request" in triggers
    text = (REPO / ".github" / "workflows" / "runbooks.yml").read_text()
    for needed in ("runbook lint --format github", "--format sarif", "upload-sarif", ".ci/run",
                   "runbook build --strict", "deploy-pages"):
        assert needed in text


def test_pre_commit_hook_definition():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "runbook-lint" and hook["entry"] == "runbook lint"
    assert hook["language"] == "python" and hook["require_serial"] is True


def test_pre_commit_try_repo_rejects_a_broken_runbook_and_passes_a_clean_one(tmp_path):
    project = git_repo(tmp_path / "project")
    (project / "runbooks").mkdir()
    (project / "runbooks" / "clean.yaml").write_text(GOOD.format(id="clean"))
    commit_all(project)
    args = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "runbook-lint", "--all-files"]
    clean = run(args, project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "runbook lint" in clean.stdout and "Passed" in clean.stdout
    (project / "runbooks" / "broken.yaml").write_text(GOOD.format(id="broken").replace("run:", "rnu:"))
    commit_all(project)
    broken = run(args, project)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout and "runbooks/broken.yaml:9:5" in broken.stdout and "'rnu'" in broken.stdout


def test_vscode_maps_every_shipped_runbook_to_a_schema():
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text())
    mapped = {}
    for schema, globs in settings["yaml.schemas"].items():
        assert (REPO / schema).is_file()
        for pattern in globs:
            for path in REPO.glob(pattern):
                mapped[path] = Path(schema).name
    for path in (REPO / "runbooks").rglob("*.yaml"):
        kind = yaml.safe_load(path.read_text())["kind"]
        assert mapped.get(path) == f"{kind}.schema.json", f"{path} is not mapped to its schema"


def test_every_shipped_file_has_the_schema_modeline():
    for path in (REPO / "runbooks").rglob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target.is_file(), f"{path}: modeline points at {target}"


def test_new_writes_a_runbook_that_lints_clean_and_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "ops"\n')
    runner = CliRunner()
    made = runner.invoke(main, ["new", "checkout-api", "--service", "checkout", "--owner", "shop-team"])
    assert made.exit_code == 0, made.output
    path = tmp_path / "ops" / "checkout-api.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert "service: checkout" in text and "owner: shop-team" in text
    linted = runner.invoke(main, ["lint", "--format", "text", "ops"])
    assert linted.exit_code == 0, linted.output
    again = runner.invoke(main, ["new", "checkout-api"])
    assert again.exit_code == 2 and "already exists" in again.output
    assert path.read_text() == text


@pytest.mark.parametrize("args", [["new", "Bad_Id"], ["new", "ok-id", "--owner", "Shop Team"]], ids=["id", "owner"])
def test_new_refuses_names_that_are_not_kebab_case(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "kebab-case" in result.output and "Traceback" not in result.output


def test_changed_selects_changed_runbooks_and_their_referrers(tmp_path):
    repo = git_repo(tmp_path / "repo")
    folder = repo / "runbooks"
    folder.mkdir()
    (folder / "alpha.yaml").write_text(GOOD.format(id="alpha"))
    (folder / "beta.yaml").write_text(GOOD.format(id="beta") + "related: [alpha]\n")
    (folder / "gamma.yaml").write_text(GOOD.format(id="gamma"))
    commit_all(repo)
    run(["git", "checkout", "-q", "-b", "feature"], repo, check=True)
    (folder / "alpha.yaml").write_text(GOOD.format(id="alpha").replace("A runbook", "Alpha"))
    changed, deleted = changed_files(repo, "main")
    assert [p.name for p in changed] == ["alpha.yaml"] and deleted == []
    catalog = load_catalog([folder])
    assert [p.name for p in select_changed(catalog, changed, deleted)] == ["alpha.yaml", "beta.yaml"]


def test_lint_changed_through_the_cli(tmp_path, monkeypatch):
    repo = git_repo(tmp_path / "repo")
    folder = repo / "runbooks"
    folder.mkdir()
    (repo / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n')
    (folder / "alpha.yaml").write_text(GOOD.format(id="alpha"))
    (folder / "beta.yaml").write_text(GOOD.format(id="beta") + "related: [alpha]\n")
    (folder / "gamma.yaml").write_text(GOOD.format(id="gamma").replace("echo hello", "echo $UNDECLARED"))
    commit_all(repo)
    run(["git", "checkout", "-q", "-b", "feature"], repo, check=True)
    monkeypatch.chdir(repo)
    runner = CliRunner()
    nothing = runner.invoke(main, ["lint", "--changed", "--base", "main"])
    assert nothing.exit_code == 0 and "no runbooks changed" in nothing.output
    (folder / "alpha.yaml").unlink()  # beta now points at a runbook that is gone
    result = runner.invoke(main, ["lint", "--changed", "--base", "main", "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert {f["path"] for f in report["findings"]} == {"runbooks/beta.yaml"}  # gamma's problem is not part of the change
    assert runner.invoke(main, ["lint", "--changed", "--base", "no-such-ref"]).exit_code == 2
    assert runner.invoke(main, ["lint", "--base", "main"]).exit_code == 2


OTHER_RUNBOOK = """\
kind: runbook
id: queue-backlog
title: Queue backlog
summary: Use when the job queue grows.
service: jobs
owner: jobs-team
variables:
  QUEUE: {description: Queue name, default: default}
steps:
  - id: depth
    title: Show the queue depth
    run: echo "depth of $QUEUE is 0"
  - id: drain
    title: Drain the queue
    risk: destructive
    confirm: Drops every queued job; they must be re-enqueued from the source.
    run: echo "drained $QUEUE"
"""


def test_another_repository_with_its_own_settings(tmp_path):
    """lint, build and exec in a project that has only pyproject.toml and its runbooks (no mkdocs.yml, no docs)."""
    project = tmp_path / "ops-repo"
    (project / "ops" / "rb").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.runbook]\nrunbooks = "ops/rb"\ntranscripts = "ops/sessions"\n'
        '[tool.runbook.lint]\nignore = ["RB501"]\ndestructive-patterns = ["\\\\bdrained\\\\b"]\n')
    (project / "ops" / "rb" / "queue-backlog.yaml").write_text(OTHER_RUNBOOK)
    cli = [sys.executable, "-c", "from generator.cli import main; main()"]

    lint = run([*cli, "lint"], project)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    (project / "ops" / "rb" / "unmarked.yaml").write_text(
        OTHER_RUNBOOK.replace("queue-backlog", "unmarked").replace("    risk: destructive\n", ""))
    flagged = run([*cli, "lint", "--format", "json"], project)
    assert flagged.returncode == 1
    assert [f["code"] for f in json.loads(flagged.stdout)["findings"]] == ["RB401"]  # the configured pattern
    (project / "ops" / "rb" / "unmarked.yaml").unlink()

    build = run([*cli, "build", "--strict"], project)
    assert build.returncode == 0, build.stdout + build.stderr
    pages = list((project / "site").rglob("queue-backlog/index.html"))
    assert pages, sorted(str(p) for p in (project / "site").rglob("*.html"))[:20]
    html = pages[0].read_text()
    assert 'id="step-drain"' in html and "runbooks.css" in html
    assert (project / "site" / "index.html").is_file()

    exec_run = run([*cli, "exec", "jobs", "--yes"], project)
    assert exec_run.returncode == 1  # --yes stops before the destructive step
    sessions = list((project / "ops" / "sessions").glob("*.jsonl"))
    assert len(sessions) == 1
    events = [json.loads(line) for line in sessions[0].read_text().splitlines()]
    assert events[0]["runbook"] == "queue-backlog"
    assert any(e.get("step") == "depth" and e.get("status") == "succeeded" for e in events)
