"""Where each generated page lives: one definition for the site, lint's alert checks and `runbook alerts`.

Light on purpose (no Jinja2, no MkDocs) and outside generator.site: lint imports it to tell whether a
`runbook_url` resolves, and must not load the site package for that.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .model import Document, Runbook

ALERTS_FOLDER = "alerts"


def alert_slug(name: str) -> str:
    """The alert's page: lower case so alert rules can link to a predictable URL."""
    return re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-") or "alert"


def alert_uri(name: str) -> str:
    return f"{ALERTS_FOLDER}/{alert_slug(name)}.md"


def runbook_uri(doc: Document) -> str:
    return f"{'runbooks' if isinstance(doc, Runbook) else 'catalogs'}/{doc.id}.md"


def step_anchor(step_id: str) -> str:
    return f"step-{step_id}"


def page_path(uri: str) -> str:
    """The published path of a Markdown page, as MkDocs writes it with directory URLs: `runbooks/x.md` -> `runbooks/x/`."""
    if uri == "index.md":
        return ""
    if uri.endswith("/index.md"):
        return uri[: -len("index.md")]
    return uri[: -len(".md")] + "/"


def page_url(site_url: str, uri: str, anchor: str = "", query: list[tuple[str, str]] = ()) -> str:
    """An absolute address of a generated page; query values are left as written (they may be alert templates)."""
    url = site_url.rstrip("/") + "/" + page_path(uri)
    if query:
        url += "?" + "&".join(f"{quote(name, safe='.')}={value}" for name, value in query)
    return url + (f"#{anchor}" if anchor else "")
