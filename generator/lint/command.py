"""`runbook lint`: settings, the lint run, a reporter, and the exit code (0 clean, 1 findings, 2 usage)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import click

from .. import codes
from ..config import load_config
from ..errors import UserError
from ..project import YAML_SUFFIXES
from . import reporters


def run_lint(paths: list[Path], output_format: str, output: Path | None, fail_on: str,
             today: dt.date | None, explain: str | None, list_rules: bool,
             changed: bool = False, base: str | None = None, alert_rules: list[Path] = ()) -> int:
    if explain and re.fullmatch(r"SC[0-9]{4}", explain.strip().upper()):
        from .shellcheck import explain as explain_shellcheck

        click.echo(explain_shellcheck(explain.strip().upper(), load_config().root / ".runbook"))
        return 0
    if explain:
        rule = codes.RULES.get(codes.normalise(explain))
        if rule is None:
            raise UserError(f"unknown rule code {explain!r}; {codes.did_you_mean(explain)}`runbook lint --rules` lists them")
        click.echo(codes.explanation(rule))
        return 0
    if list_rules:
        click.echo("\n".join(codes.table()))
        return 0
    for path in paths:
        # A file that exists but is not YAML was named by mistake (a README, a script): usage error.
        if path.is_file() and path.suffix not in YAML_SUFFIXES:
            raise UserError("not a YAML file (.yaml or .yml); pass runbook files or folders", path=str(path))
    config = load_config()
    from .engine import lint

    if changed:
        paths = _changed_paths(config, base)
        if not paths:
            click.echo(f"runbook lint: no runbooks changed against {base or 'the default branch'}", err=True)
            return 0

    result = lint(paths, config, today, alert_rules, cached=True)
    for note in result.notes:
        click.echo(f"runbook lint: {note}", err=True)
    name = reporters.pick(output_format)
    stream = sys.stdout
    report = reporters.REPORTERS[name](result.findings, result.files, config.root,
                                       colour=output is None and reporters.use_colour(stream))
    if output is not None:
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
        click.echo(reporters.summary_line(result.findings, result.files), err=True)
    else:
        click.echo(report, nl=False)
    return 1 if reporters.failing(result.findings, fail_on) else 0


def _changed_paths(config, base: str | None) -> list[Path]:
    """Changed runbooks plus the documents that refer to them (see generator.changes)."""
    from ..changes import changed_files, select_changed
    from ..project import load_catalog

    existing, deleted = changed_files(config.root, base)
    return select_changed(load_catalog([config.runbooks], config.lint.max_file_size), existing, deleted)
