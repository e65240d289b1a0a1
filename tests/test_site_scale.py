"""The site at the size of an organisation (issue 17): a page's navigation holds a bounded number of links
whatever the number of runbooks, and the index pages made for it list every runbook, in pages."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.model import Runbook
from generator.project import Catalog
from generator.site.groups import GROUP_SIZE, PAGE_SIZE
from generator.site.live import LiveSite
from generator.site.pages import SiteRenderer, nav_views, runbook_uri

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]
HANDWRITTEN = ["index.md", "writing-runbooks.md"]
# Top level, its open sections (runbooks: index and folders; catalogs; alerts; guides) and, below them,
# the sections above a page: a constant, whatever the number of runbooks.
NAV_BOUND = 40 + 3 * GROUP_SIZE


def synthetic(root: Path, count: int, owners: int, big_owner_share: float = 0.0) -> SiteRenderer:
    """`count` runbooks in `services/` (and one in `process/`), spread over `owners` teams; one team may
    own `big_owner_share` of them (a section that has to be split into runs)."""
    docs = [Runbook(kind="runbook", id="incident-response", title="Incident response", sha256="",
                    path=str(root / "process" / "incident-response.yaml"), owner="sre")]
    big = int(count * big_owner_share)
    for n in range(count):
        owner = "team-big" if n < big else f"team-{n % owners}"
        docs.append(Runbook(kind="runbook", id=f"svc-{n:05d}", title=f"Service {n}", sha256="", service=f"svc-{n}",
                            path=str(root / "services" / f"svc-{n:05d}.yaml"), owner=owner,
                            alerts=(f"Svc{n}Down",)))
    return SiteRenderer(Catalog(documents=docs), root)


def view_size(view: tuple) -> int:
    return sum(len(level) for level in view)


@pytest.mark.parametrize("count", [120, 3000])
def test_every_page_navigation_is_bounded(tmp_path, count):
    renderer = synthetic(tmp_path, count, owners=12, big_owner_share=0.4)
    base, views = nav_views(renderer.nav(HANDWRITTEN))
    for runbook in renderer.runbooks:
        view = views[runbook_uri(runbook)]
        assert view_size(view) <= NAV_BOUND, (runbook.id, view_size(view))
        # The page's own section is open: it lists the page among at most GROUP_SIZE entries (and its index).
        assert any((runbook.title, runbook_uri(runbook)) in level for level in view)
        assert all(len(level) <= GROUP_SIZE + 1 for level in view[len(base):])
    assert view_size(base) <= NAV_BOUND


def test_the_navigation_groups_by_folder_then_team_then_runs(tmp_path):
    renderer = synthetic(tmp_path, 600, owners=5, big_owner_share=0.5)
    (services,) = [s for s in renderer.grouping.folders if s.title == "Services"]
    teams = {s.title: s for s in services.sections}
    assert set(teams) == {"team-big", *(f"team-{n}" for n in range(5))}
    runs = teams["team-big"].sections
    assert len(runs) == 6 and all(len(run.runbooks) == GROUP_SIZE for run in runs)
    assert runs[0].title == "svc-00000 … svc-00049"
    assert teams["team-big"].listing.uri == "browse/kinds/services/team-big/index.md"


def links_to_runbooks(markdown: str) -> list[str]:
    """The runbooks of a listing's table rows (the first link of each)."""
    return [re.search(r"\]\(([^)]*/)?([a-z0-9-]+)\.md\)", line).group(2)
            for line in markdown.splitlines() if line.startswith("| [")]


def test_index_pages_list_every_runbook_once_in_bounded_pages(tmp_path):
    renderer = synthetic(tmp_path, 1234, owners=7, big_owner_share=0.3)
    ids = sorted(r.id for r in renderer.runbooks)
    pages = {page.uri: page.markdown for page in renderer.listing_pages()}
    everything = renderer.grouping.all
    assert everything.page_count == 13
    listed = [rid for n in range(1, everything.page_count + 1)
              for rid in links_to_runbooks(pages[everything.page_uri(n)].split("| Runbook |", 1)[1])]
    assert sorted(listed) == ids
    team_listed = [r.id for listing in renderer.grouping.teams.values() for r in listing.runbooks]
    assert sorted(team_listed) == ids
    for listing in renderer.grouping.listings():
        for n in range(1, listing.page_count + 1):
            rows = links_to_runbooks(pages[listing.page_uri(n)].split("| Runbook |", 1)[1])
            assert 0 < len(rows) <= PAGE_SIZE
    # The alerts index too: every alert, in pages.
    alert_rows = [line for uri, text in pages.items() if uri.startswith(("alerts/", "browse/alerts/"))
                  for line in text.splitlines() if line.startswith("| [Svc")]
    assert len(alert_rows) == 1234


