"""The site's pages: documents rendered to Markdown with the Jinja2 templates in `templates/`.

One `SiteRenderer` turns a loaded catalog into generated pages (uri -> Markdown) and a navigation.
The MkDocs plugin adds these pages with `File.generated`; `runbook render` writes them to disk. Both
see exactly the same text, so the plugin build and a plain MkDocs build of the rendered project match.

Every value from YAML is escaped by the environment's `finalize` (see `markup`); templates opt out only
for strings that `markup` already made safe (`Md`).
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jinja2

from .. import clock
from ..model import (Document, EscalationPolicy, Reference, Runbook, SeverityLevels, Templates,
                     duration_seconds)
from ..project import Catalog
from ..schema import SCHEMA_FILES, load_schema
from ..history import RunHistory
from . import markup, search_terms
from .freshness import Freshness, ScenarioCoverage, runbook_freshness
from .groups import BROWSE, PAGE_SIZE, RUNBOOKS_INDEX, TEAMS_INDEX, Grouping, Section
from .urls import alert_slug, alert_uri, runbook_uri  # noqa: F401  (one definition of the pages' addresses)

TEMPLATES_DIR = Path(__file__).parent / "templates"

# Hand-written pages ask for generated blocks with these markers (the home page shows the matrix).
MARKER = re.compile(r"<!--\s*runbooks:(severity-matrix|services|alerts)\s*-->")

ALERTS_INDEX = "alerts/index.md"
TAGS_PAGE = "tags.md"
FORMAT_PAGE = "reference/format.md"

_KIND_TEMPLATE = {
    "runbook": "runbook.md.j2",
    "severity-levels": "severity-levels.md.j2",
    "escalation-policy": "escalation-policy.md.j2",
    "templates": "templates.md.j2",
    "reference": "reference.md.j2",
}


@dataclass(frozen=True)
class ListingJob:
    """One page that lists runbooks, not yet rendered: its text depends on `shape` (what it shows besides
    rows: page number and count, sections, names) and on what it shows of each runbook in `rows`."""

    uri: str
    shape: tuple
    rows: tuple
    render: Callable[[], GeneratedPage] = field(compare=False)


@dataclass(frozen=True)
class GeneratedPage:
    uri: str
    markdown: str
    source: str | None = None  # the YAML file the page comes from, for the edit link


@dataclass(frozen=True)
class Review:
    """Whether a runbook's last review is older than its review interval."""

    last: dt.date | None
    interval_days: int
    today: dt.date

    @property
    def age_days(self) -> int | None:
        return (self.today - self.last).days if self.last else None

    @property
    def stale(self) -> bool:
        return self.last is None or self.age_days > self.interval_days

    @property
    def due(self) -> dt.date | None:
        return self.last + dt.timedelta(days=self.interval_days) if self.last else None


def humanize_duration(text: str) -> str:
    """`15m` -> `15 minutes`; other words (`next-business-day`, `immediately`) read as they are."""
    match = re.fullmatch(r"([1-9][0-9]*)(s|m|h|d|w)", text or "")
    if not match:
        return (text or "").replace("-", " ").capitalize()
    number, unit = int(match.group(1)), match.group(2)
    word = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week"}[unit]
    return f"{number} {word}{'s' if number != 1 else ''}"


