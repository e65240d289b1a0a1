"""Helpers for the browser tests and the screenshot script: a built site on loopback, headless Chromium.

The site is served by `http.server` in a thread on 127.0.0.1 (a free port); Chromium is Debian's
/usr/bin/chromium driven by Playwright (never `playwright install`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(site_dir: Path):
    """Serve a built site; yields its base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


_playwright = None


def _shared_playwright():
    """One Playwright driver for the whole process: its sync API cannot be started twice at once, and the
    session-wide shipped-site browser stays open while other modules open their own Chromium."""
    global _playwright
    if _playwright is None:
        import atexit

        from playwright.sync_api import sync_playwright

        _playwright = sync_playwright().start()
        atexit.register(_playwright.stop)
    return _playwright


@contextlib.contextmanager
def chromium():
    browser = _shared_playwright().chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()


def search(page, base_url: str, query: str) -> list[str]:
    """Open Material's search from the header button, type the query, return the result links (site-relative)."""
    page.goto(base_url)
    button = page.locator("label.md-header__button[for='__search']")
    if button.is_visible():  # narrow windows: the header button opens the search dialog
        button.click()
    box = page.locator("input.md-search__input")
    box.click()  # wide windows: the search field sits in the header
    # The index loads in a web worker; a query typed before it is ready is not searched.
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta').textContent.includes('Initializing')", timeout=15000)
    box.press_sequentially(query)
    results = page.locator(".md-search-result__item a.md-search-result__link, .md-search-result__item a")
    results.first.wait_for(state="attached", timeout=15000)
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    return [href[len(base_url):] if href.startswith(base_url) else href for href in hrefs]


def build_site(cwd: Path, site: Path, *extra: str) -> None:
    """`runbook build --strict` of the project in `cwd` into `site` (extra: more options, e.g. --offline)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run([sys.executable, "-c", "from generator.cli import main; main()", "build", "--strict",
                             "--site-dir", str(site), *extra], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr


def pagefind_contents(site: Path) -> dict[str, str]:
    """What Pagefind indexed, page by page: {url: text}, read from its fragments (gzip of a signature and JSON)."""
    import gzip
    import json

    contents = {}
    for fragment in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        contents[data["url"]] = data["content"]
    return contents
