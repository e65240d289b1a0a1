"""Calls (`uses`) inside a session: the frame each called runbook's steps run in, and the events of a call.

`Session` (session.py) walks the plan (nesting.py); when it reaches a `uses` step or a step inside a
call, these methods open the call's frame: the called runbook's values (from `with`, the environment,
defaults or the operator), its target baseline and its confirmation word; and after the last called
step they record the end of the call. Before the first step, `check_called_variables` (an unattended run
stops at once when a called runbook would have to ask) and `probe_called_targets` (the called runbooks'
targets in the header) run from commands.py. Kept apart from the step loop so that each reads on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..calls import reference, with_values
from ..model import Runbook
from . import display, nesting, target as targets
from .dialogue import Dialogue
from .prompts import Console
from .redact import Redactor
from .variables import VariableError

if TYPE_CHECKING:
    from .session import Outcome


@dataclass
class Frame:
    """What a runbook's steps run with: its own variables (the runbook's, or a call's `with` and asked
    values), those asked later, its target baseline and its confirmation word. A session has one frame
    for the runbook and one for each call it enters (nesting.py)."""

    runbook: Runbook
    values: dict
    later: set
    target: dict
    dialogue: Dialogue


class Calling:
    """The call half of `Session`: it uses the session's plan, frames, writer, console, shell and counts."""

    def _enter(self, key: str) -> Outcome | None:
        """Make the frame of call `key` current, opening it (and the calls around it) first when the
        session starts or resumes inside it."""
        if key not in self.frames:
            call = self.plan.entry(key)
            outcome = self._enter(call.frame) or self._open(call, resumed=self.resuming)
            if outcome is not None:
                return outcome
        self.frame = self.frames[key]
        self.shell.values = self.frame.values
        self.shell.changed()
        return None

    def _call(self, entry: nesting.Entry) -> tuple[Outcome | None, bool]:
        """A `uses` step: its `when` (on the caller's values), then the called runbook's frame.
        Returns (how the session ends, or None; whether the called steps run)."""
        step = entry.step
        self.writer.write("step-start", step=step.id, index=entry.index + 1, total=len(self.plan.entries),
                          title=step.title, risk=step.risk, phase=entry.phase.id or None if entry.phase else None,
                          **self._nesting(entry))
        if step.when is not None:
            holds, record = self._condition(step)
            if not holds:
                self.counts.skipped += 1
                self.writer.write("step-end", step=step.id, status="skipped", decision="condition false",
                                  uses=step.uses, **record)
                return None, False
        return self._open(entry, resumed=False), True

    def _open(self, entry: nesting.Entry, resumed: bool) -> Outcome | None:
        """Start a call: the called runbook's values (`with`, the environment, defaults, the operator)
        and its target baseline, recorded in a call-start event that `--resume` reads back."""
        from ..calls import references
        from .variables import resolve as resolve_variables, used_by_commands, used_by_target

        call = entry.call
        caller = self.frames[entry.frame]
        self.frame = caller
        self.shell.values = caller.values
        self.shell.changed()
        refs = " ".join(f"${ref}" for _, ref in references(call.step))
        if refs:  # a caller's variable passed in `with` that nobody has given yet is asked now
            self._ask_variables(entry.step, refs)
        given = with_values(call.step, caller.values)
        view = replace(call.runbook, variables=call.needed_variables())
        prompt = self.console.interactive and not self.options.dry_run
        later = used_by_commands(view) - used_by_target(view) if prompt and not self.options.yes else frozenset()
        try:
            values = resolve_variables(view, given, self.environ, self.console, prompt=prompt,
                                       ask_defaults=not self.options.yes, known=self.known.get(entry.key, {}),
                                       defer=later, given_by=f"`with` of step {entry.key}",
                                       lenient=self.options.scripted)
        except VariableError as exc:
            self.console.say(f"Stopped at step {entry.key}: {exc}", "red", "bold")
            from .session import EXIT_FAILED, Outcome  # session.py imports this module: imported here

            return Outcome("aborted", EXIT_FAILED, f"step {entry.key}: {exc}")
        for variable in view.variables:
            if variable.secret and values.get(variable.name) and values[variable.name] not in self.secrets:
                self.secrets.append(values[variable.name])
        self.console.redactor = self.writer.redactor = Redactor(self.secrets)
        later = set(later - values.keys())
        display.variables(self.console, view, values, frozenset(later), title=f"Variables of {call.runbook.id}",
                          indent="  ")
        target = self._called_target(entry, values)
        self.frames[entry.key] = Frame(call.runbook, dict(values), later, target,
                                       self.make_dialogue(call.runbook, self.console,
                                                          word=call.runbook.service or self.top.confirm_word))
        masked = {v.name: ("***" if v.secret else values[v.name]) for v in view.variables if v.name in values}
        self.writer.write("call-start", step=entry.key, runbook=call.runbook.id, title=call.runbook.title,
                          uses=call.label, number=entry.number, steps=len(call.steps), variables=masked,
                          target=target or None, resumed=resumed or None, sha256=call.runbook.sha256)
        self._failed_before[entry.key] = self.counts.failed
        return None

    def _called_target(self, entry: nesting.Entry, values: dict[str, str]) -> dict[str, str]:
        """The called runbook's target baseline: the values shown in the session header, unless the call's
        variables differ from those the header probed with (then probed now, and shown)."""
        runbook = entry.call.runbook
        if not runbook.target or not entry.call.whole:
            return {}
        env, baseline = self.called_targets.get(entry.key, (None, None))
        names = {v.name for v in runbook.variables}
        now = {name: value for name, value in values.items() if name in names}
        if baseline is not None and env == now:
            return dict(baseline)
        baseline = self.shell.probe(runbook, values)
        self.console.say(f"  Target of {runbook.id}:", "bold")
        for name, value in baseline.items():
            self.console.say(f"    {name} = {value}")
        return baseline

    def _calls_done(self, entry: nesting.Entry) -> None:
        """After the last step of a call (and of the calls around it that end there): the call's step-end."""
        for call in reversed(self.plan.chain(entry)):
            if call.end != entry.end:  # entry.end: the entry itself, or the last step of a skipped call
                break
            failed = self.counts.failed > self._failed_before.pop(call.key, self.counts.failed)
            self.writer.write("step-end", step=call.key, status="failed" if failed else "succeeded",
                              uses=call.step.uses, decision="called")

    def _nesting(self, entry: nesting.Entry) -> dict:
        """What a transcript event of a called step says about where it is."""
        if not entry.frame:
            return {}
        return {"runbook": entry.runbook.id, "called_from": entry.frame, "number": entry.number}


