"""`runbook test`: the CLI calls `run_test`, which returns the exit code.

Exit codes: 0 every scenario passed, 1 a scenario failed, 2 a usage or file error (a scenario file that does
not load, a runbook that does not exist, nothing to test).
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..config import load_config
from ..errors import UserError
from ..project import discover, load_catalog


def run_test(names: list[str], output_format: str, output: Path | None, coverage: bool) -> int:
    from . import report
    from .coverage import measure
    from .suite import run_tests, select

    config = load_config()
    folders = [config.runbooks] if config.runbooks.is_dir() else []
    extra = [Path(n) for n in names if Path(n).exists() and not _within(Path(n), config.runbooks)]
    if not folders and not extra:
        raise UserError(f"the runbooks folder {config.runbooks} does not exist; create it or pass the scenario files")
    catalog = load_catalog(discover(folders + extra), config.lint.max_file_size)
    tests, errors = select(catalog, names)
    if not tests and not errors:
        raise UserError(f"no scenario files (kind: runbook-test) under {config.runbooks}; write one, for example "
                        f"runbooks/NAME.test.yaml with `kind: runbook-test` and `runbook: NAME`")
    notes = _lint_notes(catalog, tests, config)
    started = time.monotonic()
    suite = run_tests(catalog, tests)
    suite.errors = errors + suite.errors
    seconds = time.monotonic() - started

    def locate(path: str, pointer: str) -> int:
        source = catalog.source(path)
        return source.locate(pointer, key=True)[0] if source is not None else 1

    if output_format == "junit":
        text = report.junit(suite, locate, seconds)
    else:
        colour = output is None and _colour()
        text = report.text(suite, locate, seconds, colour, notes)
    if coverage:
        tested = {run.test.runbook for run in suite.runs}
        from ..calls import Calls

        text_coverage = report.coverage_text(measure(suite.runs, [r for r in catalog.runbooks if r.id in tested],
                                                     Calls(catalog.runbooks)))
        if output_format == "junit" or output is not None:
            click.echo(text_coverage, nl=False)  # the report file stays one format; coverage goes to the screen
        else:
            text += text_coverage
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
        failed = sum(not r.passed for r in suite.runs)
        click.echo(f"runbook test: {len(suite.runs) - failed} passed, {failed} failed, {len(suite.errors)} error(s); "
                   f"report written to {output}")
    else:
        click.echo(text, nl=False)
    if suite.errors:
        return 2
    return 0 if all(run.passed for run in suite.runs) else 1


def _lint_notes(catalog, tests, config) -> list[str]:
    """The scenario files' lint findings (RB65x: a misspelt step, a result never asked for), shown with the run
    so a scenario that passes for the wrong reason is noticed; `runbook lint` is what fails on them."""
    from .. import clock
    from ..lint.context import LintContext
    from ..lint.rules import scenarios as scenario_rules

    context = LintContext(documents=list(tests), sources={s.path: s for s in catalog.sources}, config=config.lint,
                          today=clock.today(), reference_documents=catalog.runbooks)
    return [f.line_text() for f in sorted(scenario_rules.check(context)) if f.code != "RB650"]  # RB650: an error below


def _within(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _colour() -> bool:
    import sys

    from ..colour import wanted

    return wanted(sys.stdout)
