"""The `runbook` command: thin click commands that call the library and return exit codes.

Heavy modules (MkDocs, Jinja2, the executor) are imported inside the commands that need them, so
`runbook --help` and `runbook lint` stay fast.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def handle_errors(command):
    """Map the library's user-facing errors to one line on stderr and an exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .config import ConfigError
        from .project import ResolveError

        try:
            code = command(*args, **kwargs)
        except (ConfigError, ResolveError) as exc:
            click.echo(f"runbook: {exc}", err=True)
            code = EXIT_USAGE
        except KeyboardInterrupt:
            click.echo("runbook: interrupted", err=True)
            code = EXIT_INTERRUPTED
        sys.exit(code or EXIT_OK)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runbook")
def main() -> None:
    """Runbooks as code: lint, publish and run structured YAML runbooks."""


@main.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["auto", "text", "json", "github", "sarif"]), default="auto",
              show_default=True, help="Output format; auto picks github under GitHub Actions, text otherwise.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date used for review staleness (YYYY-MM-DD).")
@click.option("--explain", metavar="CODE", help="Explain a rule code and exit.")
@click.option("--rules", "list_rules", is_flag=True, help="List every rule and exit.")
@handle_errors
def lint_command(paths, output_format, output, fail_on, today, explain, list_rules):
    """Validate and lint runbooks (default: the configured runbooks folder)."""
    from .lint.command import run_lint

    return run_lint(paths=list(paths), output_format=output_format, output=output, fail_on=fail_on,
                    today=today.date() if today else None, explain=explain, list_rules=list_rules)


@main.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def list_command(paths, output_format):
    """List every document: id, kind, title, service, owner, path, steps."""
    from .listing import run_list

    return run_list(list(paths), output_format)


def _not_yet(name: str):
    click.echo(f"runbook {name}: not available in this version yet", err=True)
    return EXIT_USAGE