# -- at the start of a session (commands.py) ------------------------------------------------------


def check_called_variables(plan, start: int, values: dict[str, str], known: dict[str, dict[str, str]],
                           environ=os.environ) -> None:
    """Without a terminal (or under --yes) nobody can answer a called runbook's question half-way: every
    required variable of a call from `start` on must come from `with`, the environment or a default."""
    missing = []
    for entry in plan.callees(start):
        declared = {v.name for v in entry.runbook.variables}
        # Given: literal text, a value the caller has, a capture (set by an earlier step), or any value of a
        # nested call (its caller's own questions come first).
        given = {name for name, value in entry.step.with_
                 if (ref := reference(value)) is None or entry.frame or ref in values or ref not in declared}
        for variable in entry.call.needed_variables():
            if (variable.required and variable.default is None and variable.name not in given
                    and variable.name not in environ and variable.name not in known.get(entry.key, {})):
                missing.append(f"{variable.name} (of {entry.call.runbook.id}, called by step {entry.key})")
    if missing:
        raise VariableError(f"missing required variable(s) of called runbooks: {', '.join(missing)}; pass them "
                            f"with `with` in the calling step, with --var NAME=VALUE, or in the environment")


def probe_called_targets(console: Console, plan, start: int, values: dict[str, str], secrets: list[str], dry_run: bool,
                         events: list[dict], environ=os.environ) -> dict:
    """The called runbooks' `target` probes, shown in the header: call key -> (the call's variables the probes
    ran with, the values). Nested calls get their values through each level's `with` (and defaults); a call
    whose values differ when it starts is probed again then (`Calling._called_target`)."""
    shown = {}
    frames = {"": values}
    recorded = next((e.get("called_targets") for e in events if e["event"] == "session-start"), None) or {}
    for entry in plan.callees(start):
        callee = entry.call.runbook
        caller = frames.get(entry.frame, {})
        given = with_values(entry.call.step, caller)
        frame_values = {**{v.name: v.default for v in callee.variables if v.default is not None},
                        **{v.name: environ[v.name] for v in callee.variables if v.name in environ}, **given}
        frames[entry.key] = frame_values
        if not callee.target or not entry.call.whole:
            continue
        title = f"Target of {callee.id} (called by step {entry.key})"
        if dry_run:
            display.target(console, callee, title=title)
            continue
        now = targets.probe(callee, {**environ, **frame_values}, secrets)
        before = recorded.get(entry.key) if isinstance(recorded.get(entry.key), dict) else now
        display.target(console, callee, now, before, title=title)
        shown[entry.key] = (frame_values, before)
    return shown
