"""Which runbook: an id, a service name, an alert name or a path, and whether it is fit to run.

An invalid runbook is refused with its findings (exit 1, as `runbook lint` would exit): the
executor only runs documents that passed the loader and the schema, and that the lint rules
(when the lint engine is available) find no error in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..findings import Finding
from ..model import Runbook
from ..project import YAML_SUFFIXES, Catalog, ResolveError, load_catalog


@dataclass
class Resolved:
    runbook: Runbook | None
    catalog: Catalog
    findings: list[Finding]  # errors that refuse the runbook (empty when it is fit to run)


def _candidate_paths(catalog: Catalog, name: str, path: Path | None) -> set[str]:
    """Files that look like the runbook the user meant, valid or not."""
    found = set()
    for source in catalog.sources:
        data = source.data if isinstance(source.data, dict) else {}
        if path is not None and Path(source.path).resolve() == path:
            found.add(source.path)
        elif Path(source.path).stem == name or data.get("id") == name or data.get("service") == name:
            found.add(source.path)
        elif isinstance(data.get("alerts"), list) and name in data["alerts"]:
            found.add(source.path)
    return found


def _lint_errors(config: Config, catalog: Catalog, runbook: Runbook) -> list[Finding]:
    """Errors the lint rules find in the runbook's file, with references checked against the other
    documents already loaded (the folder is read once, not again by the lint engine)."""
    from ..lint.engine import check_config, lint_catalog

    check_config(config.lint)
    own = Catalog(sources=[catalog.source(runbook.path)], documents=[runbook],
                  findings=[f for f in catalog.findings if f.path == runbook.path])
    own_file = Path(runbook.path).resolve()  # a path given on the command line may also be in the folder
    others = [d for d in catalog.documents if Path(d.path).resolve() != own_file]
    result = lint_catalog(own, config, reference_documents=others)
    return [f for f in result.findings if f.severity == "error"]


def resolve_runbook(name: str, config: Config) -> Resolved:
    path = None
    paths = [config.runbooks]
    if Path(name).suffix in YAML_SUFFIXES:
        path = Path(name).resolve()
        if not path.is_file():
            raise ResolveError(f"{name}: no such runbook file")
        paths.append(path)
    catalog = load_catalog(paths, config.lint.max_file_size)
    errors = [f for f in catalog.findings if f.severity == "error"]
    try:
        runbook = catalog.resolve(str(path) if path else name)
    except ResolveError as error:
        from .alert import runbook_for

        runbook = runbook_for(catalog, name) if path is None else None  # an alert name: the runbook listing it
        if runbook is None:
            candidates = _candidate_paths(catalog, name, path)
            refused = sorted(f for f in errors if f.path in candidates)
            if refused:
                return Resolved(None, catalog, refused)
            raise ResolveError(str(error).replace("(by id, service or path)", "(by id, service, alert or path)")) from None
    refused = sorted({*(f for f in errors if f.path == runbook.path), *_lint_errors(config, catalog, runbook)})
    return Resolved(runbook if not refused else None, catalog, refused)
