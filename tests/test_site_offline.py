"""The site asks no host but its own for anything (no web fonts, no CDN), served or opened from file://
after `runbook build --offline`, search included. Headless Chromium records every request."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_browser import CHROMIUM, build_site, chromium, search, serve

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


def fenced_page(browser, own: str):
    """A page whose requests to anything but `own` (a URL prefix) are blocked and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    foreign: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(own) or url.startswith(("data:", "blob:", "about:")):
            request_route.continue_()
        else:
            foreign.append(url)
            request_route.abort()

    page.route("**/*", route)
    return page, foreign


def test_served_site_requests_nothing_from_other_hosts(tmp_path, browser):
    build_site(REPO, tmp_path / "site")
    with serve(tmp_path / "site") as base:
        page, foreign = fenced_page(browser, base)
        for path in ["", "runbooks/payment-service/", "alerts/", "alerts/paymentservicedown/", "runbooks/"]:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
        assert any(link.startswith("runbooks/redis-cache/") for link in search(page, base, "FLUSHALL"))
        page.wait_for_load_state("networkidle")
        assert foreign == []


def test_offline_build_works_from_file_with_search(tmp_path, browser):
    site = tmp_path / "site"
    build_site(REPO, site, "--offline")
    home = site.resolve().as_uri() + "/"
    page, foreign = fenced_page(browser, "file://")
    page.goto(home + "index.html")
    box = page.locator("input.md-search__input")
    box.click()
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta').textContent.includes('Initializing')", timeout=15000)
    box.press_sequentially("pg_terminate_backend")
    first = page.locator(".md-search-result__item a").first
    first.wait_for(state="attached", timeout=15000)
    assert first.get_attribute("href").split("?")[0].endswith("runbooks/postgresql.html")
    first.click()
    page.wait_for_url("**/runbooks/postgresql.html*")
    assert "pg_terminate_backend" in page.locator("article.rb-runbook").inner_text()
    # The variables form works there too (file:// pages have scripts like served ones).
    page.goto(home + "runbooks/payment-service.html?var.NAMESPACE=staging")
    page.locator("form.rb-vars").wait_for(state="visible")
    assert "export NAMESPACE=staging" in page.locator(".rb-export").inner_text()
    page.goto(home + "alerts/paymentservicedown.html")
    page.wait_for_load_state("networkidle")
    assert foreign == []
    assert (site / "assets/javascripts/iframe-worker/shim.js").is_file()
    assert "unpkg" not in (site / "index.html").read_text()


def test_offline_plugin_listed_in_mkdocs_yml_gets_the_shipped_shim(tmp_path):
    import shutil

    for name in ["runbooks", "docs", "site-overrides"]:
        shutil.copytree(REPO / name, tmp_path / name)
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n')
    (tmp_path / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text().replace("  - runbooks\n", "  - runbooks\n  - offline\n"))
    build_site(tmp_path, tmp_path / "site")
    home = (tmp_path / "site" / "index.html").read_text()
    assert "unpkg" not in home and "assets/javascripts/iframe-worker/shim.js" in home
    assert (tmp_path / "site" / "assets/javascripts/iframe-worker/shim.js").is_file()
