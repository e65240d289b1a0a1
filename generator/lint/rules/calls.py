"""RB43x: runbooks that call runbooks (`uses: RUNBOOK` or `RUNBOOK#STEP`, `with: {...}`)."""

from __future__ import annotations

import re
from dataclasses import replace

from ...calls import Calls, describe_cycle, reference, references
from ...codes import RULES
from ...model import Runbook, Step
from ...shell import is_standard
from ...suggest import closest
from .. import positions

UNKNOWN_RUNBOOK = RULES["RB430"]
UNKNOWN_STEP = RULES["RB431"]
CYCLE = RULES["RB432"]
UNKNOWN_WITH = RULES["RB433"]
UNDECLARED_REFERENCE = RULES["RB434"]
NOT_GIVEN = RULES["RB435"]
OWN_COMMAND = RULES["RB436"]
REFUSED_VALUE = RULES["RB437"]
TEXT_WITH_NAME = RULES["RB438"]
SAME_NAME = RULES["RB439"]
_NAME_IN_TEXT = re.compile(r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)")

# Fields a `uses` step may not have: the called steps are what runs (RB436).
_STEP_OWN = ("run", "checklist", "template", "rollback", "capture", "expect", "timeout", "retry", "interactive",
             "on_failure", "risk", "confirm")


def check(ctx):
    if not any(step.uses for runbook in ctx.runbooks for step in runbook.steps):
        return
    calls = Calls(d for d in ctx.known if isinstance(d, Runbook) and d.id)
    for runbook in ctx.runbooks:
        captured: set[str] = set()
        for step in runbook.steps:
            if step.uses:
                yield from _call(ctx, calls, runbook, step, captured)
            if step.capture:
                captured.add(step.capture)
    # At the first edge in a linted file (the order is fixed, so the cycle is reported once), by the run that
    # reports on that file: in a parallel run every share may find the cycle (parallel.py).
    linted = {id(d) for d in ctx.linted if isinstance(d, Runbook)}
    for edges in calls.cycles(ctx.runbooks):
        at = next(((r, s) for r, s in edges if id(r) in linted), None)
        if at is not None and id(at[0]) in ctx.own:
            runbook, step = at
            yield ctx.finding(CYCLE, runbook, step.pointer + "/uses", f"runbooks call each other in a cycle: "
                              f"{describe_cycle(edges)}; write the shared steps once in a runbook that both call")


