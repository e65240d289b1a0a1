"""Instant reload for `runbook serve`: each rebuild does only the work a saved file asks for.

MkDocs treats pages added with in-memory content as always modified, so every save rebuilt every page.
Under `runbook serve` the plugin keeps one `LiveSite` across rebuilds (MkDocs keeps plugins that have
`on_startup`), which

- re-reads only the YAML files whose modification time or size changed, then runs the lint rules on
  the whole catalog (the cross-file rules need it) before anything is built, as `runbook build` does;
- re-renders only the pages whose inputs changed (the page's own file, the titles and summaries of
  the runbooks it links, the catalogs it reads; an index page when its rows or its shape changed);
- writes each page into a cache folder only when its text changed, and gives MkDocs that file, so a
  dirty build (`mkdocs serve --dirty`, which `runbook serve` uses) rebuilds just those pages;
- then has the pages whose navigation alone changed (a new title or section of a runbook) built between
  rebuilds in another process (`behind_navigation`, catch_up.py), or, without `os.fork`, in the builds
  that follow, NAV_STEP at a time (`stale_navigation`).
"""

from __future__ import annotations

import functools
import gc
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ..config import Config, ConfigError, load_config
from ..history import read_history
from ..model import Runbook
from ..project import Catalog, discover, load_catalog
from .catalog import CatalogErrors, SiteSource, lint_folder
from .pages import ALERTS_INDEX, RUNBOOKS_INDEX, TEMPLATES_DIR, GeneratedPage, SiteRenderer


# Pages whose navigation alone is behind, built by each build that follows an edit: small enough that an
# edit saved meanwhile waits little for the build under way.
NAV_STEP = 50


