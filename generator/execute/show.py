"""`runbook show RUNBOOK`: the whole runbook in the terminal, metadata first, then every step."""

from __future__ import annotations

import click

from ..config import load_config
from ..calls import Calls
from . import display, nesting
from .prompts import Console
from .resolve import resolve_runbook
from .terminal import markdown_to_text


def refuse(name: str, findings) -> int:
    for finding in findings:
        click.echo(finding.line_text(), err=True)
    click.echo(f"runbook: {name} is not a valid runbook; fix the finding(s) above (`runbook lint` checks them)", err=True)
    return 1


def run_show(name: str) -> int:
    config = load_config()
    resolved = resolve_runbook(name, config)
    if resolved.runbook is None:
        return refuse(name, resolved.findings)
    runbook = resolved.runbook
    c = Console()
    display.header(c, runbook)
    if runbook.description:
        c.say()
        c.say(markdown_to_text(runbook.description, indent="  "))
    meta = [("tags", ", ".join(runbook.tags)), ("alerts", ", ".join(runbook.alerts)),
            ("related", ", ".join(runbook.related)), ("escalation", runbook.escalation or ""),
            ("last reviewed", str(runbook.last_reviewed or ""))]
    c.say()
    for label, value in meta:
        if value:
            c.say(f"  {label}: {value}", "dim")
    if runbook.variables:
        c.say()
        display.variables(c, runbook)
    if runbook.requires:
        c.say()
        c.say(f"Requires on PATH: {', '.join(runbook.requires)}", "bold")
    if runbook.target:
        c.say()
        display.target(c, runbook)
    steps = runbook.steps
    templates = display.template_index(resolved.catalog.documents)
    # The called runbooks' steps are shown in place, numbered under their `uses` step (7.1, 7.2).
    plan = nesting.build(runbook, Calls(resolved.catalog.runbooks))
    counts = {risk: sum(1 for e in plan.entries if not e.frame and e.step.risk == risk) for risk in display.RISK_STYLE}
    c.say()
    c.say(f"{len(steps)} step(s): " + ", ".join(f"{n} {risk}" for risk, n in counts.items() if n), "bold")
    shown = set()
    for entry in plan.entries:
        if entry.phase is not None and entry.phase.id and entry.phase.id not in shown:
            shown.add(entry.phase.id)
            display.announce(c, entry.phase)
        if entry.frame:
            display.calling(c, plan.chain(entry), entry)
        display.show_step(c, entry.index, len(steps), entry.step, templates, details=True, number=entry.number,
                          call=entry.call)
        if entry.call is not None and entry.call.runbook.target and entry.call.whole:
            display.target(c, entry.call.runbook, title=f"  Target of {entry.call.runbook.id}")
    return 0
