"""The `runbooks` MkDocs plugin: runbook pages generated from the YAML catalog at build time.

Pages are added with `File.generated` (nothing is written into `docs_dir`); hand-written pages may ask
for generated blocks with `<!-- runbooks:severity-matrix -->` and similar markers; each runbook page's
edit link points at its YAML file; `mkdocs serve` watches the runbooks folder and the templates.
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..config import ConfigError, check_review_interval
from .catalog import CatalogErrors, load_site_source
from .catch_up import CatchUp
from .edit import edit_base
from .live import LiveSite
from .parallel import PageSplit
from .pages import TAGS_PAGE, TEMPLATES_DIR, SiteRenderer
from .search import (MATERIAL_SEARCH, MODE_KEY, PAGEFIND, SearchIndexError, index_site, leave_out_material_index,
                     pagefind_executable, remove_material_index)
from .search import THEME_DIR as SEARCH_THEME_DIR
from .watcher import use_native_watcher

log = get_plugin_logger(__name__)

# Material's offline plugin loads its Web Worker shim from a CDN unless a polyfill with this name is
# already listed; the site ships the vendored copy instead (see vendor/iframe-worker/README.md).
IFRAME_WORKER_SHIM = "assets/javascripts/iframe-worker/shim.js"
VENDOR_DIR = Path(__file__).parent / "vendor"


class ReviewInterval(c.Type):
    """A review interval such as "180d", checked when MkDocs reads mkdocs.yml (a clean configuration error)."""

    def __init__(self):
        super().__init__(str)

    def run_validation(self, value):
        value = super().run_validation(value)
        try:
            return check_review_interval(value, "review_interval")
        except ConfigError as exc:
            raise ValidationError(str(exc)) from None


class RunbooksConfig(base.Config):
    # The runbooks folder, relative to mkdocs.yml; default: [tool.runbook] runbooks in pyproject.toml.
    runbooks = c.Optional(c.Type(str))
    # Review interval for the "review overdue" warning; default: [tool.runbook.lint] review-interval.
    review_interval = c.Optional(ReviewInterval())
    # Where YAML files are edited, relative to repo_url (for example `edit/main/`); default: MkDocs'
    # edit_uri with the docs folder taken off its end.
    edit_uri = c.Optional(c.Type(str))
    # Build the navigation (home, runbooks by folder, catalogs, alerts, tags, guides) unless mkdocs.yml has one.
    nav = c.Type(bool, default=True)
    # The search index: `pagefind` (in chunks, see search.py) where it works, else Material's; `material`: Material's.
    search = c.Choice(("pagefind", "material"), default="pagefind")
    # Write the pages with every core (see parallel.py); `runbook serve` always uses one.
    parallel = c.Type(bool, default=True)


class RunbooksPlugin(BasePlugin[RunbooksConfig]):
    supports_multiple_instances = False

    def __init__(self):
        self.live: LiveSite | None = None  # under `serve`: state kept across rebuilds (see live.py)
        self.renderer: SiteRenderer | None = None
        self.sources: dict[str, str] = {}  # page src_uri -> YAML path relative to the project root
        self.project_root: Path | None = None
        self.folder: Path | None = None
        self.pagefind = False
        self.split: PageSplit | None = None
        self.site_nav = None
        self.site_files = None
        self.site_env = None
        self.catch_up: CatchUp | None = None  # under `serve`: builds the pages whose navigation is behind
        self.behind: list[str] = []
        self.built_urls: set[str] = set()  # under `serve`: the pages this build wrote (see _merge_search_index)
        self.dirty = False  # `serve --dirty` (as `runbook serve`): a rebuild builds only the pages it is told to

    def on_startup(self, *, command, dirty):
        # Defining on_startup also makes MkDocs keep this plugin object across the rebuilds of `serve`.
        if command == "serve":
            self.live = LiveSite()
            self.dirty = dirty
            self.catch_up = CatchUp() if dirty and CatchUp.available() else None

    def on_shutdown(self):
        if self.catch_up:
            self.catch_up.stop()
        if self.live:
            self.live.close()
            self.live = None

    @event_priority(100)  # before Material's offline plugin, which adds the CDN shim when none is listed
    def on_config(self, config):
        if self.catch_up:  # a rebuild begins: the pages written since the last one are up to date
            self.live.caught_up(self.catch_up.stop())
        self.built_urls = set()
        if _offline_enabled(config):
            polyfills = config.extra.setdefault("polyfills", [])
            if not any("iframe-worker" in str(url) for url in polyfills):
                polyfills.append(IFRAME_WORKER_SHIM)
        # Pagefind's index for a served site; Material's for a file:// site, and under serve (see search.py).
        self.pagefind = (self.config.search == PAGEFIND and not self.live and not _offline_enabled(config)
                         and MATERIAL_SEARCH in config.plugins and pagefind_executable() is not None)
        config.extra[MODE_KEY] = PAGEFIND if self.pagefind else "material"
        cores = PageSplit.workers_wanted() if self.config.parallel and not self.live and hasattr(os, "fork") else 1
        self.split = PageSplit(cores) if cores > 1 else None
        if self.pagefind and str(SEARCH_THEME_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(0, str(SEARCH_THEME_DIR))
        if self.live:
            self.live.cache_theme_files(config.theme)
        if self.live and self.live.built_once:
            # Rebuilds while serving: the 404 page (the whole navigation) and the sitemap from the first
            # build stay; rendering them again each time cost more than the page that changed.
            config.theme.static_templates.difference_update({"404.html", "sitemap.xml"})
        self.project_root = Path(config.config_file_path or ".").resolve().parent
        if not any(Path(folder, "runbook.html").is_file() for folder in config.theme.dirs):
            # A mkdocs.yml without `custom_dir: site-overrides`: the runbook page template comes from the package.
            from .defaults import overrides_dir

            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(overrides_dir()))
        try:
            load = self.live.load if self.live else load_site_source
            source = load(self.project_root, self.config.runbooks, self.config.review_interval)
        except CatalogErrors as exc:
            raise PluginError(f"the runbooks have errors; fix them and build again:\n{exc}") from None
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        self.folder = source.folder
        base = edit_base(config.repo_url, config.edit_uri, Path(config.docs_dir), self.project_root, self.config.edit_uri)
        self.renderer = SiteRenderer(source.catalog, source.folder, source.review_interval,
                                     edit_base=base, project_root=self.project_root, history=source.history,
                                     scenario_coverage=source.scenario_coverage)
        return config

    def on_files(self, files: Files, config) -> Files:
        renderer = self.renderer
        if self.pagefind:  # every plugin's on_config has run: Material's search has its index to replace
            leave_out_material_index(config.plugins)
        handwritten = sorted(f.src_uri for f in files.documentation_pages())
        generate_nav = self.config.nav and not config.nav
        if generate_nav:  # the pages the generated navigation leaves out on purpose (see SiteRenderer.not_in_nav)
            from pathspec.gitignore import GitIgnoreSpec

            left_out = GitIgnoreSpec.from_lines(renderer.not_in_nav()).match_file
        for page in (self.live.pages(renderer) if self.live else renderer.pages()):
            if files.get_file_from_path(page.uri) is not None:
                raise PluginError(f"docs/{page.uri} is a generated page; rename the hand-written file")
            file = self._generated(config, page.uri, page.markdown)
            if generate_nav and left_out(page.uri):
                file.inclusion = InclusionLevel.NOT_IN_NAV
            files.append(file)
            if page.source:
                self.sources[page.uri] = page.source
        # Hand-written pages with markers get the generated blocks (read here, never written back).
        for uri in handwritten:
            file = files.get_file_from_path(uri)
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            expanded = self.live.expand_markers(renderer, text, uri) if self.live else renderer.expand_markers(text, uri)
            if expanded != text:
                files.remove(file)
                files.append(self._generated(config, uri, expanded))
        if generate_nav:
            config.nav = self.live.nav(renderer, handwritten) if self.live else renderer.nav(handwritten)
            if self.live and self.dirty:  # the pages whose navigation changed are built too (see live.py)
                pages = {f.src_uri: f for f in files.documentation_pages()}
                if self.live.tags_changed and (tags_page := files.get_file_from_path(TAGS_PAGE)):
                    tags_page.is_modified = lambda: True  # Material's tags page lists them (_complete_tags)
                if self.catch_up:  # after this build, in another process
                    self.behind = self.live.behind_navigation(config.nav, list(pages))
                else:  # in this build and the next ones
                    for uri in self.live.stale_navigation(config.nav, list(pages)):
                        pages[uri].is_modified = lambda: True
        if _offline_enabled(config) and files.get_file_from_path(IFRAME_WORKER_SHIM) is None:
            shim = (VENDOR_DIR / "iframe-worker" / "shim.js").read_text(encoding="utf-8")
            files.append(File.generated(config, IFRAME_WORKER_SHIM, content=shim))
        return files

    def on_nav(self, nav, config, files):
        self.site_nav = nav
        self.site_files = files
        return nav

    @event_priority(110)  # before Material's tags plugin fills its tags page (at priority 100)
    def _complete_tags(self, env, config, files):
        """Under `serve`, Material's tags plugin knows the tags of the pages this build reads only, so a
        tags page built again listed those alone (and it was never built again: its text does not
        change). Here it learns the tags of every other page, from the front matter of their text."""
        tags = config.plugins.get("material/tags") or config.plugins.get("tags")
        mappings = getattr(tags, "mappings", None)
        if not self.live or mappings is None or not getattr(tags, "config", {}).get("enabled", True):
            return env
        for file in files.documentation_pages():
            page = file.page
            if page is None or page.markdown is not None:  # read by this build: the plugin has its tags
                continue
            text = self.live.page_text(file.src_uri, file.abs_src_path)
            if not text or "tags:" not in text:
                continue
            meta = self.live.front_matter(file.src_uri, text)
            if meta.get("tags"):
                page.meta = dict(meta)
                mappings.add(page, "")
        return env

    @event_priority(-100)  # last, once the other plugins have added their filters and globals
    def _theme_env(self, env, config, files):
        if self.live:
            self.site_env = self.live.theme_environment(env)
            return self.site_env
        if self.split:  # every page is read: the other cores start writing their share
            self.split.fork(env, config, files, self.site_nav)
        return env

    @event_priority(100)  # before Material's search plugin writes its index
    def _merge_search_index(self, config):
        """Under `serve`, Material's search index of the site: the entries of the pages this build wrote,
        those of the previous index for every other page that still exists.

        A dirty rebuild indexes only the pages it writes. Material then keeps the previous entries except
        those of the first page written, which is right when a rebuild writes one page; ours write several
        (the runbook, its index pages, the runbooks that link it), so their old entries stayed beside the
        new ones (an edited title was found under both titles), and a rebuild whose first page is the home
        page (location "") would drop every other page's entries."""
        search = config.plugins.get(MATERIAL_SEARCH) or config.plugins.get("search")
        previous = getattr(search, "search_index_prev", None)
        index = getattr(search, "search_index", None)
        if not self.live or previous is None or index is None or not hasattr(index, "entries"):
            return
        pages = {f.url for f in self.site_files.documentation_pages()} if self.site_files else set()
        kept = [entry for entry in previous.entries
                if (url := entry["location"].split("#", 1)[0]) not in self.built_urls and url in pages]
        index.entries = kept + index.entries
        search.search_index_prev = None  # merged here; Material's merge would drop the first page's entries

    @event_priority(-100)  # last: Pagefind reads the pages every plugin has written
    def _post_build(self, config):
        if self.live:
            self.live.built_once = True
            if self.catch_up:
                self.catch_up.start(self.behind, config, self.site_files, self.site_nav, self.site_env)
                self.behind = []
            elif self.live.pending:  # pages whose navigation is behind: one more build (see live.py)
                self.live.ask_for_build()
        if self.split:
            ok, warned = self.split.wait()
            if not ok:
                raise PluginError("writing the pages in another process failed (see the messages above)")
            if warned and config.strict:
                raise PluginError("warnings while writing the pages (see above); --strict stops here")
        if self.pagefind:
            remove_material_index(Path(config.site_dir))
            try:
                index_site(Path(config.site_dir))
            except SearchIndexError as exc:
                raise PluginError(str(exc)) from None

    on_env = CombinedEvent(_complete_tags, _theme_env)
    on_post_build = CombinedEvent(_merge_search_index, _post_build)

    def _generated(self, config, uri: str, markdown: str) -> File:
        # Under serve, a file in the cache folder: MkDocs' dirty build then skips it while it is unchanged.
        if self.live:
            return File.generated(config, uri, abs_src_path=str(self.live.write(uri, markdown)))
        return File.generated(config, uri, content=markdown)

    def on_page_context(self, context, page, config, nav):
        if self.live:
            self.built_urls.add(page.url)
        if self.split:
            self.split.skip(page)
        # Material's edit button (content.action.edit) opens the YAML file, like "Generated from ...".
        if page.file.src_uri in self.sources and page.meta.get("runbook_edit_url"):
            page.edit_url = page.meta["runbook_edit_url"]
        return context

    def on_build_error(self, error):
        if self.split:
            self.split.wait()

    def on_serve(self, server, config, builder):
        # A saved runbook or template rebuilds the site (and reloads the page in the browser).
        server.watch(str(self.folder))
        server.watch(str(TEMPLATES_DIR))
        if self.live:
            server.watch(str(self.live.signal_dir))
            use_native_watcher(server)  # a save starts the rebuild at once, not at the next poll
        return server


def _offline_enabled(config) -> bool:
    offline = config.plugins.get("material/offline")
    return bool(offline and offline.config.enabled)
