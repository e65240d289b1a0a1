"""Other engines than MkDocs 1.6: ProperDocs (the maintained fork of MkDocs 1.x) builds `runbook render`'s
project and runs the plugin itself; Zensical builds the rendered project. Pages and search, in Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_browser import CHROMIUM, chromium, search, serve

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")
needs_properdocs = pytest.mark.skipif(shutil.which("properdocs") is None, reason="properdocs is in the test extra; not installed here")
needs_zensical = pytest.mark.skipif(shutil.which("zensical") is None, reason="zensical is in the test extra; not installed here")


def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """`runbook render`'s project and MkDocs' build of it, to compare the other engines with."""
    folder = tmp_path_factory.mktemp("engines")
    subprocess.run([*CLI, "render", str(folder / "out")], cwd=REPO, check=True, capture_output=True)
    mkdocs = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(folder / "mkdocs-site")],
                            cwd=folder / "out", capture_output=True, text=True)
    assert mkdocs.returncode == 0, mkdocs.stderr
    return folder


@needs_properdocs
@needs_chromium
def test_properdocs_builds_the_rendered_project_with_search(rendered):
    site = rendered / "properdocs-site"
    result = subprocess.run(["properdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", str(site)],
                            cwd=rendered / "out", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert html_pages(site) == html_pages(rendered / "mkdocs-site")
    index = json.loads((site / "search" / "search_index.json").read_text())
    assert any(doc["location"].startswith("runbooks/postgresql/") and "pg_terminate_backend" in doc["text"]
               for doc in index["docs"])
    with serve(site) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        assert search(page, base, "PaymentServiceDown")[0].startswith("runbooks/payment-service/")
        page.goto(base + "runbooks/payment-service/?var.NAMESPACE=staging")
        page.locator("form.rb-vars").wait_for(state="visible")  # the theme overrides and script came along
        assert "export NAMESPACE=staging" in page.locator(".rb-export").inner_text()


@needs_properdocs
def test_the_plugin_runs_under_properdocs(tmp_path):
    result = subprocess.run(["properdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", str(tmp_path / "site")],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    redis = (tmp_path / "site" / "runbooks" / "redis-cache" / "index.html").read_text()
    assert 'id="step-flush"' in redis and "FLUSHALL" in redis and 'class="rb-vars"' in redis


@needs_zensical
@needs_chromium
def test_zensical_search_finds_commands_and_alerts(rendered):
    out = rendered / "out"
    result = subprocess.run(["zensical", "build"], cwd=out, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert html_pages(out / "site") == html_pages(rendered / "mkdocs-site")
    with serve(out / "site") as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for query, title in [("FLUSHALL", "Clear Redis cache"), ("pg_terminate_backend", "Kill long-running queries")]:
            page.goto(base)
            page.click("button.md-search__button")  # Zensical's search dialog (its own UI, in a shadow root)
            page.keyboard.type(query)
            page.get_by_text(title).first.wait_for(timeout=15000)
