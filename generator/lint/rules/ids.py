"""RB2xx: ids and references between documents."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...findings import register
from ...model import Runbook, SeverityLevels, Templates

DUPLICATE_ID = register("RB201", "duplicate-id", "error", "Two documents have the same id.",
                        "Ids name documents in links, `runbook exec ID` and references, so each must be unique across the project. Rename one of the two files and its `id`.")
ID_NOT_STEM = register("RB202", "id-not-file-name", "error", "The id differs from the file name.",
                       "A document's `id` equals its file name without `.yaml`, so people find a runbook from its id and the other way round. Rename the file or change the id.")
DUPLICATE_STEP = register("RB203", "duplicate-step-id", "error", "Two steps of a runbook have the same id.",
                          "Step ids are deep links (`#step-ID`), `--from ID` targets and transcript keys, so they must be unique in the runbook.")
DUPLICATE_PHASE = register("RB204", "duplicate-phase-id", "error", "Two phases of a runbook have the same id.",
                           "Phase ids are anchors (`#phase-ID`) and must be unique in the runbook.")
UNKNOWN_RELATED = register("RB205", "unknown-related", "error", "`related` names a runbook that does not exist.",
                           "Every id in `related` must be the id of a runbook in the project (the linted paths plus the configured runbooks folder). Fix the id or remove it.")
UNKNOWN_SEVERITY = register("RB206", "unknown-severity", "error", "`severity` names a level that no severity-levels catalog defines.",
                            "`severity` is the id of a level in a severity-levels catalog (for example `sev1`). References are checked against the linted paths plus the configured runbooks folder.")
UNKNOWN_ESCALATION = register("RB207", "unknown-escalation", "error", "`escalation` names an unknown escalation policy.",
                              "`escalation` is the id of an escalation-policy document. References are checked against the linted paths plus the configured runbooks folder.")
UNKNOWN_TEMPLATE = register("RB208", "unknown-template", "error", "A step's `template` names an unknown template.",
                            "A step's `template` is the id of a template in a templates catalog. References are checked against the linted paths plus the configured runbooks folder.")
DUPLICATE_ITEM = register("RB209", "duplicate-catalog-id", "error", "Two templates or severity levels have the same id.",
                          "Template ids are unique across all templates catalogs and level ids within a severity-levels catalog, because runbooks refer to them by id alone.")


def check(ctx):
    yield from _documents(ctx)
    for runbook in ctx.runbooks:
        yield from _runbook(ctx, runbook)
    yield from _catalog_items(ctx)


def _documents(ctx):
    first: dict[str, str] = {}
    for doc in ctx.documents:
        if doc.id in first:
            yield ctx.finding(DUPLICATE_ID, doc, "/id", f"id {doc.id!r} is also used by {first[doc.id]}; ids must be unique")
        else:
            first[doc.id] = doc.path
        stem = Path(doc.path).name.rsplit(".", 1)[0]
        if doc.id != stem:
            yield ctx.finding(ID_NOT_STEM, doc, "/id", f"id {doc.id!r} differs from the file name {stem!r}; rename the file or the id")
    # A duplicate between a linted file and the runbooks folder matters too (a new file copied from an old one).
    for doc in ctx.documents:
        for other in ctx.reference_documents:
            if other.id == doc.id and other.path != doc.path and other.kind == doc.kind:
                yield ctx.finding(DUPLICATE_ID, doc, "/id", f"id {doc.id!r} is also used by {other.path}; ids must be unique")


def _runbook(ctx, runbook: Runbook):
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
            yield ctx.finding(UNKNOWN_RELATED, runbook, f"/related/{index}", f"related runbook {related!r} does not exist; known: {_known(ctx.runbook_ids - {runbook.id})}")
    if runbook.severity and runbook.severity not in ctx.severity_ids:
        yield ctx.finding(UNKNOWN_SEVERITY, runbook, "/severity", f"unknown severity level {runbook.severity!r}; known: {_known(ctx.severity_ids)}")
    if runbook.escalation and runbook.escalation not in ctx.escalation_ids:
        yield ctx.finding(UNKNOWN_ESCALATION, runbook, "/escalation", f"unknown escalation policy {runbook.escalation!r}; known: {_known(ctx.escalation_ids)}")


def _catalog_items(ctx):
    template_owner: dict[str, str] = {}
    for doc in ctx.documents:
        if isinstance(doc, Templates):
            for template in doc.templates:
                if template.id in template_owner:
                    yield ctx.finding(DUPLICATE_ITEM, doc, template.pointer + "/id", f"template id {template.id!r} is also defined in {template_owner[template.id]}")
                template_owner.setdefault(template.id, doc.path)
        elif isinstance(doc, SeverityLevels):
            counts = Counter(level.id for level in doc.levels)
            seen = set()
            for index, level in enumerate(doc.levels):
                if counts[level.id] > 1 and level.id in seen:
                    yield ctx.finding(DUPLICATE_ITEM, doc, f"/levels/{index}/id", f"severity level {level.id!r} is defined twice")
                seen.add(level.id)


def _known(ids: set[str]) -> str:
    if not ids:
        return "none (no such document in the linted paths or the runbooks folder)"
    shown = sorted(ids)
    return ", ".join(shown[:8]) + (", ..." if len(shown) > 8 else "")
