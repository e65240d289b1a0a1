"""`runbook exec` and `runbook transcript`: the CLI calls these; they return an exit code.

Exit codes: 0 the session completed, 1 a step failed, the operator quit, a destructive step
stopped a --yes run, or the runbook is invalid (its findings are printed, as `runbook lint` would);
2 a usage mistake (unknown variable or step, bad transcript, missing variables without a
terminal); 130 interrupted with Ctrl-C at a prompt.
"""

from __future__ import annotations

import getpass
import os
import signal
import socket
import sys
from pathlib import Path

import click

from .. import clock
from ..config import load_config
from ..errors import UserError
from ..project import ResolveError
from . import display
from .prompts import Console, Quit
from .redact import Redactor
from .resolve import resolve_runbook
from .dialogue import Dialogue
from .session import Options, Session
from .show import refuse
from . import target as targets
from .transcript import TranscriptWriter, drop_partial_line, read_events
from ..calls import Calls
from . import calling, nesting
from .variables import VariableError, parse_assignments, resolve as resolve_variables, used_by_commands, used_by_target

def _who() -> tuple[str, str]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return user, socket.gethostname()


def _default_transcript(folder: Path, runbook_id: str) -> Path:
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stamp}-{runbook_id}.jsonl"
    n = 2
    while path.exists():
        path = folder / f"{stamp}-{runbook_id}-{n}.jsonl"
        n += 1
    return path


def _resume_state(events: list[dict], plan) -> tuple[int, dict[str, dict[str, str]], bool]:
    """Where to continue (the plan's first unfinished entry), the values to reuse (per frame, see
    nesting.resume_point), whether the runbook changed."""
    ends = [e for e in events if e["event"] in ("session-end",)]
    starts = [e for e in events if e["event"] in ("session-start", "session-resume")]
    if ends and ends[-1]["status"] == "completed" and events.index(ends[-1]) > events.index(starts[-1]):
        raise VariableError("that session already completed; there is nothing to resume")
    start, known = nesting.resume_point(events, plan)
    changed = events[0].get("sha256") != plan.runbook.sha256
    return start, known, changed


def _resume_attempt(events: list[dict], step_id: str) -> int | None:
    """After a kill in the middle of a retry loop: the attempt the unfinished step continues from."""
    last = None
    for event in events:
        if event.get("step") != step_id:
            continue
        if event["event"] == "step-end":
            last = None
        elif event["event"] == "step-attempt" and event.get("retry") == "automatic":
            last = event.get("attempt")
    return last + 1 if isinstance(last, int) else None


def _preflight(console: Console, rb, start: int, dry_run: bool, yes: bool, plan=None) -> list[str]:
    """`requires`: every missing program with the steps that need it (the called runbooks' too).
    Without a terminal (or under --yes) that is a usage error (exit 2); at one, the operator may go on.
    Returns the missing ones."""
    missing = targets.describe_missing(targets.missing_programs(rb, start, plan=plan))
    if not missing:
        return []
    console.warn("Missing program(s), not found on PATH:")
    for line in missing:
        console.warn(f"  {line}")
    if dry_run:
        return missing
    if yes or not console.interactive:
        why = "--yes runs unattended" if yes else "there is no terminal to ask whether to go on"
        raise UserError(f"missing program(s): {'; '.join(missing)}; install them or put them on PATH "
                        f"({why}, so the session does not start)")
    try:
        if Dialogue(rb, console).go_on_without():
            return missing
    except Quit:
        pass
    raise UserError("stopped before the first step: install the missing program(s) or put them on PATH")


def _ctrl_c_at_the_terminal() -> None:
    """A process started as a background job of a script inherits Ctrl-C ignored (and Python then never
    raises KeyboardInterrupt). At a terminal the operator's Ctrl-C must still stop a wait, a command or the
    session, so it is turned back on there; without a terminal the inherited choice stands."""
    if sys.stdin.isatty() and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _resumed_drill(start: dict, drill: bool, resume: Path) -> bool:
    """A resumed session stays what it started as: a drill goes on as a drill, a real run cannot become one."""
    if start.get("drill") is True:
        return True
    if drill:
        raise UserError(f"{resume} records a real run, not a drill; resume it without --drill, or start a new "
                        f"drill (runbook exec RUNBOOK --drill)")
    return False