def test_a_title_edit_rebuilds_its_section_not_the_site(tmp_path):
    before = synthetic(tmp_path, 160, owners=4)  # services/ split by team, 40 runbooks each
    live = LiveSite(cache_dir=tmp_path / "cache")
    uris = [runbook_uri(r) for r in before.runbooks] + ["alerts/svc0down.md"]
    assert live.stale_navigation(before.nav(HANDWRITTEN), uris) == set()  # the first build builds everything
    docs = [d if d.id != "svc-00004" else dataclasses.replace(d, title="Renamed") for d in before.catalog.documents]
    after = SiteRenderer(Catalog(documents=docs), tmp_path)
    stale = live.stale_navigation(after.nav(HANDWRITTEN), uris)
    same_team = {runbook_uri(r) for r in after.runbooks if r.owner == "team-0"}
    assert "runbooks/svc-00004.md" in stale and stale <= same_team and len(stale) == len(same_team)
    # An owner change moves the runbook: both teams' pages show it elsewhere, the other teams' do not.
    docs = [d if d.id != "svc-00004" else dataclasses.replace(d, owner="team-1") for d in docs]
    nav = SiteRenderer(Catalog(documents=docs), tmp_path).nav(HANDWRITTEN)
    moved = live.stale_navigation(nav, uris)
    while live.pending:  # more than NAV_STEP pages: the next builds take the rest
        moved |= live.stale_navigation(nav, uris)
    assert moved == {runbook_uri(r) for r in after.runbooks if r.owner in ("team-0", "team-1")}


def test_an_edit_renders_again_only_the_index_pages_that_show_the_runbook(tmp_path):
    before = synthetic(tmp_path, 450, owners=3)  # every index in pages of PAGE_SIZE: 5 pages of all, 2 per team
    live = LiveSite(cache_dir=tmp_path / "cache")
    first = {page.uri: page for page in live.pages(before)}
    docs = [d if d.id != "svc-00004" else dataclasses.replace(d, title="Renamed", sha256="edited")
            for d in before.catalog.documents]
    second = live.pages(SiteRenderer(Catalog(documents=docs), tmp_path))
    assert {page.uri for page in second} == set(first)
    again = {page.uri for page in second if page is not first[page.uri]}  # rendered again, not reused
    showing = {page.uri for page in second if "Renamed" in page.markdown}
    assert showing <= again  # every page that shows the new title has it
    listings = {page.uri for page in second if page.uri.startswith(("browse/", "runbooks/index", "alerts/index"))}
    assert len(listings) > 20 and len(again & listings) <= 6, sorted(again & listings)
    assert again - listings == {"runbooks/svc-00004.md", "alerts/svc4down.md"}
    live.close()


# ---- a real build of a large generated project -------------------------------------------------------

