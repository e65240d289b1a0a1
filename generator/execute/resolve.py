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


def _called(catalog: Catalog, runbook: Runbook) -> list[Runbook]:
    """The runbooks `runbook` calls (`uses`), through nested calls: they run in the same session."""
    from ..calls import Calls

    calls = Calls(catalog.runbooks)
    found: dict[str, Runbook] = {}
    pending = [step for step in runbook.steps if step.uses]
    while pending:
        callee = calls.by_id.get(pending.pop().called[0])
        if callee is not None and callee.id != runbook.id and callee.id not in found:
            found[callee.id] = callee
            pending.extend(step for step in callee.steps if step.uses)
    return list(found.values())


def _lint_errors(config: Config, catalog: Catalog, runbook: Runbook, called: list[Runbook] = ()) -> list[Finding]:
    """Errors the lint rules find in the runbook's file and in the files of the runbooks it calls, with
    references checked against the other documents already loaded (the folder is read once, not again by
    the lint engine)."""
    from ..lint.engine import check_config, lint_catalog

    check_config(config.lint)
    mine = [runbook, *called]
    paths = {d.path for d in mine}
    own = Catalog(sources=[catalog.source(d.path) for d in mine], documents=mine,
                  findings=[f for f in catalog.findings if f.path in paths])
    own_files = {Path(p).resolve() for p in paths}  # a path given on the command line may also be in the folder
    others = [d for d in catalog.documents if Path(d.path).resolve() not in own_files]
    result = lint_catalog(own, config, reference_documents=others)
    return [f for f in result.findings if f.severity == "error"]


def resolve_runbook(name: str, config: Config, alert_links: tuple[str, ...] = ()) -> Resolved:
    """`alert_links`: the runbook links of the firing alert (`--alert`), which pick among several runbooks
    that list it."""
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

        runbook = runbook_for(catalog, name, alert_links) if path is None else None  # an alert name: the runbook listing it
        if runbook is None:
            candidates = _candidate_paths(catalog, name, path)
            refused = sorted(f for f in errors if f.path in candidates)
            if refused:
                return Resolved(None, catalog, refused)
            raise ResolveError(str(error).replace("(by id, service or path)", "(by id, service, alert or path)")) from None
    called = _called(catalog, runbook) if any(step.uses for step in runbook.steps) else []
    paths = {runbook.path, *(r.path for r in called)}
    refused = sorted({*(f for f in errors if f.path in paths), *_lint_errors(config, catalog, runbook, called)})
    return Resolved(runbook if not refused else None, catalog, refused)
