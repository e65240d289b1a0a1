"""`runbook history [RUNBOOK]`: the runs and drills in the transcripts folder, newest first.

Exit codes: 0 listed (an empty history included), 1 some file in the transcripts folder could not be
read (each gets one line on stderr; the others are still listed), 2 a runbook name that matches nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .config import Config, load_config
from .history import Run, RunHistory, read_history
from .project import YAML_SUFFIXES, ResolveError, display_path, load_catalog

EXIT_OK, EXIT_UNREADABLE = 0, 1


def runbook_id(name: str, config: Config, history: RunHistory) -> str:
    """RUNBOOK as `runbook exec` takes it (id, service, alert or path); an id that only transcripts still
    record (a runbook since deleted or renamed) is taken as it is."""
    if history.of(name):
        return name
    paths = [config.runbooks] if config.runbooks.is_dir() else []
    as_path = Path(name)
    if as_path.suffix in YAML_SUFFIXES:
        if not as_path.is_file():
            raise ResolveError(f"{name}: no such runbook file")
        paths.append(as_path.resolve())
        name = str(as_path.resolve())
    catalog = load_catalog(paths, config.lint.max_file_size)
    try:
        return catalog.resolve(name).id
    except ResolveError:
        from .execute.alert import runbook_for

        found = runbook_for(catalog, name)
        if found is None:
            raise
        return found.id


def select(history: RunHistory, runbook: str | None, kind: str | None, limit: int | None) -> list[Run]:
    runs = history.of(runbook) if runbook else history.runs
    if kind:
        runs = [r for r in runs if r.kind == kind]
    return runs[:limit] if limit else runs


def to_json(runs: list[Run], history: RunHistory) -> str:
    data = {"runs": [r.as_json() for r in runs], "unreadable": [u.as_json() for u in history.unreadable]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_text(runs: list[Run]) -> str:
    header = ("WHEN (UTC)", "RUNBOOK", "KIND", "OUTCOME", "WHO", "FAILED STEPS", "TRANSCRIPT")
    rows = [(r.started.strftime("%Y-%m-%d %H:%M"), r.runbook, r.kind, r.outcome, r.who,
             ", ".join(r.failed_steps) or "-", display_path(r.transcript)) for r in runs]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in (header, *rows)]
    drills = sum(1 for r in runs if r.drill)
    lines.append(f"{len(runs) - drills} run(s), {drills} drill(s).")
    return "\n".join(lines) + "\n"


def run_history(runbook: str | None, output_format: str, kind: str | None, limit: int | None) -> int:
    config = load_config()
    history = read_history(config.transcripts)
    wanted = runbook_id(runbook, config, history) if runbook else None
    runs = select(history, wanted, kind, limit)
    for problem in history.unreadable:
        where = display_path(problem.path) + (f":{problem.line}" if problem.line else "")
        click.echo(f"runbook: {where}: {problem.message}; not counted in the history", err=True)
    if output_format == "json":
        click.echo(to_json(runs, history), nl=False)
    elif runs:
        click.echo(to_text(runs), nl=False)
    else:
        what = " ".join(w for w in (kind and f"{kind}s" or "runs or drills", wanted and f"of {wanted}") if w)
        click.echo(f"No {what} recorded in {display_path(config.transcripts)} "
                   f"(`runbook exec` records runs there, `runbook exec RUNBOOK --drill` drills).")
    sys.stdout.flush()
    return EXIT_UNREADABLE if history.unreadable else EXIT_OK