@dataclass
class LiveSite:
    cache_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="runbook-serve-")))
    _files: dict[Path, tuple[tuple[int, int], Catalog]] = field(default_factory=dict)  # path -> (stamp, its catalog)
    _pages: dict[str, tuple[object, list[GeneratedPage]]] = field(default_factory=dict)  # key -> (inputs, pages)
    _written: dict[str, str] = field(default_factory=dict)  # uri -> text in the cache folder
    _listing: object = None  # the listed facts of the last `pages` call
    _markers: object = None  # what the hand-written pages' markers show, as of the last `pages` call
    _tagged: tuple | None = None  # the runbooks with tags, their titles and tags, as of the last `pages` call
    tags_changed: bool = False  # since the call before: the tags page must be built again
    _front: dict[str, tuple[str, dict]] = field(default_factory=dict)  # uri -> (text, its front matter)
    _expanded: dict[str, tuple[object, str]] = field(default_factory=dict)  # uri -> (inputs, text)
    _theme: tuple[object, object] | None = None  # (key, the theme's Jinja environment with its compiled templates)
    _theme_file_list: tuple[object, list[str]] | None = None  # (key, the theme's static files)
    _nav: tuple[object, list] | None = None
    _views: dict[str, tuple] = field(default_factory=dict)  # page uri -> what its navigation showed when built
    _behind: dict[str, tuple] = field(default_factory=dict)  # page uri -> what its navigation shows now
    _fresh: set[str] = field(default_factory=set)  # pages whose text this build wrote (MkDocs builds them)
    pending: bool = False  # pages whose navigation is behind wait for the next build
    built_once: bool = False

    @property
    def signal_dir(self) -> Path:
        """A file written here asks `mkdocs serve` for another build (the server watches the folder)."""
        folder = self.cache_dir.parent / f"{self.cache_dir.name}-signal"
        folder.mkdir(exist_ok=True)
        return folder

    def ask_for_build(self) -> None:
        (self.signal_dir / "navigation-behind").write_text(str(len(self._views)), encoding="utf-8")

    def close(self) -> None:
        shutil.rmtree(self.signal_dir, ignore_errors=True)
        shutil.rmtree(self.cache_dir, ignore_errors=True)

    # ---- the catalog ---------------------------------------------------------------------------

    def load(self, start: Path, folder: str | None = None, review_interval: str | None = None) -> SiteSource:
        """As `catalog.load_site_source`, reading only the files that changed since the last call."""
        from ..lint.engine import check_config, lint_catalog

        config = load_config(start)
        runbooks = (start / folder).resolve() if folder else config.runbooks
        if not runbooks.is_dir():
            raise ConfigError(f"the runbooks folder {runbooks} does not exist; create it or set [tool.runbook] runbooks")
        check_config(config.lint)
        catalog = self._catalog(runbooks, config)
        history = read_history(config.transcripts)  # runs and drills since the last rebuild count at once
        enabled = gc.isenabled()
        gc.disable()  # as lint() does: the node trees make collections slow and hold no cycles
        try:
            findings = lint_catalog(catalog, config, history=history).findings
        finally:
            if enabled:
                gc.enable()
        if any(f.severity == "error" for f in findings):
            # Files read earlier lost their node trees (lint keeps only the documents); the report
            # must carry exact positions, so read everything again for it.
            self._files.clear()
            findings, catalog = lint_folder(runbooks, config, history)
            raise CatalogErrors([f for f in findings if f.severity == "error"])
        return SiteSource(config, runbooks, catalog, review_interval or config.lint.review_interval, history)

    def _catalog(self, folder: Path, config: Config) -> Catalog:
        seen: dict[Path, tuple[tuple[int, int], Catalog]] = {}
        for path in discover([folder]):
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            known = self._files.get(path)
            seen[path] = known if known and known[0] == stamp else (stamp, load_catalog([path], config.lint.max_file_size))
        self._files = seen
        catalog = Catalog()
        for _, one in seen.values():
            catalog.sources.extend(one.sources)
            catalog.documents.extend(one.documents)
            catalog.findings.extend(one.findings)
        return catalog

    # ---- the pages -----------------------------------------------------------------------------

    def pages(self, renderer: SiteRenderer) -> list[GeneratedPage]:
        """Every generated page, rendering again only those whose inputs changed."""
        self._fresh = set()
        catalogs = tuple(sorted((d.id, d.sha256) for d in renderer.catalog.documents if not isinstance(d, Runbook)))
        facts = {r.id: (r.title, r.summary) for r in renderer.runbooks}
        settings = (renderer.review_interval, renderer.today, renderer.edit_base, catalogs, _templates_stamp())
        listing = (settings, tuple(_listed(r) for r in renderer.runbooks))
        wanted: list[tuple[str, object, Callable[[], list[GeneratedPage]]]] = []
        for doc in renderer.published:
            if isinstance(doc, Runbook):
                inputs = (doc.path, doc.sha256, settings, tuple(facts.get(rid) for rid in doc.related),
                          renderer.freshness(doc), _called(renderer, doc), renderer.team_uri(doc.owner))
            else:  # the catalogs list runbooks (severity levels) and read each other
                inputs = (doc.path, doc.sha256, listing)
            wanted.append((f"doc:{doc.path}", inputs, lambda doc=doc: [renderer.document_page(doc)]))
        for slug, (name, runbooks) in renderer.alerts.items():
            # An alert's page shows its runbooks' titles, summaries and labelled variables: their whole content.
            inputs = (name, settings, tuple((r.id, r.sha256) for r in runbooks))
            wanted.append((f"alert:{slug}", inputs, lambda slug=slug: [renderer.alert_page(slug)]))
        # Each index page again only when its own rows or shape changed: an edit touches a few of them.
        shown: dict[str, tuple] = {}
        for job in renderer.listing_jobs():
            shown[job.uri] = (settings, job.shape, tuple(_listed(r) for r in job.rows))
            wanted.append((f"listing:{job.uri}", shown[job.uri], lambda job=job: [job.render()]))
        pages: dict[str, tuple[object, list[GeneratedPage]]] = {}
        for key, inputs, render in wanted:
            known = self._pages.get(key)
            pages[key] = known if known and known[0] == inputs else (inputs, render())
        self._pages = pages
        self._listing = listing
        # The hand-written pages' markers show the severity levels (in `settings`), the first page of the
        # runbooks index and the first page of the alerts index.
        self._markers = (settings, shown.get(RUNBOOKS_INDEX), shown.get(ALERTS_INDEX))
        # Material's tags page lists the tagged pages by title; its own text never changes.
        tagged = tuple((d.path, d.title, d.tags) for d in renderer.published if getattr(d, "tags", None))
        self.tags_changed = self._tagged is not None and tagged != self._tagged
        self._tagged = tagged
        return [page for _, rendered in pages.values() for page in rendered]

    def front_matter(self, uri: str, text: str) -> dict:
        """A page's front matter (MkDocs' reading of it), read again only when the page's text changed."""
        known = self._front.get(uri)
        if not known or known[0] is not text and known[0] != text:
            from mkdocs.utils.meta import get_data

            known = self._front[uri] = (text, get_data(text)[1])
        return known[1]

    def page_text(self, uri: str, path: str | None) -> str | None:
        """The Markdown of a page: as last written to the cache folder, or (hand-written) its file."""
        if uri in self._written:
            return self._written[uri]
        try:
            return Path(path).read_text(encoding="utf-8") if path else None
        except OSError:
            return None

    def expand_markers(self, renderer: SiteRenderer, markdown: str, uri: str) -> str:
        """`renderer.expand_markers`, again only when the page or what its markers show changed (call after `pages`)."""
        inputs = (markdown, self._markers)
        known = self._expanded.get(uri)
        if not known or known[0] != inputs:
            known = self._expanded[uri] = (inputs, renderer.expand_markers(markdown, uri))
        return known[1]

    def write(self, uri: str, text: str) -> Path:
        """The page's file in the cache folder, written only when its text changed (MkDocs' dirty
        build compares modification times)."""
        path = self.cache_dir / uri
        if self._written.get(uri) != text or not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self._written[uri] = text
            self._fresh.add(uri)
        return path


    def nav(self, renderer: SiteRenderer, handwritten: list[str]) -> list:
        """`renderer.nav`, again only when the listed facts or the hand-written pages changed (after `pages`)."""
        inputs = (self._listing, tuple(handwritten))
        if not self._nav or self._nav[0] != inputs:
            self._nav = (inputs, renderer.nav(handwritten))
        return self._nav[1]

    def behind_navigation(self, nav: list, uris: list[str]) -> list[str]:
        """The pages (of `uris`, every page of this build) whose navigation shows something else now though
        their text did not change, and which this build does not write: a runbook's new title, or a runbook
        that moved to another section, is also in the navigation of its section's pages, and a new section
        (a new team) in that of every page of the folder (see `pages.nav_views`). Call once per build, after
        the pages are written to the cache folder; `caught_up` records those built since."""
        from .pages import nav_views

        base, views = nav_views(nav)
        current = {uri: views.get(uri, base) for uri in uris}
        shown = self._views  # what each page's navigation showed when it was last built
        behind = sorted(uri for uri, view in current.items() if uri in shown and shown[uri] != view
                        and uri not in self._fresh)
        self._views = {uri: shown[uri] if uri in behind else view for uri, view in current.items()}
        self._behind = {uri: current[uri] for uri in behind}
        return behind

    @property
    def navigation_behind(self) -> set[str]:
        """The pages of the last `behind_navigation` not caught up since."""
        return set(self._behind)

    def caught_up(self, uris) -> None:
        """These pages (of the last `behind_navigation`) were built with that build's navigation."""
        for uri in uris:
            if uri in self._behind:
                self._views[uri] = self._behind.pop(uri)

    def stale_navigation(self, nav: list, uris: list[str]) -> set[str]:
        """Where pages cannot be caught up in another process (see catch_up.py): the pages whose navigation
        is behind (`behind_navigation`) to build in this build. A build that follows an edit writes the
        edited pages and the index pages only, so the edit shows at once; the pages whose navigation alone
        is behind follow in the next builds, NAV_STEP at a time (`pending` asks the server for one, see
        plugin.on_post_build)."""
        behind = self.behind_navigation(nav, uris)
        now = set() if self._fresh else set(behind[:NAV_STEP])
        self.caught_up(now)
        self.pending = len(behind) > len(now)
        return now

    def theme_environment(self, env):
        """The theme's Jinja environment of the previous build when its templates are unchanged, with this
        build's filters and globals: MkDocs makes a new one per build and compiling Material's templates
        again was a third of a rebuild. Template folders inside installed packages are not re-read."""
        key = _theme_key(env)
        if self._theme and self._theme[0] == key:
            cached = self._theme[1]
            cached.filters.update(env.filters)
            cached.tests.update(env.tests)
            cached.globals.update(env.globals)
            return cached
        self._theme = (key, env)
        return env

    def cache_theme_files(self, theme) -> None:
        """Make `theme.get_env()` (called once per build) list the theme's files from the previous build
        while its folders are unchanged: MkDocs walks the theme's folders for its static files on every
        build, Material's thousands of icons included, a fifth of a rebuild of one page."""
        make_env = theme.get_env

        def get_env():
            env = make_env()
            env.list_templates = functools.partial(self._theme_files, env, tuple(sorted(theme.static_templates)))
            return env

        theme.get_env = get_env

    def _theme_files(self, env, static_templates: tuple, extensions=None, filter_func=None) -> list[str]:
        # MkDocs' filter (add_files_from_theme) depends on the static templates alone.
        key = (_theme_key(env), static_templates, extensions, filter_func is None)
        if not self._theme_file_list or self._theme_file_list[0] != key:
            names = jinja2.Environment.list_templates(env, extensions, filter_func)
            self._theme_file_list = (key, names)
        return list(self._theme_file_list[1])


