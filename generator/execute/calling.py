"""Calls (`uses`) inside a session: the frame each called runbook's steps run in, and the events of a call.

`Session` (session.py) walks the plan (nesting.py); when it reaches a `uses` step or a step inside a
call, these methods open the call's frame: the called runbook's values (from `with`, the environment,
defaults or the operator), its target baseline and its confirmation word; and after the last called
step they record the end of the call. Kept apart from the step loop so that each reads on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..model import Runbook
from . import display, nesting, target as targets
from .dialogue import Dialogue
from .redact import Redactor

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
        from ..calls import references, with_values
        from .variables import VariableError, resolve as resolve_variables, used_by_commands, used_by_target

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
            values = resolve_variables(view, given, os.environ, self.console, prompt=prompt,
                                       ask_defaults=not self.options.yes, known=self.known.get(entry.key, {}),
                                       defer=later, given_by=f"`with` of step {entry.key}")
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
                                       Dialogue(call.runbook, self.console, word=call.runbook.service or self.top.confirm_word))
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
        baseline = targets.probe(runbook, {**self.shell.env(), **values}, self.secrets)
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
