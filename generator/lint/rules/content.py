"""RB5xx: content: stale reviews and raw HTML in Markdown fields."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from ...codes import RULES
from ...model import Runbook, Templates, duration_seconds

STALE = RULES["RB501"]
RAW_HTML = RULES["RB502"]


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def check(ctx):
    for runbook in ctx.runbooks:
        finding = _stale(ctx, runbook)
        if finding:
            yield finding
    for document in ctx.documents:
        for pointer, text in _markdown_fields(document, ctx.sources[document.path].data):
            if "<" in text:  # no `<`, no HTML: skip the parser
                tag = _html(text)
                if tag:
                    yield ctx.finding(RAW_HTML, document, pointer, f"raw HTML {tag!r} in a Markdown field; write Markdown (or put it in backticks)")


def _stale(ctx, runbook: Runbook):
    if runbook.last_reviewed is None or ctx.replaced(runbook, "/review_interval"):
        return None
    interval = runbook.review_interval or ctx.config.review_interval
    days = duration_seconds(interval) // 86400
    due = runbook.last_reviewed + dt.timedelta(days=days)
    if due < ctx.today:
        age = (ctx.today - runbook.last_reviewed).days
        return ctx.finding(STALE, runbook, "/last_reviewed",
                           f"last reviewed {runbook.last_reviewed.isoformat()}, {age} days ago, over the review interval of {interval}; review it and update last_reviewed")
    return None


def _markdown_fields(document, data):
    for key in ("summary", "description"):
        if isinstance(data.get(key), str):
            yield f"/{key}", data[key]
    if isinstance(document, Runbook):
        for phase in document.phases:
            if phase.id and phase.description:
                yield phase.pointer + "/description", phase.description
        for step in document.steps:
            if step.description:
                yield step.pointer + "/description", step.description
            if step.confirm:
                yield step.pointer + "/confirm", step.confirm
            for index, item in enumerate(step.checklist):
                yield f"{step.pointer}/checklist/{index}", item
    elif isinstance(document, Templates):
        for template in document.templates:
            if template.description:
                yield template.pointer + "/description", template.description
            if template.format == "markdown":
                yield template.pointer + "/body", template.body


def _html(text: str) -> str | None:
    for token in _markdown().parse(text):
        if token.type == "html_block":
            return token.content.strip().splitlines()[0][:60]
        for child in token.children or ():
            if child.type == "html_inline":
                return child.content[:60]
    return None
