"""Instant reload: under `runbook serve` the plugin keeps its state across rebuilds, so a saved runbook
rebuilds its own pages (and the listings that show what changed), not the whole site."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from site_browser import CHROMIUM, chromium

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]


@pytest.fixture
def project(tmp_path):
    for name in ["runbooks", "docs", "site-overrides"]:
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n')
    return tmp_path


class Server:
    """MkDocs' serve loop without the HTTP part: one config per rebuild, plugins kept, dirty builds."""

    def __init__(self, project: Path, site: Path, monkeypatch):
        from mkdocs.config import load_config

        monkeypatch.chdir(project)
        self.site = site
        self.load = lambda: load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
        config = self.load()
        config.plugins.on_startup(command="serve", dirty=True)
        self.plugins = config.plugins
        self.build(config)

    def build(self, config=None):
        from mkdocs.commands.build import build

        build(config or self.load(), dirty=True)

    def mtimes(self) -> dict[str, int]:
        return {p.relative_to(self.site).as_posix(): p.stat().st_mtime_ns for p in self.site.rglob("*.html")}

    def close(self):
        self.plugins.on_shutdown()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    time.sleep(0.01)  # a later modification time than the page built from the old text
    path.write_text(text.replace(old, new, 1))


def test_saved_runbook_rebuilds_its_pages_only(project, tmp_path, monkeypatch):
    server = Server(project, tmp_path / "site", monkeypatch)
    try:
        before = server.mtimes()
        edit(project / "runbooks/infrastructure/redis-cache.yaml", "title: Clear Redis cache", "title: Clear the Redis cache now")
        server.build()
        after = server.mtimes()
        changed = {page for page in after if after[page] != before.get(page)}
        assert "runbooks/redis-cache/index.html" in changed
        assert "Clear the Redis cache now" in (tmp_path / "site/runbooks/redis-cache/index.html").read_text()
        assert "runbooks/payment-service/index.html" not in changed
        # The home page, 404 and the like are MkDocs' own; the runbook pages beyond this one stay as they were.
        assert not {p for p in changed if p.startswith("runbooks/") and p != "runbooks/redis-cache/index.html"}, changed
    finally:
        server.close()


def test_listings_update_when_a_listed_fact_changes(project, tmp_path, monkeypatch):
    server = Server(project, tmp_path / "site", monkeypatch)
    try:
        edit(project / "runbooks/infrastructure/redis-cache.yaml", "title: Redis cache", "title: Redis cache and sessions")
        server.build()
        assert "Redis cache and sessions" in (tmp_path / "site/runbooks/index.html").read_text()
        assert "Redis cache and sessions" in (tmp_path / "site/alerts/redisdown/index.html").read_text()
        # A runbook that lists it among its related runbooks shows the new title too.
        assert "Redis cache and sessions" in (tmp_path / "site/runbooks/postgresql/index.html").read_text()
    finally:
        server.close()


