"""Real MkDocs builds in a temporary project: `runbook build`, `runbook render` + plain `mkdocs build`,
broken runbooks failing the build with lint's lines, edit links, and the shipped site in strict mode."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]

GOOD = """\
kind: runbook
id: cache
title: Cache
summary: Use when the cache is down.
service: cache
owner: platform-team
tags: [cache]
alerts: [CacheDown]
last_reviewed: "2026-01-01"
steps:
  - id: ping
    title: Ping
    run: redis-cli ping
  - id: flush
    title: Flush
    risk: destructive
    confirm: Drops everything.
    run: redis-cli FLUSHALL
"""

MKDOCS = """\
site_name: Test runbooks
{extra}
theme:
  name: material
  custom_dir: site-overrides
  features: [content.code.copy]
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc: {{permalink: true}}
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.tasklist: {{custom_checkbox: true}}
plugins:
  - search
  - tags
  - runbooks
"""


def run(args, cwd, check_rc=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    if check_rc is not None:
        assert result.returncode == check_rc, result.stdout + result.stderr
    return result


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n')
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "cache.yaml").write_text(GOOD)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n<!-- runbooks:services -->\n")
    shutil.copytree(REPO / "site-overrides", tmp_path / "site-overrides")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS.format(extra=""))
    return tmp_path


def warnings(log: str) -> list[str]:
    """MkDocs' own warnings (`WARNING -  ...`), not Material's banner about its end of life."""
    return re.findall(r"^WARNING\s+-.*$", log, re.M)


def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def test_build_generates_pages_without_touching_docs(project):
    before = sorted(p.name for p in (project / "docs").rglob("*"))
    result = run([*CLI, "build", "--strict"], project, 0)
    site = project / "site"
    page = (site / "runbooks" / "cache" / "index.html").read_text()
    assert 'id="step-flush"' in page and "FLUSHALL" in page
    assert (site / "alerts" / "cachedown" / "index.html").is_file()
    assert "Cache" in (site / "index.html").read_text()  # the services marker was expanded
    assert sorted(p.name for p in (project / "docs").rglob("*")) == before
    assert not warnings(result.stderr)


def test_broken_runbook_fails_with_lint_lines(project):
    (project / "runbooks" / "bad.yaml").write_text(GOOD.replace("id: cache", "id: bad").replace("run: redis-cli ping", "rnu: redis-cli ping"))
    lint = run([*CLI, "lint"], project, 1)
    lint_lines = [line for line in lint.stdout.splitlines() if "[error]" in line]
    assert lint_lines and re.match(r"runbooks/bad\.yaml:\d+:\d+: RB\d+ \[error\] ", lint_lines[0])
    build = run([*CLI, "build"], project, 1)
    for line in lint_lines:
        assert line in build.stderr
    assert "Traceback" not in build.stderr
    mkdocs = run([sys.executable, "-m", "mkdocs", "build"], project, 1)
    assert lint_lines[0] in mkdocs.stderr + mkdocs.stdout


def test_missing_runbooks_folder_without_mkdocs_yml_is_a_usage_error(project):
    (project / "mkdocs.yml").unlink()
    shutil.rmtree(project / "runbooks")
    result = run([*CLI, "build"], project, 2)
    assert "no runbooks folder here" in result.stderr and "Traceback" not in result.stderr


def test_edit_link_points_at_the_yaml(project):
    (project / "mkdocs.yml").write_text(MKDOCS.format(
        extra="repo_url: https://git.example.com/ops/runbooks\nedit_uri: edit/main/docs/"))
    run([*CLI, "build", "--strict"], project, 0)
    page = (project / "site" / "runbooks" / "cache" / "index.html").read_text()
    assert 'href="https://git.example.com/ops/runbooks/edit/main/runbooks/cache.yaml"' in page


def test_render_keeps_edit_links_on_the_yaml(project):
    # Plain MkDocs computes edit links from docs/*.md; the pages carry the YAML's address themselves.
    (project / "mkdocs.yml").write_text(MKDOCS.format(
        extra="repo_url: https://github.com/ops/runbooks"))  # MkDocs' default edit_uri: edit/master/docs/
    out = project / "out"
    run([*CLI, "render", str(out)], project, 0)
    assert 'runbook_edit_url: "https://github.com/ops/runbooks/edit/master/runbooks/cache.yaml"' in (
        out / "docs" / "runbooks" / "cache.md").read_text()
    run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(out / "mkdocs.yml")], out, 0)
    plain = (out / "site" / "runbooks" / "cache" / "index.html").read_text()
    assert 'href="https://github.com/ops/runbooks/edit/master/runbooks/cache.yaml"' in plain
    run([*CLI, "build", "--strict"], project, 0)
    built = (project / "site" / "runbooks" / "cache" / "index.html").read_text()
    assert 'href="https://github.com/ops/runbooks/edit/master/runbooks/cache.yaml"' in built


def test_render_builds_with_plain_mkdocs(project):
    run([*CLI, "build", "--strict"], project, 0)
    out = project / "out"
    run([*CLI, "render", str(out)], project, 0)
    config = (out / "mkdocs.yml").read_text()
    assert "runbooks" not in re.findall(r"^- (\S+)", config, re.M) and "- runbooks\n" not in config
    assert (out / "docs" / "runbooks" / "cache.md").is_file()
    assert "<!-- runbooks:services -->" not in (out / "docs" / "index.md").read_text()
    result = run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(out / "mkdocs.yml")], out, 0)
    assert not warnings(result.stderr)
    assert html_pages(out / "site") == html_pages(project / "site")
    plain = (out / "site" / "runbooks" / "cache" / "index.html").read_text()
    assert 'id="step-flush"' in plain and "rb-badge--destructive" in plain


def test_render_refuses_broken_runbooks(project):
    (project / "runbooks" / "cache.yaml").write_text(GOOD.replace("title: Ping\n", ""))
    result = run([*CLI, "render", str(project / "out")], project, 1)
    assert re.search(r"runbooks/cache\.yaml:\d+:\d+: RB\d+ \[error\]", result.stderr)
    assert not (project / "out" / "mkdocs.yml").exists()


def test_shipped_site_builds_strict(tmp_path):
    result = run([*CLI, "build", "--strict", "--site-dir", str(tmp_path / "site")], REPO, 0)
    assert not warnings(result.stderr)
    site = tmp_path / "site"
    for page in ("runbooks/payment-service/index.html", "runbooks/redis-cache/index.html",
                 "alerts/paymentservicedown/index.html", "catalogs/severity-levels/index.html",
                 "reference/format/index.html", "tags/index.html", "404.html"):
        assert (site / page).is_file(), page
    home = (site / "index.html").read_text()
    assert "Severity 1 (Critical)" in home  # the severity matrix on the home page