def humanize_seconds(seconds: int) -> str:
    """A step timeout for people: `30` -> `30 s`, `900` -> `15 min`, `5400` -> `1 h 30 min`."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(p for p in parts if p) or "0 s"


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates' environment, compiled once per process (templates reload when their file changes)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is Markdown; `finalize` escapes instead
        finalize=lambda value: value if isinstance(value, markup.Md) else markup.inline(value),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # `{#id}` is Markdown's attribute list for heading anchors, not a Jinja comment.
        comment_start_string="<#--",
        comment_end_string="--#>",
    )
    env.filters.update(
        block=markup.block, inline=markup.inline, html=markup.plain_html, attr=markup.attr,
        fence=markup.fence, yaml=markup.yaml_string, code=markup.code, duration=humanize_duration,
        seconds=humanize_seconds,
        shell_export=markup.shell_export, indent_md=markup.indent,
    )
    env.globals.update(alerts_terms=lambda names: [t for n in names for t in search_terms.alert_terms(n)],
                       command_terms=search_terms.command_terms,
                       search_terms=lambda *terms: markup.Md(search_terms.hidden(*terms)),
                       md=markup.Md, code=markup.code, alert_uri=alert_uri)
    return env


@dataclass
class SiteRenderer:
    catalog: Catalog
    root: Path  # the runbooks folder, to group runbooks by sub-folder in the navigation
    review_interval: str = "180d"
    today: dt.date = field(default_factory=clock.today)
    # The repository address YAML paths are appended to for edit links (see `edit`); None: no links.
    edit_base: str | None = None
    project_root: Path | None = None
    # The runs and drills of the transcripts folder (generator.history), for each runbook page's "Runs and
    # drills" panel; None: no panel about runs (the panel still shows scenario coverage when given).
    history: RunHistory | None = None
    # Hook for `runbook test --coverage`: runbook id -> ScenarioCoverage(scenarios, covered_steps, total_steps),
    # shown in the same panel.
    scenario_coverage: Mapping[str, ScenarioCoverage] = field(default_factory=dict)

    # ---- lookups -------------------------------------------------------------------------------

    @cached_property
    def runbooks(self) -> list[Runbook]:
        return sorted(self.catalog.runbooks, key=lambda r: (r.service or "~", r.id))

    @property
    def published(self) -> list[Document]:
        """The documents that have a page; scenario files (kind runbook-test) test runbooks, they are not content."""
        return [d for d in self.catalog.documents if d.kind in _KIND_TEMPLATE]

    @cached_property
    def severity_levels(self) -> SeverityLevels | None:
        return next((d for d in self.catalog.documents if isinstance(d, SeverityLevels)), None)

    @cached_property
    def escalation_policy(self) -> EscalationPolicy | None:
        return next((d for d in self.catalog.documents if isinstance(d, EscalationPolicy)), None)

    @cached_property
    def template_docs(self) -> dict[str, Templates]:
        return {t.id: doc for doc in self.catalog.documents if isinstance(doc, Templates) for t in doc.templates}

    @cached_property
    def alerts(self) -> dict[str, tuple[str, list[Runbook]]]:
        """Alert slug -> (name as written, runbooks); names that differ only in case share one page."""
        found: dict[str, tuple[str, list[Runbook]]] = {}
        for runbook in self.runbooks:
            for name in runbook.alerts:
                found.setdefault(alert_slug(name), (name, []))[1].append(runbook)
        return dict(sorted(found.items()))

    # ---- calls (`uses`, generator/calls.py) --------------------------------------------------------

    @cached_property
    def calls(self):
        from ..calls import Calls

        return Calls(self.catalog.runbooks)

    def call(self, step):
        return self.calls.resolve(step)

    def risk(self, step) -> str:
        """A step's risk badge; a `uses` step's is the highest risk of what it calls."""
        return self.calls.risk(step) if step.uses else step.risk

    @staticmethod
    def with_reference(value: str) -> str | None:
        from ..calls import reference

        return reference(value)

    @staticmethod
    def with_json(step) -> str:
        """The call's `with` for the page's script: called variable -> `$NAME` of the caller or literal text."""
        import json

        return json.dumps(dict(step.with_), ensure_ascii=False, sort_keys=True)

    @staticmethod
    def call_export(step) -> str:
        """`export DEPLOYMENT="$SERVICE" REASON='bad release'`: what a call passes, for pasting before its commands
        ("" when every value is this runbook's variable of the same name)."""
        import shlex

        from ..calls import reference

        words = []
        for name, value in step.with_:
            ref = reference(value)
            if ref != name:  # `SERVICE: "$SERVICE"` is already set by this page's export block
                words.append(f'{name}="${ref}"' if ref else f"{name}={shlex.quote(value)}")
        return "export " + " ".join(words) if words else ""

    @staticmethod
    def not_passed(call) -> list:
        given = {name for name, _ in call.step.with_}
        return [v for v in call.needed_variables() if v.name not in given]

    @cached_property
    def _documents(self) -> dict[str, Document]:
        found: dict[str, Document] = {}
        for doc in self.catalog.documents:
            found.setdefault(doc.id, doc)  # the first, as Catalog.by_id
        return found

    def by_id(self, doc_id: str | None) -> Document | None:
        """`catalog.by_id` in constant time: the listing pages look up every runbook they link."""
        return self._documents.get(doc_id)

    @cached_property
    def grouping(self) -> Grouping:
        """The navigation's sections and the index pages (see `groups`)."""
        return Grouping(self.runbooks, {r.id: self._folder(r.path) for r in self.runbooks})

    teams_index = TEAMS_INDEX

    def team_uri(self, owner: str) -> str:
        """The index page of a team's runbooks."""
        return self.grouping.teams[owner].uri

    @cached_property
    def alert_pages(self) -> list[list[str]]:
        """The alerts index in pages of PAGE_SIZE alerts (slugs)."""
        slugs = list(self.alerts)
        return [slugs[start: start + PAGE_SIZE] for start in range(0, len(slugs), PAGE_SIZE)] or [[]]

    @staticmethod
    def alerts_page_uri(number: int) -> str:
        return ALERTS_INDEX if number == 1 else f"{BROWSE}/alerts/{number}.md"

    def review(self, runbook: Runbook) -> Review:
        interval = duration_seconds(runbook.review_interval or self.review_interval) // 86400
        return Review(runbook.last_reviewed, interval, self.today)

    def freshness(self, runbook: Runbook) -> Freshness | None:
        """The "Runs and drills" panel's facts for a runbook page (template `_freshness.md.j2`)."""
        return runbook_freshness(runbook, self.history, self.scenario_coverage.get(runbook.id))

    def edit_link(self, source: str) -> str | None:
        from .edit import edit_url

        return edit_url(self.edit_base, self.project_root or Path.cwd(), source) if self.edit_base else None

    def severity_label(self, severity_id: str | None) -> str:
        level = next((l for l in self.severity_levels.levels if l.id == severity_id), None) if self.severity_levels else None
        return level.name if level else (severity_id or "")

    def link(self, base: str, kind: str, target: str | None, anchor: str = "") -> str | None:
        """A relative link from page `base` to a generated page, or None when the target does not exist."""
        if kind == "runbook":
            doc = self.by_id(target)
            uri = runbook_uri(doc) if doc else None
        elif kind == "severity":
            doc = self.severity_levels
            uri = runbook_uri(doc) if doc else None
            anchor = target or ""
        elif kind == "escalation":
            doc = self.by_id(target) if target else self.escalation_policy
            uri = runbook_uri(doc) if isinstance(doc, EscalationPolicy) else None
        elif kind == "template":
            doc = self.template_docs.get(target)
            uri = runbook_uri(doc) if doc else None
            anchor = f"template-{target}"
        elif kind == "alert":
            uri = f"alerts/{alert_slug(target)}.md"
        else:  # a fixed page
            uri = target
        if uri is None:
            return None
        relative = posixpath.relpath(uri, posixpath.dirname(base) or ".")
        return relative + (f"#{anchor}" if anchor else "")

    # ---- pages ---------------------------------------------------------------------------------

    def render(self, template: str, base: str, **context) -> str:
        # This renderer's lookups go in with the context (included templates see it too), so that one
        # compiled environment serves every renderer (`runbook serve` makes one per rebuild).
        return environment().get_template(template).render(
            base=base, site=self, link=self.link, review=self.review, severity_label=self.severity_label, **context)

    def pages(self) -> list[GeneratedPage]:
        return [*(self.document_page(doc) for doc in self.published),
                *(self.alert_page(slug) for slug in self.alerts), *self.listing_pages()]

    def document_page(self, doc: Document) -> GeneratedPage:
        uri = runbook_uri(doc)
        return GeneratedPage(uri, self.render(_KIND_TEMPLATE[doc.kind], uri, doc=doc), doc.path)

    def alert_page(self, slug: str) -> GeneratedPage:
        name, runbooks = self.alerts[slug]
        uri = f"alerts/{slug}.md"
        return GeneratedPage(uri, self.render("alert.md.j2", uri, name=name, runbooks=runbooks))

    def listing_pages(self) -> list[GeneratedPage]:
        """The pages that list the catalog: runbooks (every page of every index), alerts, tags, teams, and
        the format reference."""
        return [job.render() for job in self.listing_jobs()]

    def listing_jobs(self) -> list[ListingJob]:
        """`listing_pages`, one job per page, each saying what it shows: `runbook serve` renders again
        only the pages whose rows or shape changed (see live.py)."""
        everything = self.grouping.all
        folders = tuple((s.title, s.listing.uri) for s in self.grouping.folders)
        jobs = [ListingJob(uri, ("services", n, everything.page_count, len(everything.runbooks), folders),
                           everything.rows(n), functools.partial(self._page, "services.md.j2", uri, number=n))
                for n in range(1, everything.page_count + 1) for uri in [everything.page_uri(n)]]
        for n, slugs in enumerate(self.alert_pages, 1):
            uri = self.alerts_page_uri(n)
            shown = tuple((slug, self.alerts[slug][0], tuple(r.id for r in self.alerts[slug][1])) for slug in slugs)
            shape = ("alerts", n, len(self.alert_pages), len(self.alerts), next(iter(self.alerts), None), shown)
            jobs.append(ListingJob(uri, shape, tuple(r for slug in slugs for r in self.alerts[slug][1]),
                                   functools.partial(self._page, "alerts.md.j2", uri, number=n, slugs=slugs)))
        teams = tuple((owner, listing.uri, len(listing.runbooks)) for owner, listing in self.grouping.teams.items())
        jobs += [ListingJob(TAGS_PAGE, ("tags",), (), functools.partial(self._page, "tags.md.j2", TAGS_PAGE)),
                 ListingJob(FORMAT_PAGE, ("format",), (), self._format_page),
                 ListingJob(TEAMS_INDEX, ("teams", teams), (), functools.partial(self._page, "teams.md.j2", TEAMS_INDEX))]
        for listing in self.grouping.listings()[1:]:
            sections = tuple((s.title, s.listing.uri, len(s.listing.runbooks)) for s in listing.sections)
            jobs += [ListingJob(uri, ("listing", listing.uri, listing.title, listing.intro, n, listing.page_count, sections),
                                listing.rows(n), functools.partial(self._page, "listing.md.j2", uri, listing=listing, number=n))
                     for n in range(1, listing.page_count + 1) for uri in [listing.page_uri(n)]]
        return jobs

    def _page(self, template: str, uri: str, **context) -> GeneratedPage:
        return GeneratedPage(uri, self.render(template, uri, **context))

    def _format_page(self) -> GeneratedPage:
        return self._page("format.md.j2", FORMAT_PAGE, kinds=format_reference())

    def expand_markers(self, markdown: str, base: str) -> str:
        """Replace `<!-- runbooks:... -->` in a hand-written page with the generated block."""
        templates = {"severity-matrix": "_severity_matrix.md.j2", "services": "_services_table.md.j2",
                     "alerts": "_alerts_table.md.j2"}
        return MARKER.sub(lambda m: self.render(templates[m.group(1)], base).strip("\n"), markdown)

    def nav(self, handwritten: list[str]) -> list:
        """The navigation: home, runbooks by folder (in sections of at most GROUP_SIZE, see `groups`),
        catalogs, alerts, tags, then the guides. Only index pages list many runbooks; the navigation
        of a page holds its own sections' entries and one link for every other section."""
        grouping = self.grouping
        runbooks_nav: list = [RUNBOOKS_INDEX, *(section_nav(s) for s in grouping.folders),
                              *(runbook_entry(r) for r in grouping.top_level)]
        catalogs = [runbook_uri(d) for d in sorted(
            (d for d in self.published if not isinstance(d, Runbook)),
            key=lambda d: (list(SCHEMA_FILES).index(d.kind), d.id))]
        nav: list = []
        if "index.md" in handwritten:
            nav.append("index.md")
        nav.append({"Runbooks": runbooks_nav})
        if catalogs:
            nav.append({"Catalogs": catalogs})
        nav.append({"Alerts": [ALERTS_INDEX]})
        nav.append(TAGS_PAGE)
        guides = [uri for uri in handwritten if uri != "index.md"]
        nav.append({"Guides": [*guides, FORMAT_PAGE]})
        return nav

    def not_in_nav(self) -> list[str]:
        """The generated pages the navigation leaves out (gitignore patterns, as MkDocs' `not_in_nav`):
        the alerts' pages, further pages of the index pages, the teams."""
        return ["/alerts/", f"/{BROWSE}/all/", f"/{BROWSE}/alerts/", f"/{BROWSE}/teams/",
                f"/{BROWSE}/kinds/**/[0-9]*.md"]

    def _folder(self, path: str) -> str:
        return _folder_below(path, str(self.root))


@functools.lru_cache(maxsize=65536)  # `runbook serve` groups every runbook again on each rebuild
def _folder_below(path: str, root: str) -> str:
    """The folder of `path` below `root` ("" at the top or outside it)."""
    try:
        relative = Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return ""
    return relative.parent.as_posix() if relative.parent != Path(".") else ""


def section_nav(section: Section) -> dict:
    """A navigation section: its index page first (Material's `navigation.indexes` makes it the section's
    link, and `navigation.prune` shows a closed section as that link alone), then its entries."""
    entries = [section_nav(s) for s in section.sections] or [runbook_entry(r) for r in section.runbooks]
    return {str(markup.plain_html(section.title)): [section.listing.uri, *entries]}


def runbook_entry(runbook: Runbook) -> dict:
    """A runbook in the navigation, titled there: `runbook serve`'s dirty rebuilds do not read the pages
    that did not change, and MkDocs would title those from their file name."""
    return {str(markup.plain_html(runbook.title)): runbook_uri(runbook)}


def nav_views(nav: list) -> tuple[tuple, dict[str, tuple]]:
    """What a page's pruned navigation shows: the top level and its sections' entries (the base, all a page
    outside the navigation shows), and for each page of the navigation the base and the entries of every
    section above the page (title and page of each). A page whose view changed must be built again even
    when its text did not (see live.py)."""
    def entry(item) -> tuple:
        if isinstance(item, dict):
            (title, value), = item.items()
            return (title, value if isinstance(value, str) else _first_page(value))
        return (None, item)

    def value_of(item):
        return next(iter(item.values())) if isinstance(item, dict) else item

    # With `navigation.sections` the top level's sections are always open: every page shows their entries.
    base = (tuple(entry(i) for i in nav),
            *(tuple(entry(c) for c in value_of(i)) for i in nav if not isinstance(value_of(i), str)))
    views: dict[str, tuple] = {}

    def walk(items: list, view: tuple) -> None:
        for item in items:
            value = value_of(item)
            if isinstance(value, str):
                views[value] = view
            else:
                walk(value, (*view, tuple(entry(c) for c in value)))

    for item in nav:  # the top level's own pages, and its sections' entries, see just the base
        value = value_of(item)
        if isinstance(value, str):
            views[value] = base
        else:
            walk(value, base)
    return base, views


def _first_page(items: list) -> str:
    first = items[0]
    value = next(iter(first.values())) if isinstance(first, dict) else first
    return value if isinstance(value, str) else _first_page(value)


# ---- the format reference, from the schemas' descriptions ---------------------------------------

@dataclass
class SchemaTable:
    anchor: str
    title: str
    description: str
    rows: list[tuple[str, str, bool, str]]  # property, type, required, description


def format_reference() -> list[tuple[str, str, list[SchemaTable]]]:
    """(kind, description, tables) for each document kind, walking properties and `$defs` references."""
    kinds = []
    for kind in SCHEMA_FILES:
        schema = load_schema(kind)
        tables: list[SchemaTable] = []
        _walk(schema, schema, kind, kind, "", tables, set())
        kinds.append((kind, schema.get("description", ""), tables))
    return kinds


def _resolve(root: dict, node: dict) -> tuple[dict, str | None]:
    ref = node.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        name = ref.rsplit("/", 1)[1]
        merged = {**root["$defs"][name], **{k: v for k, v in node.items() if k != "$ref"}}
        return merged, name
    return node, None


def _type_of(root: dict, node: dict) -> str:
    node, ref = _resolve(root, node)
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type")
    if kind == "array":
        return f"list of {_type_of(root, node.get('items', {}))}"
    if kind == "object" and "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
        return f"map of {_type_of(root, node['additionalProperties'])}"
    if ref in ("id", "line", "text", "duration", "command"):
        return {"id": "kebab-case id", "line": "one line", "text": "text", "duration": "duration", "command": "bash command"}[ref]
    if isinstance(kind, list):
        return " or ".join(kind)
    if "oneOf" in node or "anyOf" in node:
        return " or ".join(_type_of(root, n) for n in node.get("oneOf", node.get("anyOf", [])))
    return kind or "any"


def _object_of(root: dict, node: dict) -> dict | None:
    """The object schema a property holds, directly, as list items or as map values."""
    node, _ = _resolve(root, node)
    if node.get("type") == "array":
        return _object_of(root, node.get("items", {}))
    if isinstance(node.get("additionalProperties"), dict) and "properties" not in node:
        return _object_of(root, node["additionalProperties"])
    if "oneOf" in node:
        for option in node["oneOf"]:
            found = _object_of(root, option)
            if found:
                return found
    return node if "properties" in node else None


def _walk(root, node, kind, title, anchor_path, tables, seen) -> None:
    node, _ = _resolve(root, node)
    required = set(node.get("required", ()))
    rows = []
    nested = []
    for name, prop in node.get("properties", {}).items():
        resolved, _ = _resolve(root, prop)
        rows.append((name, _type_of(root, prop), name in required, resolved.get("description", "")))
        child = _object_of(root, prop)
        if child is not None and id(child) not in seen:
            nested.append((name, child))
    anchor = f"{kind}{'-' + anchor_path if anchor_path else ''}"
    tables.append(SchemaTable(anchor, title, node.get("description", ""), rows))
    for name, child in nested:
        seen.add(id(child))
        _walk(root, child, kind, f"{title} › {name}", f"{anchor_path}-{name}".strip("-").replace("_", "-"), tables, seen)
