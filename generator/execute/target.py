"""What a runbook acts on: `requires` (programs on PATH) and `target` probes (named read-only commands).

The probes run once when the session starts (their values go in the header and the transcript)
and again before every destructive step; a value that differs from the session's start stops the
session before the step runs. A probe that fails has a value too (`(probe failed: ...)`), so a
cluster that becomes unreachable also counts as a change.
"""

from __future__ import annotations

import shutil
from typing import Mapping

from ..model import Runbook
from . import runner
from .redact import Redactor

PROBE_TIMEOUT = 30  # seconds; a probe is one quick read-only query


def missing_programs(runbook: Runbook, start: int = 0, path: str | None = None, plan=None) -> dict[str, list[str]]:
    """Each program of `requires` that is not on PATH -> who needs it ("the runbook" or step ids).

    Only the steps from `start` on count: a resumed session does not need what finished steps used.
    With a `plan` (nesting.py), `start` indexes it and the called runbooks' `requires` join in."""
    missing: dict[str, list[str]] = {}
    found: dict[str, bool] = {}

    def check(program: str, who: str) -> None:
        if program not in found:
            found[program] = shutil.which(program, path=path) is not None
        if not found[program]:
            missing.setdefault(program, []).append(who)

    for program in runbook.requires:
        check(program, "the runbook")
    if plan is not None:
        for entry in plan.callees(start):
            for program in entry.call.runbook.requires:
                check(program, f"{entry.call.runbook.id}, called by step {entry.key}")
    steps = [entry.step for entry in plan.entries] if plan is not None else runbook.steps
    for step in steps[start:]:
        for program in step.requires:
            check(program, f"step {step.id}")
    return missing


def describe_missing(missing: dict[str, list[str]]) -> list[str]:
    return [f"{program} (needed by {', '.join(who)})" for program, who in missing.items()]


def probe(runbook: Runbook, env: dict[str, str], secrets: list[str]) -> dict[str, str]:
    """Each probe's name -> its value: standard output, trimmed; a failure says so in the value."""
    values = {}
    for item in runbook.target:
        result = runner.run(item.run, env, PROBE_TIMEOUT, lambda: Redactor(secrets), lambda _text: None)
        text = Redactor(secrets).text(result.stdout.strip())
        if result.status == "timed-out":
            values[item.name] = f"(probe failed: no answer after {PROBE_TIMEOUT}s)"
        elif result.status == "interrupted":
            raise KeyboardInterrupt
        elif result.exit_code != 0:
            last = Redactor(secrets).text(result.output.strip()).splitlines()
            values[item.name] = f"(probe failed: exit {result.exit_code}" + (f": {last[-1][:120]}" if last else "") + ")"
        else:
            values[item.name] = text or "(empty)"
    return values


def changes(before: Mapping[str, str], now: Mapping[str, str]) -> list[dict]:
    return [{"name": name, "before": before.get(name), "now": value}
            for name, value in now.items() if name in before and before[name] != value]


def one_line(values: Mapping[str, str]) -> str:
    """`kube context prod-eu, namespace production`: the target as the destructive prompt names it."""
    return ", ".join(f"{name} {value}" for name, value in values.items())
