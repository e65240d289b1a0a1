"""`runbook list`: every document as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .config import load_config
from .model import Runbook
from .project import load_catalog


def document_rows(paths: list[Path]) -> tuple[list[dict], int]:
    config = load_config()
    catalog = load_catalog(paths or [config.runbooks], config.lint.max_file_size)
    rows = []
    for doc in sorted(catalog.documents, key=lambda d: (d.kind != "runbook", d.id)):
        is_runbook = isinstance(doc, Runbook)
        rows.append({
            "id": doc.id, "kind": doc.kind, "title": doc.title,
            "service": doc.service if is_runbook else None,
            "owner": doc.owner if is_runbook else None,
            "path": doc.path,
            "steps": len(doc.steps) if is_runbook else None,
        })
    invalid = len({f.path for f in catalog.findings if f.severity == "error"})
    return rows, invalid


def run_list(paths: list[Path], output_format: str) -> int:
    rows, invalid = document_rows(paths)
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        columns = ["id", "kind", "title", "service", "owner", "path", "steps"]
        table = [[("" if row[c] is None else str(row[c])) for c in columns] for row in rows]
        widths = [max([len(c)] + [len(r[i]) for r in table]) for i, c in enumerate(columns)]
        click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
        for r in table:
            click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    if invalid:
        click.echo(f"{invalid} file(s) could not be loaded; run `runbook lint` to see why", err=True)
        return 1
    return 0