def _call(ctx, calls: Calls, runbook: Runbook, step: Step, captured: set[str]):
    own = _own_fields(ctx, runbook, step)
    if "risk" in own and calls.resolve(step) is not None:
        # The call's risk is the highest of the steps it calls: a `risk` that says so is documentation and
        # stays; one that says otherwise misleads the reader (and each called destructive step asks for its own
        # confirmation whatever the call says).
        computed = calls.risk(replace(step, risk="read-only"))
        own.remove("risk")
        if step.risk != computed:
            yield ctx.finding(OWN_COMMAND, runbook, f"{step.pointer}/risk", f"step {step.id} says `risk: {step.risk}`, "
                              f"but the steps {step.uses} runs make it {computed}: a call's risk is the highest risk of "
                              f"the steps it calls; remove `risk`", key=True)
    if own:
        listed = ", ".join(f"`{name}`" for name in own)
        yield ctx.finding(OWN_COMMAND, runbook, f"{step.pointer}/{own[0]}", f"step {step.id} uses {step.uses} and "
                          f"also has {listed}; a `uses` step runs the called steps only: move them to a step of "
                          f"their own", key=True)
    declared = {v.name for v in runbook.variables}
    for name, ref in references(step):
        if ref in declared or ref in captured or is_standard(ref):
            continue
        later = next((s for s in runbook.steps if s.capture == ref), None)
        if later is not None:
            yield ctx.finding(UNDECLARED_REFERENCE, runbook, f"{step.pointer}/with/{name}",
                              f"`with` passes ${ref} to {name}, but ${ref} is captured only by a later step "
                              f"({later.id}); a call gets the values known when it starts: move the call after it")
            continue
        close = closest(ref, declared | captured, cutoff=0.7)
        hint = f"did you mean ${close}?" if close else "declare it under `variables`, or write the literal text"
        yield ctx.finding(UNDECLARED_REFERENCE, runbook, f"{step.pointer}/with/{name}",
                          f"`with` passes ${ref} to {name}, but {runbook.id} declares no variable {ref}; {hint}")
    for name, value in step.with_:
        found = _NAME_IN_TEXT.search(value) if reference(value) is None else None
        if found:
            yield ctx.finding(TEXT_WITH_NAME, runbook, f"{step.pointer}/with/{name}",
                              f"{value!r} is passed to {name} as text, {found.group(0)} included; only a value that is "
                              f"exactly `$NAME` passes a variable")
    runbook_id, step_id = step.called
    callee = calls.by_id.get(runbook_id)
    if callee is None:
        other = next((d for d in ctx.known if not isinstance(d, Runbook) and getattr(d, "id", None) == runbook_id
                      and getattr(d, "kind", "runbook-test") != "runbook-test"), None)
        close = closest(runbook_id, set(calls.by_id) - {runbook.id})
        hint = f"did you mean {close!r}?" if close else "check the id (`runbook list` shows them)"
        if other is not None:  # a catalog: its id exists, but only a runbook has steps to call
            yield ctx.finding(UNKNOWN_RUNBOOK, runbook, f"{step.pointer}/uses", f"step {step.id} uses {runbook_id!r}, "
                              f"which is a {other.kind} document, not a runbook: only a runbook's steps can be called")
            return
        yield ctx.finding(UNKNOWN_RUNBOOK, runbook, f"{step.pointer}/uses", f"step {step.id} uses runbook "
                          f"{runbook_id!r}, which does not exist; {hint}")
        return
    if step_id is not None and callee.step(step_id) is None:
        close = closest(step_id, {s.id for s in callee.steps})
        hint = f"did you mean {runbook_id}#{close}?" if close else f"its steps: {', '.join(s.id for s in callee.steps)}"
        yield ctx.finding(UNKNOWN_STEP, runbook, f"{step.pointer}/uses", f"runbook {runbook_id} has no step "
                          f"{step_id!r}; {hint}", offset=len(runbook_id) + 1)
        return
    call = calls.resolve(step)
    known = {v.name for v in callee.variables}
    for name, _ in step.with_:
        if name in known:
            continue
        close = closest(name, known, cutoff=0.7)
        hint = f"did you mean {close}?" if close else f"its variables: {', '.join(sorted(known)) or 'none'}"
        yield ctx.finding(UNKNOWN_WITH, runbook, f"{step.pointer}/with/{name}",
                          f"{callee.id} declares no variable {name}; {hint}", key=True)
    for name, value in step.with_:
        variable = callee.variable(name)
        if variable is None or reference(value) is not None:
            continue
        if variable.choices and value not in variable.choices:
            why = f"is not one of {', '.join(variable.choices)}"
        elif variable.pattern and not _fits(variable.pattern, value):
            why = f"does not match the pattern {variable.pattern}"
        else:
            continue
        yield ctx.finding(REFUSED_VALUE, runbook, f"{step.pointer}/with/{name}",
                          f"{value!r} passed to {name} of {callee.id} {why}; runbook exec would stop at this call")
    given = {name for name, _ in step.with_}
    for variable in call.needed_variables():
        if variable.name in given:
            continue
        if variable.default is not None and runbook.variable(variable.name) is not None and callee.id != runbook.id:
            # Silent: the operator set the caller's value and the call quietly uses its own default.
            yield ctx.finding(SAME_NAME, runbook, f"{step.pointer}/uses",
                              f"{runbook.id} and {callee.id} both declare {variable.name}, and this call does not "
                              f"pass it: the called steps get {callee.id}'s default {variable.default!r}, not "
                              f"{runbook.id}'s value; add `{variable.name}: \"${variable.name}\"` to `with`")
        if variable.required and variable.default is None:
            yield ctx.finding(NOT_GIVEN, runbook, f"{step.pointer}/uses",
                              f"{callee.id} needs {variable.name} ({variable.description}) and this call does not "
                              f"pass it in `with`; runbook exec takes it from the environment or asks for it")


def _own_fields(ctx, runbook: Runbook, step: Step) -> list[str]:
    """The fields the author wrote on a `uses` step that only a command step can have (from the YAML,
    so that an explicit `risk: read-only` counts as well)."""
    source = ctx.sources.get(runbook.path)
    node = positions.node_at(source, step.pointer) if source is not None else None
    if node is None or not hasattr(node, "value") or not isinstance(node.value, list):
        return []
    keys = [getattr(k, "value", None) for k, _ in node.value]
    return [key for key in keys if key in _STEP_OWN]


def _fits(pattern: str, value: str) -> bool:
    """The value matches the whole pattern (as `runbook exec` checks it); a pattern that does not compile is
    the schema's finding, not this one."""
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return True
