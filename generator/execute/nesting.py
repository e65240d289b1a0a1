"""A session's plan: the runbook's steps with the steps of the runbooks they call (`uses`) in place.

A `uses` step becomes a call entry followed by the called steps, numbered under it (7.1, 7.2) and
addressed `caller-step/called-step`; a call inside a called runbook goes one level deeper (7.1.2,
`roll-back/undo/scale`). `step_key` is the one place that makes that address: a called step's
`Step.id` in the plan *is* its key, so the transcript, `--from`, `--resume`, the destructive prompt
and `runbook test` all name it the same way.

The plan also answers what a resumed session needs: where to continue and which values each call
had (`resume_point`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..calls import Call, CallError, Calls
from ..model import Phase, Runbook, Step

SEPARATOR = "/"


def step_key(caller: str, called: str) -> str:
    """The address of a called step: `roll-back/undo` (the caller's key, then the called step's id)."""
    return f"{caller}{SEPARATOR}{called}" if caller else called


@dataclass
class Entry:
    index: int  # position in the plan
    key: str  # `roll-back/undo`; a top-level step's id
    number: str  # `7.1`; a top-level step's `7`
    step: Step  # the step, with `id` = key (and, for a call, the highest risk inside)
    runbook: Runbook  # the runbook the step is written in
    frame: str  # the key of the call this step runs in ("" for the runbook's own steps)
    phase: Phase | None  # the phase of a top-level step
    call: Call | None = None  # for a `uses` step: what it calls
    end: int = 0  # index of the last entry inside this call (the entry's own index for a plain step)
    position: tuple[int, int] = (0, 0)  # (k, n): the k-th of the n steps its call runs
    called_phase: Phase | None = None  # a called step's phase in its own runbook (when that runbook has phases)

    @property
    def depth(self) -> int:
        return self.key.count(SEPARATOR)


@dataclass
class Plan:
    runbook: Runbook
    entries: list[Entry]
    calls: Calls

    @property
    def nested(self) -> bool:
        return any(entry.call for entry in self.entries)

    def index(self, key: str) -> int | None:
        return next((e.index for e in self.entries if e.key == key), None)

    def entry(self, key: str) -> Entry | None:
        index = self.index(key)
        return self.entries[index] if index is not None else None

    def chain(self, entry: Entry) -> list[Entry]:
        """The call entries `entry` runs inside, outermost first."""
        out = []
        frame = entry.frame
        while frame:
            call = self.entry(frame)
            out.append(call)
            frame = call.frame
        return out[::-1]

    def callees(self, start: int = 0) -> list[Entry]:
        """The call entries from `start` on, and those that a step from `start` on runs inside."""
        if start >= len(self.entries):
            return []
        inside = {e.key for e in self.chain(self.entries[start])}
        return [e for e in self.entries if e.call and (e.index >= start or e.key in inside)]


def build(runbook: Runbook, calls: Calls, lenient: bool = False) -> Plan:
    """The plan of a runbook; a call of an unknown runbook or step, or a cycle, is a CallError.
    `lenient` (lint and `runbook test` listing step keys): such a call stays a step of its own with
    nothing inside, since lint reports it (RB430, RB431, the cycle) and the keys around it still hold."""
    entries: list[Entry] = []
    phase_of = {step.id: phase for phase in runbook.phases for step in phase.steps}

    def add(owner: Runbook, steps: tuple[Step, ...], caller: Entry | None, active: tuple[str, ...]) -> None:
        for k, step in enumerate(steps):
            key = step_key(caller.key if caller else "", step.id)
            number = f"{caller.number}.{k + 1}" if caller else str(k + 1)
            entry = Entry(len(entries), key, number, replace(step, id=key), owner, caller.key if caller else "",
                          None if caller else phase_of.get(step.id), position=(k + 1, len(steps)),
                          called_phase=owner.phase_of_step.get(step.id) if caller else None)
            entries.append(entry)
            if step.uses and not (lenient and (step.uses in active or calls.resolve(step) is None)):
                if step.uses in active:
                    path = " -> ".join((*active, step.uses))
                    raise CallError(f"runbooks call each other in a cycle ({path}); `runbook lint` reports it")
                entry.call = calls.follow(step)
                entry.step = replace(entry.step, risk=calls.risk(step))
                add(entry.call.runbook, entry.call.steps, entry, (*active, step.uses))
            entry.end = len(entries) - 1

    add(runbook, runbook.steps, None, (runbook.id,))
    return Plan(runbook, entries, calls)


def resume_point(events: list[dict], plan: Plan) -> tuple[int, dict[str, dict[str, str]]]:
    """Where a resumed session continues (the entry after the last one that finished) and the values
    each frame had (frame key -> name -> value; "" is the runbook's own). Secrets (`***`) are left out:
    they are asked again."""
    secret = {(e.key, v.name) for e in plan.entries if e.call for v in e.call.runbook.variables if v.secret}
    secret |= {("", v.name) for v in plan.runbook.variables if v.secret}
    known: dict[str, dict[str, str]] = {}

    def keep(frame: str, values) -> None:
        for name, value in (values or {}).items():
            if (frame, name) not in secret and value != "***":
                known.setdefault(frame, {})[name] = value

    finished = -1
    for event in events:
        kind = event["event"]
        entry = plan.entry(event.get("step") or "") if event.get("step") else None
        if kind in ("session-start", "session-resume"):
            keep("", event.get("variables"))
        elif kind == "call-start" and entry is not None:
            keep(entry.key, event.get("variables"))
        elif kind == "variables" and entry is not None:
            keep(entry.frame, event.get("variables"))
        elif kind == "step-end" and entry is not None:
            finished = max(finished, entry.end)  # a finished call (or a skipped one) covers its steps
            keep(entry.frame, event.get("captured"))
    return finished + 1, known
