"""What every rule sees: the valid documents, their sources (for positions), the settings and ids.

Rules are plain functions `check(ctx) -> Iterable[Finding]`; the context builds the lookups they
share (ids of runbooks, severity levels, escalation policies, templates) once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from ..config import LintConfig
from ..findings import Finding, Rule
from ..loading import Source
from ..model import Document, EscalationPolicy, Runbook, SeverityLevels, Templates
from .positions import position


@dataclass
class LintContext:
    documents: list[Document]  # the documents being linted (schema-valid)
    sources: dict[str, Source]  # display path -> source
    config: LintConfig
    today: dt.date
    # Documents that references may point at but that are not linted themselves (the configured
    # runbooks folder when linting single files): `runbook lint runbooks/services/x.yaml` stays clean.
    reference_documents: list[Document] = field(default_factory=list)

    def finding(self, rule: Rule, document: Document, pointer: str, message: str, key: bool = False,
                offset: int | None = None) -> Finding:
        """A finding at a JSON pointer of a document; `offset` points inside a string value."""
        source = self.sources[document.path]
        line, column = position(source, pointer, key=key, offset=offset)
        return Finding(document.path, line, column, rule.code, rule.severity, message, pointer)

    @cached_property
    def known(self) -> list[Document]:
        return self.documents + self.reference_documents

    @cached_property
    def runbook_ids(self) -> set[str]:
        return {d.id for d in self.known if isinstance(d, Runbook)}

    @cached_property
    def severity_ids(self) -> set[str]:
        return {level.id for d in self.known if isinstance(d, SeverityLevels) for level in d.levels}

    @cached_property
    def escalation_ids(self) -> set[str]:
        return {d.id for d in self.known if isinstance(d, EscalationPolicy)}

    @cached_property
    def template_ids(self) -> set[str]:
        return {t.id for d in self.known if isinstance(d, Templates) for t in d.templates}

    @cached_property
    def runbooks(self) -> list[Runbook]:
        return [d for d in self.documents if isinstance(d, Runbook)]
