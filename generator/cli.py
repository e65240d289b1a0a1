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
    """The one place a user's mistake (generator.errors.UserError, raised anywhere in the library) becomes one
    line on stderr and its exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .errors import UserError

        try:
            code = command(*args, **kwargs)
        except UserError as exc:
            click.echo(exc.for_user(), err=True)
            code = exc.exit_code
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
@click.option("--changed", is_flag=True, help="Lint only runbooks changed against --base, plus those that refer to them.")
@click.option("--base", metavar="REF", help="Git ref for --changed (default: origin/main, origin/master, main or master).")
@click.option("--alert-rules", "alert_rules", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="Also check these Prometheus rule files (or folders) against the runbooks (repeatable).")
@handle_errors
def lint_command(paths, output_format, output, fail_on, today, explain, list_rules, changed, base, alert_rules):
    """Validate and lint runbooks (default: the configured runbooks folder)."""
    from .lint.command import run_lint

    if base and not changed:
        raise click.UsageError("--base only makes sense with --changed")
    if changed and paths:
        raise click.UsageError("--changed picks the files itself; pass either paths or --changed")
    return run_lint(paths=list(paths), output_format=output_format, output=output, fail_on=fail_on,
                    today=today.date() if today else None, explain=explain, list_rules=list_rules,
                    changed=changed, base=base, alert_rules=list(alert_rules))


@main.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def list_command(paths, output_format):
    """List every document: id, kind, title, service, owner, path, steps."""
    from .listing import run_list

    return run_list(list(paths), output_format)


@main.command("show")
@click.argument("runbook")
@handle_errors
def show_command(runbook):
    """Show a runbook in the terminal (RUNBOOK: id, service or path)."""
    from .execute.show import run_show

    return run_show(runbook)


@main.command("new")
@click.argument("runbook_id", metavar="ID")
@click.option("--service", help="Service the runbook is for (default: the id).")
@click.option("--owner", help="Owning team (default: platform-team).")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write to (default: the configured runbooks folder).")
@handle_errors
def new_command(runbook_id, service, owner, folder):
    """Write a new runbook ID.yaml from a template that passes lint."""
    from .scaffold import new_runbook

    from .project import display_path

    path = display_path(new_runbook(runbook_id, service, owner, folder))
    click.echo(f"wrote {path}; fill in the summary, alerts and steps, then run `runbook lint {path}`")
    return EXIT_OK


@main.command("build")
@click.option("--strict", is_flag=True, help="Fail on MkDocs warnings.")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to write the site.")
@click.option("--offline", is_flag=True, help="A site that works opened from file:// (search included), no server.")
@handle_errors
def build_command(strict, site_dir, offline):
    """Build the site with MkDocs and the runbooks plugin."""
    from .site.commands import run_build

    return run_build(strict=strict, site_dir=site_dir, offline=offline)


@main.command("serve")
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@handle_errors
def serve_command(dev_addr):
    """Serve the site locally, rebuilding when a runbook or template changes."""
    from .site.commands import run_serve

    return run_serve(dev_addr=dev_addr)


@main.command("render")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@handle_errors
def render_command(out_dir):
    """Write OUT_DIR/docs and OUT_DIR/mkdocs.yml: a plain MkDocs project of the site."""
    from .site.commands import run_render

    return run_render(out_dir)


@main.command("exec")
@click.argument("runbook", required=False)
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Set a variable (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show every step and command; run nothing.")
@click.option("--yes", is_flag=True, help="Run read-only and mutating steps without asking.")
@click.option("--allow-destructive", is_flag=True, help="With --yes, run destructive steps too.")
@click.option("--from", "from_step", metavar="STEP", help="Start at this step id.")
@click.option("--resume", type=click.Path(dir_okay=False, path_type=Path), metavar="TRANSCRIPT",
              help="Continue an interrupted session after its last finished step.")
@click.option("--transcript", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Where to write the transcript (default: a timestamped file in the transcripts folder).")
@click.option("--alert", "alert_source", metavar="FILE|-",
              help="An Alertmanager webhook payload or one alert (JSON): picks the runbook by alertname, fills `label:` variables.")
@click.option("--drill", is_flag=True,
              help="A rehearsal: run the commands for real (point the variables at staging); every prompt says DRILL "
                   "and the transcript is recorded as a drill (`runbook history`).")
@handle_errors
def exec_command(runbook, variables, dry_run, yes, allow_destructive, from_step, resume, transcript, alert_source, drill):
    """Run a runbook step by step, asking before each command (RUNBOOK: id, service, alert or path)."""
    from .execute.commands import run_exec

    return run_exec(runbook=runbook, variables=list(variables), dry_run=dry_run, yes=yes,
                    allow_destructive=allow_destructive, from_step=from_step, resume=resume, transcript=transcript,
                    alert_source=alert_source, drill=drill)


@main.command("alerts")
@click.option("--alert-rules", "alert_rules", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="Prometheus rule files or folders (repeatable; default: alert-rules in [tool.runbook]).")
@click.option("--annotate", is_flag=True, help="Print the runbook_url each alerting rule should carry.")
@click.option("--write", is_flag=True, help="With --annotate, write missing or broken runbook_url into the rule files.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def alerts_command(alert_rules, annotate, write, output_format):
    """List alert -> runbook -> rule file:line; --annotate shows each rule's runbook_url."""
    from .alerting.command import run_alerts

    return run_alerts(list(alert_rules), annotate, write, output_format)


@main.command("test")
@click.argument("names", nargs=-1, metavar="[RUNBOOK|PATH]...")
@click.option("--format", "output_format", type=click.Choice(["text", "junit"]), default="text", show_default=True,
              help="text: a line per scenario and a summary; junit: JUnit XML for CI test reports.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option("--coverage", is_flag=True, help="Also list, per runbook, the steps and branches no scenario exercised.")
@handle_errors
def test_command(names, output_format, output, coverage):
    """Rehearse runbooks: run their scenarios (kind: runbook-test) through the executor, starting no process."""
    from .rehearse.command import run_test

    return run_test(list(names), output_format, output, coverage)


@main.command("transcript")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@handle_errors
def transcript_command(file, output_format):
    """Show a recorded session as a timeline."""
    from .execute.commands import run_transcript

    return run_transcript(file, output_format)


@main.command("history")
@click.argument("runbook", required=False)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--kind", type=click.Choice(["run", "drill"]), help="Only runs, or only drills.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Only the N most recent.")
@handle_errors
def history_command(runbook, output_format, kind, limit):
    """List the runs and drills recorded in the transcripts folder, newest first (RUNBOOK: id, service, alert or path)."""
    from .history_command import run_history

    return run_history(runbook, output_format, kind, limit)


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path), metavar="FILE.md|FOLDER")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="OUT",
              help="Output: FILE.yaml, a folder, or - for standard output (default: ID.yaml in the current folder).")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--alert-rules", "alert_rules", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="Prometheus rule files or folders whose runbook links name the imported files: those alerts are "
                   "linked (repeatable; default: alert-rules in [tool.runbook]).")
@handle_errors
def import_command(source, out, force, alert_rules):
    """Turn Markdown runbooks into runbooks in this format; report what needs a person."""
    from .importing.command import run_import

    return run_import(source, out, force, list(alert_rules))