def _announce_drill(console: Console) -> None:
    """The session header says DRILL before anything runs, and every prompt says it again (prompt_label)."""
    console.prompt_label = "[DRILL] "
    console.say("DRILL: a rehearsal that runs every command for real. Point the variables at staging, not "
                "production; the transcript is recorded as a drill (`runbook history` lists it).", "magenta", "bold")


def run_exec(runbook: str | None, variables: list[str], dry_run: bool, yes: bool, allow_destructive: bool,
             from_step: str | None, resume: Path | None, transcript: Path | None, alert_source: str | None = None,
             drill: bool = False) -> int:
    _ctrl_c_at_the_terminal()
    config = load_config()
    alert = None
    if alert_source is not None:  # a firing alert picks the runbook and fills the `label:` variables
        from .alert import read_alert

        alert = read_alert(alert_source)
        runbook = runbook or alert.name
    if runbook is None:
        raise UserError("name a runbook (id, service, alert or path), or pass --alert FILE with an alert")
    if resume and transcript:
        raise UserError("--resume appends to the transcript it continues; drop --transcript")
    if resume and dry_run:
        raise UserError("--resume and --dry-run do not go together")
    if drill and dry_run:
        raise UserError("--drill runs the commands for real and records the drill; --dry-run runs nothing. "
                        "Drop one of them (rehearse against staging with --drill)")
    if allow_destructive and not yes:
        raise UserError("--allow-destructive only applies with --yes; without --yes every destructive step asks you "
                        "to type its confirmation name")
    try:
        resolved = resolve_runbook(runbook, config, alert.links if alert is not None and runbook == alert.name else ())
    except ResolveError as error:
        from .alert import AmbiguousAlert

        if alert is None or runbook != alert.name or isinstance(error, AmbiguousAlert):
            raise
        raise UserError(f"no runbook lists alert {alert.name} in `alerts`; add it to one, or name the runbook: "
                        f"runbook exec RUNBOOK --alert {alert_source}") from None
    if resolved.runbook is None:
        return refuse(runbook, resolved.findings)
    rb = resolved.runbook
    console = Console()
    plan = nesting.build(rb, Calls(resolved.catalog.runbooks))
    steps = [entry.step for entry in plan.entries]  # the runbook's steps with the called ones in place
    try:
        callees = tuple({e.call.runbook.id: e.call.runbook for e in plan.entries if e.call}.values())
        passed = parse_assignments(variables, rb, callees)
        given = {n: v for n, v in passed.items() if rb.variable(n) is not None}
        # A --var of a variable only a called runbook declares reaches those calls as an exported value would.
        environ = {**os.environ, **{n: v for n, v in passed.items() if n not in given}}
        secret = {v.name for r in (rb, *callees) for v in r.variables if v.secret}
        for name in passed:
            if name in secret:
                console.warn(f"Warning: --var {name} puts a secret on the command line, where ps and the shell's "
                             f"history show it; prefer `export {name}` with the value read by `read -s`, or the prompt.")
        if alert is not None:
            from .alert import label_values

            given = {**label_values(rb, alert), **given}  # --var still wins over a label
        start, known, changed, events, known_frames = 0, {}, False, [], {}
        if resume:
            events, _ = read_events(resume)
            if events[0].get("runbook") != rb.id:
                raise UserError(f"{resume} records runbook {events[0].get('runbook')!r}, not {rb.id!r}")
            start, known_frames, changed = _resume_state(events, plan)
            known = known_frames.get("", {})
            drill = _resumed_drill(events[0], drill, resume)
        if from_step is not None:
            ids = [s.id for s in steps]
            if from_step not in ids:
                called = " (a called step as CALL-STEP/STEP, for example " + next(
                    (s.id for s in steps if "/" in s.id), "") + ")" if plan.nested else ""
                from ..suggest import closest

                guess = closest(from_step, ids)  # a misspelt called step (`roll-back/undo`) as much as a step
                hint = f" (did you mean {guess}?)" if guess else ""
                raise UserError(f"--from {from_step}: no such step in {rb.id}{hint}; its steps: "
                                f"{', '.join(s.id for s in rb.steps)}{called}")
            start = ids.index(from_step)
        if transcript and transcript.exists() and transcript.stat().st_size:
            raise UserError(f"{transcript} already exists; choose another path, or continue it with --resume {transcript}")
        if drill:
            _announce_drill(console)
        display.header(console, rb)
        if alert is not None:
            from .alert import show as show_alert

            show_alert(console, alert)
        missing = _preflight(console, rb, start, dry_run, yes, plan)
        prompt = console.interactive and not dry_run
        # Interactive: a command's variables are asked just before it first runs. Under --yes every
        # question comes first, so that an unattended run does not stop half-way to ask. The target
        # probes run before the first step: their variables are asked first too.
        later = used_by_commands(rb) - used_by_target(rb) if prompt and not yes else frozenset()
        values = resolve_variables(rb, given, os.environ, console, prompt=prompt,
                                   ask_defaults=not yes, known=known, lenient=dry_run, defer=later)
        later = frozenset(later - values.keys())
        if not prompt and not dry_run:  # unattended: a called runbook's missing variable stops it now, not half-way
            calling.check_called_variables(plan, start, values, known_frames, environ)
    except Quit:
        raise UserError("input ended while reading variables") from None
    secrets = [values[v.name] for v in rb.variables if v.secret and values.get(v.name)]
    console.redactor = Redactor(secrets)
    display.variables(console, rb, values, later)
    target, baseline = {}, {}
    if rb.target and not dry_run:
        try:
            target = targets.probe(rb, {**os.environ, **values}, secrets)
        except KeyboardInterrupt:
            click.echo("runbook: interrupted while probing the target; nothing was run", err=True)
            return 130
        first = next((e.get("target") for e in events if e["event"] == "session-start"), None)
        baseline = first if isinstance(first, dict) and first else target
        display.target(console, rb, target, baseline)
    elif rb.target:
        display.target(console, rb)
    called_targets = {}
    try:
        called_targets = calling.probe_called_targets(console, plan, start, values, secrets, dry_run, events, environ)
    except KeyboardInterrupt:
        click.echo("runbook: interrupted while probing the target; nothing was run", err=True)
        return 130
    writer = None
    user, host = _who()
    masked = {name: ("***" if rb.variable(name).secret else value) for name, value in values.items()}
    if not dry_run:
        path = resume or transcript or _default_transcript(config.transcripts, rb.id)
        if resume:
            drop_partial_line(resume)
        writer = TranscriptWriter(path, Redactor(secrets))
        common = dict(runbook=rb.id, sha256=rb.sha256, user=user, host=host, variables=masked, drill=drill)
        if resume:
            if changed:
                console.warn(f"Warning: {rb.path} changed since this session started (sha256 differs); "
                             "check the remaining steps before running them.")
            writer.write("session-resume", **common, runbook_changed=changed,
                         next_step=steps[start].id if start < len(steps) else None, target=target or None,
                         target_changed=targets.changes(baseline, target) or None, missing_programs=missing or None)
        else:
            writer.write("session-start", **common, title=rb.title, path=rb.path, steps=len(rb.steps),
                         from_step=from_step, mode={"yes": yes, "allow_destructive": allow_destructive},
                         target=target or None, missing_programs=missing or None,
                         **({"alert": alert.record()} if alert is not None else {}),
                         **({"called_targets": {key: value for key, (_, value) in called_targets.items()}}
                            if called_targets else {}))
        console.say(f"Transcript: {path}", "dim")
    if start >= len(steps):
        console.say("Every step of this session has finished.")
    if start and start < len(steps):
        console.say(f"Starting at step {plan.entries[start].number}/{len(rb.steps)}: {steps[start].id}", "bold")
    if dry_run:
        console.say("Dry run: showing every step; nothing runs.", "bold")
    next_attempt = {}
    if resume and start < len(steps) and from_step is None:
        attempt = _resume_attempt(events, steps[start].id)
        if attempt:
            next_attempt[steps[start].id] = attempt
    session = Session(rb, display.template_index(resolved.catalog.documents), console, values, secrets,
                      Options(dry_run=dry_run, yes=yes, allow_destructive=allow_destructive, drill=drill), start, writer, later,
                      target=baseline, next_attempt=next_attempt, plan=plan, known=known_frames if resume else None,
                      called_targets=called_targets, environ=environ)
    try:
        code = session.run()
    finally:
        if writer:
            writer.close()
    if writer:
        console.say(f"Transcript: {writer.path}", "dim")
    return code


def run_transcript(file: Path, output_format: str) -> int:
    from .timeline import build, to_json, to_markdown

    events, _ = read_events(file)
    try:
        timeline = build(events)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserError(f"{file}: not a runbook transcript ({exc.__class__.__name__}: {exc})") from None
    click.echo(to_json(timeline) if output_format == "json" else to_markdown(timeline), nl=False)
    return 0