def test_an_error_saved_during_serve_is_reported_then_fixed(project, tmp_path, monkeypatch, caplog):
    from mkdocs.exceptions import Abort

    server = Server(project, tmp_path / "site", monkeypatch)
    try:
        runbook = project / "runbooks/infrastructure/redis-cache.yaml"
        good = runbook.read_text()
        edit(runbook, "id: redis-cache", "id: Redis Cache")
        with pytest.raises(Abort):
            server.build()
        assert "redis-cache.yaml:3:5: RB100 [error]" in caplog.text  # the exact position, as lint says
        runbook.write_text(good.replace("title: Redis cache", "title: Redis cache fixed", 1))
        server.build()
        assert "Redis cache fixed" in (tmp_path / "site/runbooks/redis-cache/index.html").read_text()
    finally:
        server.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_runbook_serve_shows_a_saved_edit_in_the_browser(project):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    server = subprocess.Popen([*CLI, "serve", "-a", f"127.0.0.1:{port}"], cwd=project, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/runbooks/redis-cache/"
        for _ in range(600):
            assert server.poll() is None, server.stderr.read()
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        with chromium() as browser:
            page = browser.new_page()
            page.goto(url)
            page.locator("article h3", has_text="Clear Redis cache").wait_for()
            time.sleep(1)  # the watcher is running
            edit(project / "runbooks/infrastructure/redis-cache.yaml", "title: Clear Redis cache", "title: Clear Redis cache LIVE")
            # MkDocs' livereload reloads the page once the rebuild is done.
            page.locator("article h3", has_text="Clear Redis cache LIVE").wait_for(timeout=120_000)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def test_a_new_title_reaches_the_navigation_of_its_section_between_builds(project, tmp_path, monkeypatch):
    server = Server(project, tmp_path / "site", monkeypatch)
    try:
        plugin = server.plugins["runbooks"]
        edit(project / "runbooks/infrastructure/redis-cache.yaml", "title: Redis cache", "title: Redis cache and sessions")
        server.build()
        page = lambda uri: (tmp_path / "site" / uri).read_text()  # noqa: E731
        # The edit's build wrote the pages whose text changed (its own, the index pages, those that link it
        # as related); the section's other pages (rabbitmq) follow in another process, with no build.
        assert "Redis cache and sessions" in page("runbooks/redis-cache/index.html")
        assert "Redis cache and sessions" in page("browse/kinds/infrastructure/index.html")
        written = plugin.catch_up.wait()
        assert "runbooks/rabbitmq.md" in written and "runbooks/redis-cache.md" not in written
        assert "Redis cache and sessions" in page("runbooks/rabbitmq/index.html")
        assert "Redis cache and sessions" not in page("runbooks/payment-service/index.html")  # another section
        assert not (tmp_path / "site/runbooks/rabbitmq/index.html.part").exists()
        # The next build knows those pages are up to date: it neither builds them nor hands them on.
        before = server.mtimes()
        server.build()
        assert server.mtimes()["runbooks/rabbitmq/index.html"] == before["runbooks/rabbitmq/index.html"]
        assert plugin.catch_up.pid is None
    finally:
        server.close()


def test_a_build_stops_the_catch_up_and_the_next_one_takes_the_rest(project, tmp_path, monkeypatch):
    server = Server(project, tmp_path / "site", monkeypatch)
    try:
        plugin, live = server.plugins["runbooks"], server.plugins["runbooks"].live
        edit(project / "runbooks/infrastructure/redis-cache.yaml", "title: Redis cache", "title: Redis cache and sessions")
        server.build()
        behind = live.navigation_behind  # handed to the catch-up: the new title is in its section's pages
        assert "runbooks/rabbitmq.md" in behind and plugin.catch_up.pid is not None
        server.build()  # at once, as a save would: stops the catch-up after the page it was writing
        rest = live.navigation_behind
        assert rest <= behind and set(plugin.catch_up.wait()) == rest  # the next catch-up takes the rest only
        site = tmp_path / "site"
        assert all("Redis cache and sessions" in (site / uri.replace(".md", "/index.html")).read_text() for uri in behind)
        assert not list(site.rglob("*.part"))
    finally:
        server.close()


def test_without_fork_the_navigation_catches_up_in_the_next_builds(project, tmp_path, monkeypatch):
    from generator.site.catch_up import CatchUp

    monkeypatch.setattr(CatchUp, "available", staticmethod(lambda: False))  # as on a system without os.fork
    server = Server(project, tmp_path / "site", monkeypatch)
    try:
        live = server.plugins["runbooks"].live
        assert server.plugins["runbooks"].catch_up is None
        edit(project / "runbooks/infrastructure/redis-cache.yaml", "title: Redis cache", "title: Redis cache and sessions")
        server.build()
        page = lambda uri: (tmp_path / "site" / uri).read_text()  # noqa: E731
        assert "Redis cache and sessions" in page("runbooks/redis-cache/index.html")
        assert "Redis cache and sessions" not in page("runbooks/rabbitmq/index.html") and live.pending
        assert (live.signal_dir / "navigation-behind").is_file()  # the server builds again
        server.build()
        assert "Redis cache and sessions" in page("runbooks/rabbitmq/index.html") and not live.pending
        assert "Redis cache and sessions" not in page("runbooks/payment-service/index.html")  # another section
    finally:
        server.close()


def test_search_under_serve_finds_an_edited_title_and_keeps_every_other_page(project, tmp_path, monkeypatch):
    import json

    server = Server(project, tmp_path / "site", monkeypatch)
    try:
        index = lambda: json.loads((tmp_path / "site/search/search_index.json").read_text())["docs"]  # noqa: E731
        before = index()
        # The edit rewrites several pages (the runbook, the home page's table, index and alert pages).
        edit(project / "runbooks/infrastructure/redis-cache.yaml", "title: Redis cache", "title: Redis cache and sessions")
        server.build()
        after = index()
        locations = [entry["location"] for entry in after]
        assert len(locations) == len(set(locations)), "no page indexed twice"
        assert set(locations) == {entry["location"] for entry in before}, "no page dropped"
        titles = {entry["location"]: entry["title"] for entry in after}
        assert titles["runbooks/redis-cache/"] == "Redis cache and sessions"
        assert "Redis cache" not in titles.values()
        # A new runbook's page joins the index; once its file is gone, it leaves it.
        copy = project / "runbooks/infrastructure/redis-copy.yaml"
        copy.write_text((project / "runbooks/infrastructure/redis-cache.yaml").read_text()
                        .replace("id: redis-cache", "id: redis-copy").replace("title: Redis cache and sessions", "title: Copied"))
        server.build()
        assert titles.items() <= {entry["location"]: entry["title"] for entry in index()}.items()
        assert any(entry["location"].startswith("runbooks/redis-copy/") for entry in index())
        copy.unlink()
        server.build()
        assert {entry["location"]: entry["title"] for entry in index()} == titles
    finally:
        server.close()


def test_the_server_is_told_of_a_save_by_the_system_not_by_polling(tmp_path):
    import threading

    from mkdocs.livereload import LiveReloadServer
    from watchdog.observers.polling import PollingObserver

    from generator.site.watcher import use_native_watcher

    watched = tmp_path / "runbooks"
    watched.mkdir()
    runbook = watched / "a.yaml"
    runbook.write_text("title: A\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    builds = threading.Event()
    server = LiveReloadServer(builder=builds.set, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(watched))
    server.watch(str(watched))  # watched twice: MkDocs counts them (unwatch once, still watched)
    server.watch(str(tmp_path / "mkdocs.yml"))  # a file, as MkDocs watches mkdocs.yml
    assert use_native_watcher(server) and not isinstance(server.observer, PollingObserver)
    assert server._watched_paths == {str(watched): 2, str(tmp_path / "mkdocs.yml"): 1}  # noqa: SLF001
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        runbook.read_text()  # the build reads the runbooks: that is no change
        assert not builds.wait(1.0)
        runbook.write_text("title: B\n")
        assert builds.wait(10)
    finally:
        server.shutdown()
    assert not use_native_watcher(server)  # started already: left as it is


def test_the_tags_page_follows_a_tag_edit_and_keeps_every_other_tag(project, tmp_path, monkeypatch):
    import re

    server = Server(project, tmp_path / "site", monkeypatch)
    try:
        tags_page = tmp_path / "site/tags/index.html"
        shown = lambda: set(re.findall(r'id="tag:([^"]*)"', tags_page.read_text()))  # noqa: E731
        before = shown()
        assert {"redis", "payments", "severity"} <= before  # runbooks' tags and a catalog's
        edit(project / "runbooks/infrastructure/redis-cache.yaml", "tags: [", "tags: [eviction, ")
        server.build()
        assert shown() == before | {"eviction"}
        edit(project / "runbooks/infrastructure/redis-cache.yaml", "tags: [eviction, ", "tags: [")
        server.build()
        assert shown() == before
    finally:
        server.close()
