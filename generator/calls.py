"""Runbooks that call runbooks: a step with `uses: RUNBOOK` or `uses: RUNBOOK#STEP` and `with: {...}`.

One module answers every question about a call, for lint, the site, `runbook show` and the executor:
which runbook and steps it calls, the risk of the call (the highest risk inside), the variables the
called steps need, the values `with` passes, and the cycles (A uses B uses A).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from .errors import UserError
from .model import RISKS, Runbook, Step

_REFERENCE = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")


class CallError(UserError):
    """A call the executor cannot follow (an unknown runbook or step, a cycle); the message is one line."""


def reference(value: str) -> str | None:
    """The variable a `with` value refers to (`$NAME` or `${NAME}`), or None for literal text."""
    match = _REFERENCE.match(value)
    return (match.group(1) or match.group(2)) if match else None


def with_values(step: Step, values: Mapping[str, str]) -> dict[str, str]:
    """The called runbook's values from `with`: literal text as it is, `$NAME` as the caller's value of NAME
    (left out when the caller has none, so the called runbook asks for it as usual)."""
    given = {}
    for name, value in step.with_:
        ref = reference(value)
        if ref is None:
            given[name] = value
        elif ref in values:
            given[name] = values[ref]
    return given


def references(step: Step) -> list[tuple[str, str]]:
    """(with key, caller variable) for each `$NAME` value of a `uses` step."""
    return [(name, ref) for name, value in step.with_ if (ref := reference(value)) is not None]


@dataclass(frozen=True)
class Call:
    """A resolved `uses` step: the runbook it calls and the steps that run in its place."""

    step: Step
    runbook: Runbook
    steps: tuple[Step, ...]

    @property
    def whole(self) -> bool:
        return self.step.called[1] is None

    @property
    def label(self) -> str:
        """`application-rollback` or `kubernetes-workloads#pod-logs`, as the step wrote it."""
        return self.step.uses or ""

    def needed_variables(self) -> tuple:
        """The called runbook's variables that the called steps (and, for a whole runbook, its target
        probes) read: the ones a session has to give, pass or ask for."""
        from .shell import used_names

        commands = [c for s in self.steps for c in (s.when, s.run, s.rollback) if c]
        if self.whole:
            commands += [probe.run for probe in self.runbook.target]
        used = {name for command in commands for name, _ in used_names(command)}
        used |= {ref for s in self.steps for _, ref in references(s)}
        return tuple(v for v in self.runbook.variables if v.name in used)


class Calls:
    """Calls between the runbooks of a catalog (the first runbook with an id wins, as lint reports duplicates)."""

    def __init__(self, runbooks: Iterable[Runbook]):
        self.by_id: dict[str, Runbook] = {}
        for runbook in runbooks:
            self.by_id.setdefault(runbook.id, runbook)

    def resolve(self, step: Step) -> Call | None:
        """The call a `uses` step makes, or None when its runbook or step does not exist."""
        runbook_id, step_id = step.called
        runbook = self.by_id.get(runbook_id)
        if runbook is None:
            return None
        if step_id is None:
            return Call(step, runbook, runbook.steps)
        called = runbook.step(step_id)
        return Call(step, runbook, (called,)) if called is not None else None

    def follow(self, step: Step) -> Call:
        """`resolve` for the executor: an unknown target is a CallError (lint reports it as RB430/RB431)."""
        call = self.resolve(step)
        if call is None:
            runbook_id, step_id = step.called
            what = f"runbook {runbook_id!r}" if runbook_id not in self.by_id else f"step {step_id!r} in {runbook_id}"
            raise CallError(f"step {step.id} uses {step.uses}, but there is no {what}; `runbook lint` explains it")
        return call

    def risk(self, step: Step, _seen: frozenset[str] = frozenset()) -> str:
        """A step's risk; for a `uses` step the highest risk of what it calls (through nested calls)."""
        if step.uses is None:
            return step.risk
        call = self.resolve(step)
        if call is None or step.uses in _seen:
            return step.risk
        seen = _seen | {step.uses}
        return max((self.risk(s, seen) for s in call.steps), key=RISKS.index, default=step.risk)

    def cycles(self, runbooks: Iterable[Runbook]) -> list[list[tuple[Runbook, Step]]]:
        """Each cycle reachable from `runbooks` once, as the (runbook, `uses` step) edges in calling order,
        starting at the edge whose runbook id sorts first."""
        found: dict[frozenset, list[tuple[Runbook, Step]]] = {}
        done: set[tuple[str, str | None]] = set()  # units explored to the end: nothing new behind them

        def visit(unit: tuple[str, str | None], path: list[tuple[tuple[str, str | None], Runbook, Step]]) -> None:
            runbook = self.by_id.get(unit[0])
            if runbook is None or unit in done:
                return
            steps = runbook.steps if unit[1] is None else tuple(s for s in runbook.steps if s.id == unit[1])
            units = [u for u, _, _ in path] + [unit]
            for step in steps:
                if step.uses is None:
                    continue
                target = step.called
                if target in units:
                    edges = [(r, s) for _, r, s in path[units.index(target):]] + [(runbook, step)]
                    key = frozenset((r.id, s.id) for r, s in edges)
                    if key not in found:
                        first = min(range(len(edges)), key=lambda i: (edges[i][0].id, edges[i][1].id))
                        found[key] = edges[first:] + edges[:first]
                    continue
                visit(target, path + [(unit, runbook, step)])
            done.add(unit)

        for runbook in runbooks:
            visit((runbook.id, None), [])
        return list(found.values())


def describe_cycle(edges: list[tuple[Runbook, Step]]) -> str:
    """`a (step x) -> b (step y) -> a`."""
    parts = [f"{runbook.id} (step {step.id})" for runbook, step in edges]
    return " -> ".join(parts + [edges[0][0].id])
