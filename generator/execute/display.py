"""How a runbook, a phase and a step look in the terminal; shared by `exec` (and its --dry-run) and `show`."""

from __future__ import annotations

import re
import shutil

from ..model import Phase, Runbook, Step, Template
from .prompts import Console
from .terminal import markdown_to_text

_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}")

RISK_STYLE = {"read-only": ("green",), "mutating": ("yellow",), "destructive": ("red", "bold")}


def show_command(console: Console, command: str, indent: str = "    ") -> None:
    """The command exactly as it will run, line by line."""
    for line in command.rstrip("\n").split("\n"):
        console.say(f"{indent}{line}", "cyan")


def header(console: Console, runbook: Runbook) -> None:
    c = console
    c.say(f"{runbook.title}", "bold")
    facts = [f"id {runbook.id}"]
    if runbook.service:
        facts.append(f"service {runbook.service}")
    facts.append(f"owner {runbook.owner}")
    if runbook.severity:
        facts.append(f"severity {runbook.severity}")
    c.say("  " + ", ".join(facts) + f"  ({runbook.path})", "dim")
    c.say(markdown_to_text(runbook.summary, indent="  "))


def variables(console: Console, runbook: Runbook, values: dict[str, str] | None = None,
              later: frozenset[str] = frozenset(), title: str = "Variables", indent: str = "") -> None:
    """The variables; with `values`, the values in use (secrets as ***) and those asked `later`."""
    if not runbook.variables:
        return
    c = console
    c.say(f"{indent}{title}:", "bold")
    width = max(len(v.name) for v in runbook.variables)
    for v in runbook.variables:
        if values is not None:
            value = "***" if v.secret and v.name in values else values.get(v.name, "(unset)")
            if v.name not in values and v.name in later:
                default = f", default {v.default}" if v.default is not None and not v.secret else ""
                value = f"(asked when a step needs it{default})"
            c.say(f"{indent}  {v.name:<{width}} = {value}")
            continue
        notes = []
        if v.secret:
            notes.append("secret")
        if v.default is not None:
            notes.append(f"default {v.default}")
        elif v.required:
            notes.append("required")
        if v.choices:
            notes.append("one of " + "/".join(v.choices))
        if v.pattern:
            notes.append(f"pattern {v.pattern}")
        c.say(f"  {v.name:<{width}}  {v.description}" + (f"  ({'; '.join(notes)})" if notes else ""))


def target(console: Console, runbook: Runbook, values: dict[str, str] | None = None,
           baseline: dict[str, str] | None = None, title: str = "Target") -> None:
    """The `target` probes: their values (a session), else their commands (dry run, `show`). A value
    that differs from `baseline` (the start of a resumed session) is marked."""
    c = console
    c.say(f"{title}:", "bold")
    width = max(len(p.name) for p in runbook.target)
    for probe in runbook.target:
        if values is None:
            c.say(f"  {probe.name:<{width}}   {c.style(probe.run, 'cyan')}")
            continue
        value = values.get(probe.name, "")
        before = (baseline or {}).get(probe.name, value)
        if before != value:
            c.say(f"  {probe.name:<{width}} = {value}   (was {before} when the session started: destructive steps "
                  f"will stop)", "red", "bold")
        else:
            c.say(f"  {probe.name:<{width}} = {c.style(value, 'bold')}")


def announce(console: Console, phase: Phase) -> None:
    console.say()
    console.say(f"== Phase: {phase.title} ==", "magenta", "bold")
    if phase.description:
        console.say(markdown_to_text(phase.description, indent="   "))


def show_template(console: Console, template: Template) -> None:
    """A message body between two rules, each line from column 0, so that a terminal copy gives the exact
    text (no indentation to strip); placeholders are highlighted, which colour adds nothing to a copy."""
    c = console
    rule = c.style("-" * min(72, shutil.get_terminal_size((100, 24)).columns), "dim")
    c.say(rule)
    for line in template.body.rstrip("\n").split("\n"):
        c.say(_PLACEHOLDER.sub(lambda m: c.style(m.group(0), "yellow", "bold"), line))
    c.say(rule)


