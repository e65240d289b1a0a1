"""RB2xx: ids and references between documents."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...codes import RULES
from ...model import Runbook, RunbookTest, SeverityLevels, Templates

DUPLICATE_ID = RULES["RB201"]
ID_NOT_STEM = RULES["RB202"]
DUPLICATE_STEP = RULES["RB203"]
DUPLICATE_PHASE = RULES["RB204"]
UNKNOWN_RELATED = RULES["RB205"]
UNKNOWN_SEVERITY = RULES["RB206"]
UNKNOWN_ESCALATION = RULES["RB207"]
UNKNOWN_TEMPLATE = RULES["RB208"]
DUPLICATE_ITEM = RULES["RB209"]


def check(ctx):
    yield from _documents(ctx)
    known = _Listing()
    for runbook in ctx.runbooks:
        yield from _runbook(ctx, runbook, known)
    yield from _catalog_items(ctx)


def _documents(ctx):
    # The second of two equal ids is reported, in the order of every linted document (ctx.linted), so a
    # parallel run, where this run sees a share of them, reports the same one.
    first: dict[str, str] = {}
    for doc in ctx.linted:
        if isinstance(doc, RunbookTest):
            continue  # named by its file (`payment-service.test`), referred to by nothing: no id to check
        own = id(doc) in ctx.own
        if doc.id in first:
            if own:
                yield ctx.finding(DUPLICATE_ID, doc, "/id", f"id {doc.id!r} is also used by {first[doc.id]}; ids must be unique")
        else:
            first[doc.id] = doc.path
        stem = Path(doc.path).name.rsplit(".", 1)[0]
        if own and doc.id != stem:
            yield ctx.finding(ID_NOT_STEM, doc, "/id", f"id {doc.id!r} differs from the file name {stem!r}; rename the file or the id")
    # A duplicate between a linted file and the runbooks folder matters too (a new file copied from an old one).
    # By id, not every pair: linting part of a large folder stays linear.
    folder: dict[str, list] = {}
    for other in ctx.reference_documents:
        folder.setdefault(other.id, []).append(other)
    for doc in ctx.documents:
        if isinstance(doc, RunbookTest):
            continue
        for other in folder.get(doc.id, ()):
            if other.path != doc.path and other.kind == doc.kind:
                yield ctx.finding(DUPLICATE_ID, doc, "/id", f"id {doc.id!r} is also used by {other.path}; ids must be unique")


def _runbook(ctx, runbook: Runbook, _known: _Listing):
    seen: dict[str, str] = {}
    for phase in runbook.phases:
        if not phase.id:
            continue
        if phase.id in seen:
            yield ctx.finding(DUPLICATE_PHASE, runbook, phase.pointer + "/id", f"phase id {phase.id!r} is used twice (first at {seen[phase.id]})")
        seen.setdefault(phase.id, phase.pointer)
    seen = {}
    for step in runbook.steps:
        if step.id in seen:
            line = ctx.sources[runbook.path].locate(seen[step.id] + "/id")[0]
            yield ctx.finding(DUPLICATE_STEP, runbook, step.pointer + "/id", f"step id {step.id!r} is used twice (first on line {line})")
        seen.setdefault(step.id, step.pointer)
        if step.template and step.template not in ctx.template_ids:
            yield ctx.finding(UNKNOWN_TEMPLATE, runbook, step.pointer + "/template",
                              f"unknown template {step.template!r}; known: {_known(ctx.template_ids)}")
    for index, related in enumerate(runbook.related):
        if related not in ctx.runbook_ids:
            yield ctx.finding(UNKNOWN_RELATED, runbook, f"/related/{index}", f"related runbook {related!r} does not exist; known: {_known(ctx.runbook_ids, but=runbook.id)}")
    if runbook.severity and runbook.severity not in ctx.severity_ids:
        yield ctx.finding(UNKNOWN_SEVERITY, runbook, "/severity", f"unknown severity level {runbook.severity!r}; known: {_known(ctx.severity_ids)}")
    if runbook.escalation and runbook.escalation not in ctx.escalation_ids:
        yield ctx.finding(UNKNOWN_ESCALATION, runbook, "/escalation", f"unknown escalation policy {runbook.escalation!r}; known: {_known(ctx.escalation_ids)}")


def _catalog_items(ctx):
    template_owner: dict[str, str] = {}
    for doc in ctx.linted:  # in the order of every linted document: the second definition is reported
        own = id(doc) in ctx.own
        if isinstance(doc, Templates):
            for template in doc.templates:
                if template.id in template_owner and own:
                    yield ctx.finding(DUPLICATE_ITEM, doc, template.pointer + "/id", f"template id {template.id!r} is also defined in {template_owner[template.id]}")
                template_owner.setdefault(template.id, doc.path)
        elif isinstance(doc, SeverityLevels) and own:
            counts = Counter(level.id for level in doc.levels)
            seen = set()
            for index, level in enumerate(doc.levels):
                if counts[level.id] > 1 and level.id in seen:
                    yield ctx.finding(DUPLICATE_ITEM, doc, f"/levels/{index}/id", f"severity level {level.id!r} is defined twice")
                seen.add(level.id)


class _Listing:
    """The first ids, sorted, for a message ("known: a, b, ..."). Each set is sorted once per run: with
    thousands of runbooks that each have a broken reference, sorting all ids per finding is quadratic."""

    def __init__(self):
        self._sorted: dict[int, list[str]] = {}  # id() of a set the context keeps -> its ids sorted

    def __call__(self, ids: set[str], but: str | None = None) -> str:
        shown = self._sorted.get(id(ids))
        if shown is None:
            shown = self._sorted[id(ids)] = sorted(ids)
        first = [i for i in shown[:9] if i != but][:8]
        if not first:
            return "none (no such document in the linted paths or the runbooks folder)"
        return ", ".join(first) + (", ..." if len(ids) - (but in ids) > 8 else "")
