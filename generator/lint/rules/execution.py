"""RB42x: how a step runs under `runbook exec`: interactive steps, waits without a limit."""

from __future__ import annotations

import re

from ...codes import RULES
from ...model import Runbook
from ...shell import without_comments

INTERACTIVE_OUTPUT = RULES["RB420"]
UNBOUNDED_WAIT = RULES["RB421"]
INTERACTIVE_UNATTENDED = RULES["RB422"]

_WAITS = (
    ("`kubectl rollout status`", re.compile(r"\bkubectl\b[^\n|;&]*\brollout\s+status\b")),
    ("`kubectl wait`", re.compile(r"\bkubectl\b[^\n|;&]*\swait\b")),
    ("a `sleep` loop", re.compile(r"\b(?:while|until)\b[\s\S]*?\bdo\b[\s\S]*?\bsleep\b[\s\S]*?\bdone\b")),
)


def check(ctx):
    for runbook in ctx.runbooks:
        yield from _runbook(ctx, runbook)


def _runbook(ctx, runbook: Runbook):
    for step in runbook.steps:
        if step.interactive:
            extra = [name for name, present in (("capture", step.capture), ("expect.output", step.expect.output)) if present]
            if extra:
                field = "capture" if step.capture else "expect/output"
                yield ctx.finding(INTERACTIVE_OUTPUT, runbook, f"{step.pointer}/{field}",
                                  f"step {step.id!r} is interactive: its output is not captured, so {' and '.join(extra)} "
                                  f"cannot work; remove {'them' if len(extra) > 1 else 'it'} or drop `interactive`", key=True)
        if step.run and step.timeout is None and step.retry is None:
            label = _waits(step.run)
            if label:
                yield ctx.finding(UNBOUNDED_WAIT, runbook, f"{step.pointer}/run",
                                  f"step {step.id!r} waits ({label}) without `timeout` or `retry`; give it a `timeout`, "
                                  f"or one check with `retry: {{attempts, interval}}`")
    interactive = [s for s in runbook.steps if s.interactive]
    unattended = all(s.run is not None and not s.destructive for s in runbook.steps if not s.interactive)
    if interactive and unattended:
        for step in interactive:
            yield ctx.finding(INTERACTIVE_UNATTENDED, runbook, f"{step.pointer}/interactive",
                              f"step {step.id!r} is interactive, so `runbook exec --yes` stops there, yet every other "
                              f"step runs unattended; use a non-interactive command if the runbook is meant for --yes",
                              key=True)


def _waits(command: str) -> str | None:
    if "kubectl" not in command and "sleep" not in command:
        return None
    text = without_comments(command)
    return next((label for label, pattern in _WAITS if pattern.search(text)), None)
