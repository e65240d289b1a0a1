"""What every rule sees: the valid documents, their sources (for positions), the settings and ids.

Rules are plain functions `check(ctx) -> Iterable[Finding]`; the context builds the lookups they
share (ids of runbooks, severity levels, escalation policies, templates) once.

A rule reports on `ctx.documents` (and `ctx.runbooks`) only, and looks other documents up in
`ctx.linted` or `ctx.known`: in a parallel run (parallel.py) each worker process is given a share of
the files as `documents`, while `linted` is every linted document, in the order of a serial run. A
rule that reports something once for the whole set (the second of two equal ids) decides by the
order of `linted` and reports only when the document is one of its own `documents`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath

from ..config import LintConfig
from ..findings import Finding, Rule
from ..history import RunHistory
from ..loading import Source
from ..model import Document, EscalationPolicy, Runbook, SeverityLevels, Templates
from ..partial import Damage
from .positions import position

# Pointers whose repair may drop a command: the step lists, a step, a phase, a `run` or `rollback`.
_HOLDS_COMMANDS = re.compile(r"^(?:/steps|/phases(?:/\d+(?:/steps)?)?)(?:/\d+)?$|/(?:run|rollback)$")


@dataclass
class LintContext:
    documents: list[Document]  # the documents being linted: valid ones and the valid parts of the others
    sources: dict[str, Source]  # display path -> source
    config: LintConfig
    today: dt.date
    # Documents that references may point at but that are not linted themselves (the configured
    # runbooks folder when linting single files): `runbook lint runbooks/services/x.yaml` stays clean.
    reference_documents: list[Document] = field(default_factory=list)
    # Display path -> where a partial document (partial.py) is not what the author wrote.
    damage: dict[str, Damage] = field(default_factory=dict)
    # The runs and drills in the transcripts folder, when `drill-interval` asks for them (RB503).
    history: RunHistory | None = None
    # Every document being linted when `documents` is one worker's share of them (parallel.py).
    all_linted: list[Document] | None = None

    def finding(self, rule: Rule, document: Document, pointer: str, message: str, key: bool = False,
                offset: int | None = None) -> Finding:
        """A finding at a JSON pointer of a document; `offset` points inside a string value."""
        source = self.sources[document.path]
        line, column = position(source, pointer, key=key, offset=offset)
        return Finding(document.path, line, column, rule.code, rule.severity, message, pointer)

    def replaced(self, document: Document, pointer: str) -> bool:
        """The value at `pointer` is not the author's (a partial document's repair): draw no conclusion from it."""
        damage = self.damage.get(document.path)
        return damage is not None and damage.replaced_at(pointer)

    def touched(self, document: Document, pointer: str) -> bool:
        """Something at, around or inside `pointer` is repaired or incomplete: a rule about the whole is skipped."""
        damage = self.damage.get(document.path)
        return damage is not None and damage.touches(pointer)

    def commands_unsure(self, document: Document) -> bool:
        """A command may be missing from a partial document: a step list, step, `run` or `rollback` was
        repaired or misspelt (`rnu:`), or the runbook has both `steps` and `phases` (the model keeps the
        phases)."""
        damage = self.damage.get(document.path)
        if damage is None:
            return False
        return "" in damage.incomplete or any(_HOLDS_COMMANDS.search(p) for p in damage.replaced)

    @cached_property
    def linted(self) -> list[Document]:
        """Every document being linted: `documents`, or in a parallel run all the workers' shares."""
        return self.documents if self.all_linted is None else self.all_linted

    @cached_property
    def own(self) -> set[int]:
        """`id()` of each of `documents`: `id(doc) in ctx.own` says whether this run reports on `doc`."""
        return {id(document) for document in self.documents}

    @cached_property
    def known(self) -> list[Document]:
        return self.linted + self.reference_documents

    @cached_property
    def runbook_ids(self) -> set[str]:
        return {_id_of(d) for d in self.known if isinstance(d, Runbook)}

    @cached_property
    def severity_ids(self) -> set[str]:
        return {level.id for d in self.known if isinstance(d, SeverityLevels) for level in d.levels}

    @cached_property
    def escalation_ids(self) -> set[str]:
        return {_id_of(d) for d in self.known if isinstance(d, EscalationPolicy)}

    @cached_property
    def template_ids(self) -> set[str]:
        return {t.id for d in self.known if isinstance(d, Templates) for t in d.templates}

    @cached_property
    def runbooks(self) -> list[Runbook]:
        return [d for d in self.documents if isinstance(d, Runbook)]


def _id_of(document: Document) -> str:
    """A document's id; for a partial document whose id was broken (repaired to ""), the file name's
    stem, the id it must have (RB202), so references to it are not reported as well."""
    return document.id or PurePath(document.path).name.rsplit(".", 1)[0]