RUNBOOK = """kind: runbook
id: {id}
title: {title}
summary: Use when {id} is down.
service: {id}
owner: {owner}
alerts: [{alert}]
last_reviewed: "2026-11-01"
steps:
  - id: check
    title: Check {id}
    run: curl -fsS "http://{id}/health"
"""


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """The bundled site plus 130 generated runbooks (one team owns 70: split into runs), built by `runbook build`."""
    project = tmp_path_factory.mktemp("large")
    for name in ["runbooks", "docs", "site-overrides"]:
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("images"))
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    (project / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n')
    folder = project / "runbooks" / "generated"
    folder.mkdir()
    for n in range(130):
        rid = f"gen-{n:03d}"
        (folder / f"{rid}.yaml").write_text(RUNBOOK.format(id=rid, title=f"Generated {n:03d}", alert=f"Gen{n:03d}Down",
                                                           owner="team-big" if n < 70 else f"team-{n % 3}"))
    result = subprocess.run([*CLI, "build", "--strict", "--site-dir", str(project / "site")], cwd=project,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return project


def primary_nav(html: str) -> str:
    """The site navigation of a page (its table of contents, inside it for the phone's menu, aside)."""
    nav = html.split("md-nav--primary", 1)[1].split("md-sidebar--secondary", 1)[0]
    return re.sub(r'<nav class="md-nav md-nav--secondary".*?</nav>', "", nav, flags=re.S)


def test_a_built_page_holds_its_section_and_links_to_the_others(large_site):
    site = large_site / "site"
    page = (site / "runbooks/gen-075/index.html").read_text()
    nav = primary_nav(page)
    links = re.findall(r'<a href="([^"#]*)" class="md-nav__link', nav)
    assert 20 < len(links) <= NAV_BOUND
    assert "Generated 075" in nav and "Generated 078" in nav  # its own section (team-0), open
    assert "Generated 010" not in nav  # team-big's runs: one link each
    assert 'href="../../browse/kinds/generated/team-big/"' in nav
    assert "Payment service" not in nav and 'href="../../browse/kinds/services/"' in nav


def test_the_built_index_pages_link_every_runbook(large_site):
    site = large_site / "site"
    sources = [yaml.safe_load(p.read_text())["id"] for p in (large_site / "runbooks").rglob("*.yaml")
               if yaml.safe_load(p.read_text())["kind"] == "runbook"]
    pages = [site / "runbooks/index.html", *sorted((site / "browse/all").glob("*/index.html"))]
    assert len(pages) == 2  # 139 runbooks, PAGE_SIZE a page
    linked = set()
    for page in pages:
        linked |= set(re.findall(r'href="(?:\.\./)*(?:runbooks/)?([a-z0-9-]+)/"', page.read_text().split("<article", 1)[1]))
    assert set(sources) <= linked
    # Every team has its page; the team index links them all.
    teams = (site / "browse/teams/index.html").read_text()
    for team in ["team-big", "team-0", "team-1", "team-2", "payments-team"]:
        assert f'href="{team}/"' in teams and (site / "browse/teams" / team / "index.html").is_file()


def test_render_writes_the_same_bounded_navigation(large_site, tmp_path):
    subprocess.run([*CLI, "render", str(tmp_path / "out")], cwd=large_site, check=True, capture_output=True)
    config = yaml.safe_load((tmp_path / "out/mkdocs.yml").read_text())

    def sections(items):
        for item in items:
            if isinstance(item, dict):
                (value,) = item.values()
                if isinstance(value, list):
                    yield value
                    yield from sections(value)

    assert all(len(entries) <= GROUP_SIZE + 1 for entries in sections(config["nav"]))
    assert "navigation.prune" in config["theme"]["features"]
    assert "/browse/teams/" in config["not_in_nav"] and "/alerts/" in config["not_in_nav"]


def test_pages_written_by_two_processes_are_those_one_writes(tmp_path):
    """generator/site/parallel.py: the site is the same, byte for byte, with the pages split across processes."""
    project = tmp_path / "project"
    for name in ["runbooks", "docs", "site-overrides"]:
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("images"))
    (project / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n')
    config = (REPO / "mkdocs.yml").read_text()
    assert "  - runbooks\n" in config
    sites = {}
    for parallel in (True, False):
        (project / "mkdocs.yml").write_text(config.replace("  - runbooks\n", f"  - runbooks:\n      parallel: {str(parallel).lower()}\n"))
        site = tmp_path / f"site-{parallel}"
        # Two writers even on a busy machine (the plugin otherwise counts only idle cores).
        env = {**os.environ, "RUNBOOK_SITE_WORKERS": "2"}
        result = subprocess.run([*CLI, "build", "--strict", "--site-dir", str(site)], cwd=project, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        sites[parallel] = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}
    assert sites[True].keys() == sites[False].keys() and len(sites[True]) > 40
    assert [uri for uri in sites[True] if sites[True][uri] != sites[False][uri]] == []
    assert all(text.strip() for text in sites[True].values())


def test_the_built_site_is_searched_with_pagefind_from_the_site_itself(large_site):
    site = large_site / "site"
    assert (site / "pagefind" / "pagefind.js").is_file()
    page = (site / "runbooks/gen-075/index.html").read_text()
    assert "data-pagefind-body" in page and "assets/javascripts/search.js" in page
    assert 'data-md-component="search"' not in page  # Material's worker would load its whole index
    listing = (site / "runbooks/index.html").read_text()
    assert "data-pagefind-body" not in listing  # index pages are left out of search, as under Material


def test_a_new_team_brings_every_page_of_its_folder_up_to_date_in_steps(tmp_path):
    from generator.site.live import NAV_STEP

    before = synthetic(tmp_path, 250, owners=5)  # services/: five teams of 50
    live = LiveSite(cache_dir=tmp_path / "cache")
    uris = [runbook_uri(r) for r in before.runbooks]
    live.stale_navigation(before.nav(HANDWRITTEN), uris)
    docs = [d if d.id != "svc-00007" else dataclasses.replace(d, owner="team-new") for d in before.catalog.documents]
    nav = SiteRenderer(Catalog(documents=docs), tmp_path).nav(HANDWRITTEN)
    # The build of the edit itself writes the edited page (and the index pages) only: the edit shows at once.
    live.write("runbooks/svc-00007.md", "the edited page")
    assert live.stale_navigation(nav, uris) == set() and live.pending
    # The builds that follow catch up: every page of services/ lists the new team.
    caught_up: list[set[str]] = []
    while live.pending:
        live._fresh = set()  # noqa: SLF001 - a build that wrote nothing, as the follow-up builds
        caught_up.append(live.stale_navigation(nav, uris))
    assert [len(step) for step in caught_up[:-1]] == [NAV_STEP] * (len(caught_up) - 1)
    assert 0 < len(caught_up[-1]) <= NAV_STEP and sum(map(len, caught_up)) == 249
    assert set().union(*caught_up) == set(uris) - {"runbooks/svc-00007.md", "runbooks/incident-response.md"}
    live.close()
