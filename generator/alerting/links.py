"""What a `runbook_url` points at on the published site, computed with the site's own page addresses.

The site is a set of pages (see generator.page_urls): `runbooks/<id>/`, `catalogs/<id>/`,
`alerts/<slug>/` for every alert a runbook lists, the index pages and the hand-written pages in
`docs/`. A link under `site-url` resolves when it names one of them (and, for `#step-...`, a step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from ..model import Document, Runbook
from ..suggest import closest
from ..page_urls import alert_slug, alert_uri, page_path, page_url, runbook_uri, step_anchor

# Generated pages that are not documents (generator.site.pages writes them).
FIXED_PAGES = ("runbooks/index.md", "alerts/index.md", "tags.md", "reference/format.md", "index.md")


@dataclass(frozen=True)
class Target:
    """A resolved link: the runbooks it leads to (one for a runbook page, those of an alert page)."""

    path: str  # the page's path under the site, `runbooks/payment-service/`
    runbooks: tuple[Runbook, ...] = ()
    alert_page: bool = False


@dataclass
class Site:
    url: str
    documents: list[Document]
    docs_dir: Path | None = None
    pages: dict[str, Target] = field(init=False)

    def __post_init__(self) -> None:
        self.pages = {}
        runbooks = [d for d in self.documents if isinstance(d, Runbook)]
        for doc in self.documents:
            path = page_path(runbook_uri(doc))
            self.pages[path] = Target(path, (doc,) if isinstance(doc, Runbook) else ())
        by_alert: dict[str, list[Runbook]] = {}
        for runbook in runbooks:
            for name in runbook.alerts:
                by_alert.setdefault(page_path(alert_uri(name)), []).append(runbook)
        for path, listing in by_alert.items():
            self.pages[path] = Target(path, tuple(listing), alert_page=True)
        for uri in FIXED_PAGES:
            self.pages.setdefault(page_path(uri), Target(page_path(uri)))
        if self.docs_dir and self.docs_dir.is_dir():
            for markdown in self.docs_dir.rglob("*.md"):
                uri = markdown.relative_to(self.docs_dir).as_posix()
                self.pages.setdefault(page_path(uri), Target(page_path(uri)))

    def relative(self, url: str) -> str | None:
        """The path of `url` under the site (without query and fragment), or None for a link elsewhere."""
        base, link = urlsplit(self.url), urlsplit(url)
        # http and https of the same host are the same site (a redirect away); another host is not ours.
        if link.scheme not in ("http", "https") or link.netloc.lower() != base.netloc.lower():
            return None
        prefix = base.path.rstrip("/") + "/"
        link = link._replace(path=unquote(link.path))
        path = link.path if link.path.endswith("/") or "." in link.path.rsplit("/", 1)[-1] else link.path + "/"
        if not path.startswith(prefix):
            return None
        path = path[len(prefix):]
        if path.endswith("index.html"):
            path = path[: -len("index.html")]
        elif path.endswith(".html"):
            path = path[: -len(".html")] + "/"
        return path


@dataclass(frozen=True)
class Resolution:
    target: Target | None
    problem: str | None = None  # why the link resolves to no page, with a suggestion


def resolve(site: Site, url: str) -> Resolution | None:
    """None when the link is not under the site (nothing to check), else the page or the problem."""
    path = site.relative(url)
    if path is None:
        return None
    if "{{" in path or "{%" in path:
        return None  # a templated path (`{{ $labels.runbook }}`) is only known when the alert fires
    parts = urlsplit(url)
    target = site.pages.get(path)
    if target is None:
        return Resolution(None, f"{path or '/'} is no page of the site{_suggest(path, site)}")
    anchor = parts.fragment
    if anchor.startswith("step-") and len(target.runbooks) == 1 and not target.alert_page:
        runbook = target.runbooks[0]
        steps = {step_anchor(step.id) for step in runbook.steps}
        if anchor not in steps:
            close = closest(anchor, steps)
            hint = f"; did you mean #{close}?" if close else f"; its steps: {', '.join(s.id for s in runbook.steps)}"
            return Resolution(None, f"runbook {runbook.id} has no step #{anchor}{hint}")
    for name, _value in parse_qsl(parts.query, keep_blank_values=True):
        if name.startswith("var.") and target.runbooks:
            variable = name[len("var."):]
            missing = [r.id for r in target.runbooks if r.variable(variable) is None]
            if len(missing) == len(target.runbooks):  # on an alert page, one of its runbooks is enough
                return Resolution(None, f"{name}: runbook {missing[0]} has no variable {variable}")
    return Resolution(target)


def is_repository_path(link: str) -> bool:
    """A link without scheme or host (`docs/patroni/README.md`): a path in the repository, not an address."""
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc and bool(parts.path) and "{{" not in link and "{%" not in link


def _suggest(path: str, site: Site) -> str:
    close = closest(path, site.pages, cutoff=0.75)
    if close:
        return f"; did you mean {site.url.rstrip('/')}/{close}?"
    if path.startswith("alerts/"):
        return "; an alert page exists for each alert a runbook lists in `alerts`"
    return ""


def alert_page_path(name: str) -> str:
    return page_path(alert_uri(name))


def expected_url(site_url: str, name: str, runbooks: list[Runbook], chosen: Runbook | None = None) -> str | None:
    """The `runbook_url` an alert should carry: its runbook's page when one runbook lists it (one click
    less mid-incident), else its alert page; variables taken from labels ride along as `?var.NAME=`
    with Prometheus templates for the values. `chosen`: of the runbooks that list the alert, the one this
    rule's own link already names (two rules of one alert name, each with its page)."""
    listing = [chosen] if chosen is not None else [r for r in runbooks if name in r.alerts]
    if not listing:
        return None
    uri = runbook_uri(listing[0]) if len(listing) == 1 else alert_uri(name)
    query: dict[str, str] = {}
    for runbook in listing:
        for variable in runbook.variables:
            if variable.label:
                query.setdefault(f"var.{variable.name}", "{{ $labels.%s }}" % variable.label)
    return page_url(site_url, uri, query=list(query.items()))


__all__ = ["Site", "Target", "Resolution", "resolve", "is_repository_path", "alert_page_path", "alert_slug", "expected_url"]