def _theme_key(env) -> tuple:
    """The theme's template folders and, outside installed packages, their files' modification times."""
    dirs = tuple(getattr(env.loader, "searchpath", ()))
    return (dirs, tuple(_folder_stamp(Path(d)) for d in dirs if not {"site-packages", "dist-packages"} & set(Path(d).parts)))


def _folder_stamp(folder: Path) -> tuple:
    return tuple(sorted((p.as_posix(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()))


def _templates_stamp() -> tuple:
    """The templates' modification times: an edited template renders every page again."""
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in TEMPLATES_DIR.iterdir()))


def _listed(runbook: Runbook) -> tuple:
    """What the listing pages (runbooks, alerts, tags) and the catalogs show of a runbook."""
    return (runbook.id, runbook.path, runbook.title, runbook.summary, runbook.service, runbook.severity,
            runbook.owner, runbook.tags, runbook.alerts, runbook.last_reviewed, runbook.review_interval,
            len(runbook.steps))


def _called(renderer, runbook: Runbook) -> tuple:
    """The runbooks a page shows the steps of (`uses`, through nested calls): their content is its input too."""
    seen: dict[str, str] = {}
    pending = [step for step in runbook.steps if step.uses]
    while pending:
        step = pending.pop()
        callee = renderer.calls.by_id.get(step.called[0])
        if callee is None or callee.id in seen:
            continue
        seen[callee.id] = callee.sha256
        pending.extend(s for s in callee.steps if s.uses)
    return tuple(sorted(seen.items()))
