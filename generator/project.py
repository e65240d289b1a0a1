"""Finding and loading a project's documents: one place, used by lint, the site and the executor."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError
from .findings import Finding
from .loading import Source, load_file
from . import pointers
from .model import Document, Runbook, build_document
from .schema import check

YAML_SUFFIXES = (".yaml", ".yml")

if TYPE_CHECKING:
    from .partial import PartialDocument


class ResolveError(UserError):
    """A runbook name that matches nothing, or several things; the message lists the choices."""


def display_path(path: Path) -> str:
    """Paths are shown relative to the working directory when inside it, as people typed them."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def discover(paths: list[Path], suffixes: tuple[str, ...] = YAML_SUFFIXES) -> list[Path]:
    """Files with these suffixes (YAML) under the given files and folders, sorted, each once; other paths are
    kept so the loader reports them."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir() and path.suffix not in suffixes:
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(suffixes):
                        found.setdefault(Path(folder) / name)
        else:
            found.setdefault(path)
    return list(found)


@dataclass
class Catalog:
    """Everything loaded: sources (with load and schema findings) and the valid documents.

    `documents` are the valid ones, the only ones the site and the executor use; `partial` holds the
    valid parts of the others, for lint (see partial.py).
    """

    sources: list[Source] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    partial: list["PartialDocument"] = field(default_factory=list)  # partial.py, imported when one is needed

    @property
    def lintable(self) -> list[Document]:
        """Valid and partial documents: what lint rules check and what references may point at."""
        return self.documents + [p.document for p in self.partial]

    @property
    def runbooks(self) -> list[Runbook]:
        return [d for d in self.documents if isinstance(d, Runbook)]

    def by_id(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    def source(self, path: str) -> Source | None:
        return next((s for s in self.sources if s.path == path), None)

    def resolve(self, name: str) -> Runbook:
        """A runbook by id, by service (one runbook or one primary runbook), or by path."""
        runbooks = self.runbooks
        by_id = [r for r in runbooks if r.id == name]
        if by_id:
            return by_id[0]
        serving = [r for r in runbooks if r.service == name]
        primary = [r for r in serving if r.primary]
        if len(serving) == 1:
            return serving[0]
        if len(primary) == 1:
            return primary[0]
        if serving:
            choices = ", ".join(sorted(r.id for r in serving))
            raise ResolveError(f"{name!r} is served by several runbooks: {choices}; name one by its id")
        as_path = Path(name)
        if as_path.suffix in YAML_SUFFIXES:
            for r in runbooks:
                if Path(r.path).resolve() == as_path.resolve():
                    return r
            other = next((d for d in self.documents if Path(d.path).resolve() == as_path.resolve()), None)
            if other is not None and getattr(other, "runbook", None):  # a scenario file: say what it rehearses
                raise ResolveError(f"{name} holds scenarios of runbook {other.runbook} (kind: {other.kind}), not a "
                                   f"runbook: name the runbook ({other.runbook}), or run them with `runbook test {name}`")
            if other is not None:
                raise ResolveError(f"{name} is a {other.kind} document, not a runbook")
        known = ", ".join(sorted(r.id for r in runbooks)) or "none"
        raise ResolveError(f"no runbook named {name!r} (by id, service or path); known runbooks: {known}")


def load_catalog(paths: list[Path], max_bytes: int | None = None) -> Catalog:
    catalog = Catalog()
    kwargs = {"max_bytes": max_bytes} if max_bytes else {}
    for path in discover(paths):
        source = load_file(path, display_path(path), **kwargs)
        catalog.sources.append(source)
        catalog.findings.extend(source.findings)
        if source.data is None:
            continue
        validation = check(source)
        # A value the loader already reported (an unquoted `yes` read as text) is not reported again.
        flagged = [f.pointer for f in source.findings if f.severity == "error"]
        catalog.findings.extend(f for f in validation.findings if not any(pointers.within(f.pointer, p) for p in flagged))
        if source.ok and not validation.findings:
            catalog.documents.append(build_document(source.data, source.path, source.sha256))
        elif validation.kind_known:
            from .partial import partial_document  # only for an invalid document

            partial = partial_document(source.data, source.path, source.sha256, validation.errors, flagged)
            if partial is not None:
                catalog.partial.append(partial)
    return catalog
