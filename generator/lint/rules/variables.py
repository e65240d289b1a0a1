"""RB3xx: variables in commands (they are environment variables) and `<placeholders>` left in them."""

from __future__ import annotations

import re

from ...codes import RULES
from ...calls import references
from ...model import Runbook
from ...suggest import closest
from ...shell import assigned, is_standard, placeholders, used_names, variable_hint

UNDEFINED = RULES["RB301"]
UNUSED = RULES["RB302"]
PLACEHOLDER = RULES["RB303"]

def check(ctx):
    for runbook in ctx.runbooks:
        yield from _runbook(ctx, runbook)


def _commands(runbook: Runbook):
    """(pointer, command, names it may read besides the declared ones) in order: the target probes
    first (they run before any step, so no capture), then each step's `when`, `run` and `rollback`."""
    for probe in runbook.target:
        yield f"{probe.pointer}/run", probe.run, None
    captured: set[str] = set()
    for step in runbook.steps:
        for field, command, extra in (("when", step.when, set()), ("run", step.run, set()),
                                      ("rollback", step.rollback, {step.capture} if step.capture else set())):
            if command:
                yield f"{step.pointer}/{field}", command, captured | extra
        if step.capture:
            captured = captured | {step.capture}


def _runbook(ctx, runbook: Runbook):
    declared = {v.name for v in runbook.variables}
    used: set[str] = set()
    # A partial document (partial.py): a variable or capture whose name was repaired away may be the one
    # a command uses, so such uses are not called undeclared.
    partial = runbook.path in ctx.damage
    unknown_capture = partial and any(ctx.replaced(runbook, step.pointer + "/capture") for step in runbook.steps)
    for pointer, command, captured in _commands(runbook):
        own = None  # the command's own assignments, read only when a name is not known otherwise
        reported: set[str] = set()
        for name, offset in used_names(command):
            used.add(name)
            if name in declared or (captured and name in captured) or is_standard(name) or name in reported:
                continue
            if partial and (unknown_capture or ctx.replaced(runbook, f"/variables/{name}")):
                continue
            if own is None:
                own = assigned(command)
            if name in own and own[name] < offset:
                continue
            reported.add(name)
            hint = f"declare it under `variables`" if name.isupper() else "set it earlier in the command"
            close = _close(name, declared | (captured or set()))
            if close:
                hint = f"did you mean {close!r}?"
            if captured is None and name.isupper() and not close:
                hint = "declare it under `variables` (target probes run before any step, so captures are not set yet)"
            yield ctx.finding(UNDEFINED, runbook, pointer, f"${name} is not declared, set earlier or captured; {hint}", offset=offset)
        for placeholder in placeholders(command):
            hint = variable_hint(placeholder.name)
            yield ctx.finding(PLACEHOLDER, runbook, pointer, f"placeholder <{placeholder.name}> left in the command; "
                              f"declare a variable and write {hint}", offset=placeholder.offset)
    used.update(ref for step in runbook.steps for _, ref in references(step))  # passed on to a called runbook
    if partial and ctx.commands_unsure(runbook):
        return  # a command in a repaired part (a misspelt `run:` key) may use the variable
    for variable in runbook.variables:
        if variable.name not in used:
            yield ctx.finding(UNUSED, runbook, variable.pointer, f"variable {variable.name} is declared but no command uses it", key=True)


def _close(name: str, candidates: set[str]) -> str | None:
    upper = name.upper()
    for candidate in candidates:
        if candidate == upper or re.sub("_", "", candidate) == re.sub("_", "", upper):
            return candidate
    return closest(name, candidates, cutoff=0.8)
