"""YAML front matter (`---` at the top of the page) -> runbook metadata, each field checked against the schema."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from . import codes
from .steps import Importer
from .text import kebab

FRONT_MATTER_KEYS = ("title", "summary", "description", "service", "owner", "severity", "escalation", "tags",
                     "alerts", "related", "last_reviewed")
KEY_ALIASES = {"team": "owner", "name": "title", "alert": "alerts", "keywords": "tags", "updated": "last_reviewed",
               "last-reviewed": "last_reviewed", "reviewed": "last_reviewed", "last_reviewed_on": "last_reviewed",
               # GOV.UK's Middleman pages: the owning team's Slack channel, and the manual's section as a tag
               "owner_slack": "owner", "owner_team": "owner", "owners": "owner", "section": "tags", "category": "tags",
               "categories": "tags", "labels": "tags"}
# Fields that only steer the site generator the page came from (Middleman, Jekyll, Hugo, Docusaurus): left out
# with a note, not a warning, since nothing of the runbook is lost.
SITE_KEYS = frozenset({"layout", "parent", "type", "permalink", "weight", "nav_order", "nav_exclude", "draft", "slug",
                       "aliases", "toc", "sidebar_position", "sidebar_label", "menu", "date", "review_in", "important",
                       "related_repos", "subsection", "has_children", "grand_parent", "hide", "template", "url",
                       "redirect_from", "source_url", "edit_url", "search", "published", "lang", "id"})


@lru_cache(maxsize=None)
def _property_validator(key: str):
    import jsonschema

    from ..schema import load_schema

    schema = load_schema("runbook")
    return jsonschema.Draft202012Validator({**schema["properties"][key], "$defs": schema["$defs"]},
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def read_front_matter(importer: Importer, document, text: str) -> dict:
    if document.front_matter_error:
        importer.note(codes.FRONT_MATTER, 1, document.front_matter_error + "; it was ignored")
    meta: dict = {}
    lines = text.splitlines()

    def line_of(key: str) -> int:
        for number, line in enumerate(lines, 1):
            if re.match(rf"^(\[\s*)?{re.escape(str(key))}(\s*[:=]|\s*\])", line):  # YAML `key:`, TOML `key =`, `[key]`
                return number
        return 1

    for raw_key, value in document.front_matter.items():
        key = KEY_ALIASES.get(str(raw_key).lower(), str(raw_key).lower())
        if key not in FRONT_MATTER_KEYS:
            rule = codes.GUESSED if key in SITE_KEYS else codes.FRONT_MATTER
            importer.note(rule, line_of(raw_key), f"front matter field {raw_key!r} is not used by the "
                                                  f"runbook format; it was left out")
            continue
        value = _normalise(key, value)
        if key in ("tags", "alerts", "related") and isinstance(meta.get(key), list) and isinstance(value, list):
            value = list(dict.fromkeys(meta[key] + value))  # `section:` and `tags:` both become tags
        errors = list(_property_validator(key).iter_errors(value))
        if errors:
            importer.note(codes.FRONT_MATTER, line_of(raw_key), f"front matter {raw_key}: {value!r} is not valid "
                                                                f"({errors[0].message}); it was left out")
            continue
        if str(raw_key) != key or value != document.front_matter[raw_key]:
            importer.note(codes.GUESSED, line_of(raw_key), f"front matter {raw_key}: written as {key}: {value!r}")
        meta[key] = value
    return meta


def _normalise(key: str, value):
    """Dates to text, comma lists to lists, team names to kebab-case: the forms people write in front matter."""
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()[:10]
    if key in ("tags", "alerts", "related") and isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if key == "owner" and isinstance(value, list) and value and isinstance(value[0], str):
        value = value[0]  # `owners: [a, b]`: the first is the owner
    if key in ("owner", "service", "severity", "escalation") and isinstance(value, str):
        value = kebab(value) or value
    if key in ("tags", "related") and isinstance(value, list):
        value = list(dict.fromkeys(kebab(v) if isinstance(v, str) else v for v in value))
    if key in ("title", "summary", "description") and isinstance(value, str):
        value = value.strip()
    return value