def calling(console: Console, chain: list, entry) -> None:
    """Where a called step is: `Roll back the deployment -> application-rollback, step 2/6` (one part a
    level; `chain` holds the call entries outermost first, `entry` the called step, see nesting.py), with the
    called runbook's phase in brackets when it is written in phases."""
    parts = []
    for call, inner in zip(chain, [*chain[1:], entry]):
        phase = f" ({inner.called_phase.title})" if inner.called_phase is not None else ""
        parts.append(f"{call.step.title} -> {call.call.label}, step {inner.position[0]}/{inner.position[1]}{phase}")
    console.say()
    console.say("  " * (len(chain) - 1) + " > ".join(parts), "magenta")


def show_call(console: Console, call, indent: str = "  ") -> None:
    """What a `uses` step calls and the values it passes (`call`: a calls.Call)."""
    c = console
    count = len(call.steps)
    what = f"all {count} steps of" if call.whole else "step " + call.steps[0].id + " of"
    c.say(f"{indent}Calls {what} {call.runbook.id}: {call.runbook.title}", "cyan")
    if call.step.with_:
        c.say(f"{indent}With: " + ", ".join(f"{name}={value}" for name, value in call.step.with_))


def show_step(console: Console, index: int, total: int, step: Step, templates: dict[str, Template],
              details: bool = False, phase: str | None = None, items_asked: bool = False,
              number: str | None = None, call=None) -> None:
    """One step. `items_asked`: the checklist is asked item by item right after (interactive exec), so
    it is not listed here as well. `number`: a called step's number (`7.1`) instead of `index + 1`;
    `call`: what a `uses` step calls."""
    c = console
    c.say()
    risk = c.style(step.risk, *RISK_STYLE[step.risk])
    where = f", phase {phase}" if phase else ""  # the phase banner may have scrolled away
    label = f"[{number or index + 1}/{total}]"
    c.say(f"{c.style(label, 'bold')} {c.style(step.title, 'bold')}  ({risk}, step {step.id}{where})")
    if step.description:
        c.say(markdown_to_text(step.description, indent="  "))
    if call is not None:
        show_call(c, call)
    if step.template:
        template = templates.get(step.template)
        title = f"  Message template {step.template}" + (f": {template.title}" if template else "")
        if template and not details:
            c.say(title + " (copy the text between the lines, then replace each {{NAME}}):", "cyan")
            show_template(c, template)
        else:
            c.say(title, "cyan")
    if step.checklist and items_asked:
        if step.run is not None:  # the items come after the command and its output: say they are coming
            c.say(f"  Checklist: {len(step.checklist)} item(s), ticked off one by one after the command.")
    elif step.checklist:
        c.say("  Checklist:")
        for item in step.checklist:
            c.say(f"    [ ] {item}")
    if step.when is not None:
        c.say("  Runs only when (otherwise skipped):")
        show_command(c, step.when)
    if step.requires:
        c.say(f"  Requires: {', '.join(step.requires)}")
    if step.run is not None:
        extras = []
        if step.retry:
            extras.append(f"up to {step.retry.attempts} attempts, {step.retry.interval}s apart")
        if step.interactive:
            extras.append("interactive: gets the terminal")
        if step.timeout:
            extras.append(f"timeout {step.timeout}s")
        if step.capture:
            extras.append(f"stdout -> ${step.capture}")
        if details and step.expect.exit_codes != (0,):
            extras.append("exit " + "/".join(map(str, step.expect.exit_codes)))
        if details and step.expect.output:
            extras.append(f"output matches {step.expect.output}")
        if details and step.on_failure != "ask":
            extras.append(f"on failure {step.on_failure}")
        c.say("  Command" + (f" ({', '.join(extras)})" if extras else "") + ":")
        show_command(c, step.run)
    if step.destructive and step.uses:
        c.say("  Calls destructive steps: each one asks for its own confirmation.", "red", "bold")
    elif step.destructive:
        c.say("  DESTRUCTIVE:", "red", "bold")
        c.say(markdown_to_text(step.confirm or "", indent="    "), "red")
    if step.rollback:
        c.say("  Rollback:")
        show_command(c, step.rollback)


def template_index(documents) -> dict[str, Template]:
    from ..model import Templates

    return {t.id: t for d in documents if isinstance(d, Templates) for t in d.templates}
