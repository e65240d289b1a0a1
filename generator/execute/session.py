"""The step loop: show a step, decide, run, judge, record; phases announced; modes applied.

The operator's answers come from dialogue.py, commands run through stepping.py; this module puts
them in order: a step's `when` condition first, the target re-checked before a destructive step,
then the decision, then the attempts (`retry`) and the failure policy.

Every decision and result is written to the transcript as it happens (the writer fsyncs each
line), so a session that is killed keeps everything up to its last finished step or attempt, and
`--resume` continues after it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from ..calls import Calls
from ..model import Runbook, Step, Template
from . import display, nesting, target as targets
from .calling import Calling, Frame
from .dialogue import Dialogue
from .prompts import Console, Quit
from .redact import Redactor
from .stepping import CONDITION_TIMEOUT, Shell, judge, report
from .transcript import TranscriptWriter, cap_output
from .variables import ask, used_by

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


@dataclass
class Options:
    dry_run: bool = False
    yes: bool = False
    allow_destructive: bool = False
    drill: bool = False  # a rehearsal (`--drill`): recorded as such, and said so at the end
    # `runbook test`: nothing runs, so a called runbook's variable that nothing gives stays unset (as the
    # runbook's own do in a scenario) instead of stopping the session.
    scripted: bool = False


@dataclass
class Outcome:
    """How a session ends."""

    status: str  # completed, aborted, failed
    code: int
    reason: str = ""


@dataclass
class Counts:
    run: int = 0
    skipped: int = 0
    failed: int = 0
    items: dict = field(default_factory=dict)


class Session(Calling):
    def __init__(self, runbook: Runbook, templates: dict[str, Template], console: Console, values: dict[str, str],
                 secrets: list[str], options: Options, start: int, writer: TranscriptWriter | None,
                 later: frozenset[str] = frozenset(), target: dict[str, str] | None = None,
                 next_attempt: dict[str, int] | None = None, plan: nesting.Plan | None = None,
                 known: dict[str, dict[str, str]] | None = None, called_targets: dict | None = None,
                 shell=Shell, dialogue=Dialogue, environ: Mapping[str, str] | None = None):
        """`shell` and `dialogue` build what runs commands and what asks the operator: bash and the terminal
        for `runbook exec`, a scenario's scripted results and answers for `runbook test` (one engine).
        `environ`: where a called runbook's variables that `with` does not give come from (the process
        environment; a scenario's `variables` under `runbook test`, so the machine's own does not leak in)."""
        self.top = runbook
        self.templates = templates
        self.console = console
        self.secrets = list(secrets)
        self.options = options
        self.start = start
        self.writer = writer
        self.counts = Counts()
        self.environ = os.environ if environ is None else environ
        # later: variables not asked yet, asked before the first command that uses them.
        self.make_dialogue = dialogue  # a called runbook's frame gets its own (its confirmation word)
        self.frame = Frame(runbook, dict(values), set(later), dict(target or {}), dialogue(runbook, console))
        self.frames = {"": self.frame}  # call key -> its frame, opened when the call starts (or resumes)
        self.plan = plan or nesting.build(runbook, Calls([runbook]))
        self.resuming = known is not None  # --resume (else a call entered mid-way was reached with --from)
        self.known = known or {}  # call key -> values recorded by the session being resumed
        self.called_targets = called_targets or {}  # call key -> (probe env, target) taken in the header
        self.shell = shell(console, self.frame.values, self.secrets)  # shares the values and secrets
        self.next_attempt = dict(next_attempt or {})  # step id -> attempt to continue from (--resume)
        self._failed_before: dict[str, int] = {}  # call key -> failed steps when it started

    # The frame the current step runs in: the runbook's own, or a called runbook's.
    runbook = property(lambda self: self.frame.runbook)
    values = property(lambda self: self.frame.values)
    later = property(lambda self: self.frame.later)
    target = property(lambda self: self.frame.target)
    dialogue = property(lambda self: self.frame.dialogue)

    # -- the loop ---------------------------------------------------------------------------------

    def run(self) -> int:
        entries = self.plan.entries
        top_steps = len(self.top.steps)
        current = None
        try:
            index = self.start
            while index < len(entries):
                entry = entries[index]
                outcome = None if self.options.dry_run else self._enter(entry.frame)
                if outcome is not None:
                    return self._finish(outcome)
                phase = entry.phase
                if phase is not None and self.top.has_phases and phase is not current:
                    display.announce(self.console, phase)
                current = phase or current
                if entry.frame:
                    display.calling(self.console, self.plan.chain(entry), entry)
                display.show_step(self.console, index, top_steps, entry.step, self.templates,
                                  phase=phase.id if phase is not None and self.top.has_phases else None,
                                  items_asked=not (self.options.dry_run or self.options.yes),
                                  number=entry.number, call=entry.call)
                if self.options.dry_run:
                    index += 1
                    continue
                if entry.call is not None:
                    outcome, runs = self._call(entry)
                    if outcome is not None:
                        return self._finish(outcome)
                    if not runs:  # a skipped call may be the last thing inside the calls around it
                        self._calls_done(entry)
                    index = index + 1 if runs else entry.end + 1
                    continue
                outcome = self._step(index, entry.step, phase.id if phase is not None else "")
                if outcome is not None:
                    return self._finish(outcome)
                self._calls_done(entry)
                index += 1
        except KeyboardInterrupt:
            self.console.write("\n")
            return self._finish(Outcome("aborted", EXIT_INTERRUPTED, "interrupted (Ctrl-C)"))
        except Quit as exc:
            return self._finish(Outcome("aborted", EXIT_FAILED, str(exc) or "the operator's input ended"))
        return self._finish(Outcome("completed", EXIT_OK))

    def _finish(self, outcome: Outcome) -> int:
        c = self.console
        if self.options.dry_run:
            c.say("\nDry run: nothing was run and no transcript was written.", "bold")
            return EXIT_OK
        self.writer.write("session-end", status=outcome.status, reason=outcome.reason or None,
                          steps_run=self.counts.run, steps_skipped=self.counts.skipped, steps_failed=self.counts.failed)
        style = {"completed": ("green", "bold"), "aborted": ("yellow", "bold"), "failed": ("red", "bold")}[outcome.status]
        reason = f": {outcome.reason}" if outcome.reason else ""
        c.say(f"\n{'Drill' if self.options.drill else 'Session'} {outcome.status}{reason}.", *style)
        c.say(f"{self.counts.run} step(s) run, {self.counts.skipped} skipped, {self.counts.failed} failed.")
        if outcome.status != "completed":
            c.say(f"Continue later with: runbook exec {self.top.id} --resume {self.writer.path}", "bold")
        return outcome.code

    # -- one step ---------------------------------------------------------------------------------

    def _step(self, index: int, step: Step, phase: str) -> Outcome | None:
        w = self.writer
        w.write("step-start", step=step.id, index=index + 1, total=len(self.plan.entries), title=step.title,
                risk=step.risk, phase=phase or None, **self._nesting(self.plan.entries[index]))
        record: dict = {}
        if step.when is not None:
            holds, record = self._condition(step)
            if not holds:
                self.counts.skipped += 1
                w.write("step-end", step=step.id, status="skipped", decision="condition false", **record)
                return None
        outcome = None
        status = "succeeded"
        if step.run is not None:
            refused = self._refused_unattended(step)
            if refused:
                return refused
            against = ""
            if step.destructive and self._watched(self.plan.entries[index]):
                refused, against = self._check_target(step, self._watched(self.plan.entries[index]))
                if refused:
                    return refused
            if self.options.yes:
                decision, command, edited = "run (--yes)", step.run, False
            else:
                decision, command, edited = self.dialogue.decide(step, against)
            if decision == "quit":
                return Outcome("aborted", EXIT_FAILED, f"the operator quit at step {step.id}")
            if against and decision != "skip":
                # The prompt may have waited for minutes: probe once more right before the command runs.
                refused, _ = self._check_target(step, self._watched(self.plan.entries[index]), shown=False)
                if refused:
                    return refused
            if decision == "skip":
                self.counts.skipped += 1
                self.console.say("  Skipped.", "yellow")
                w.write("step-end", step=step.id, decision="skip", command=step.run, status="skipped", **record)
                return None
            self._ask_variables(step, command)
            status, ran, outcome = self._execute(step, command, decision, edited)
            record.update(ran)
        if (step.checklist or step.template) and outcome is None and status != "skipped":
            checked = self.dialogue.checklist(step, unattended=self.options.yes)
            if checked is None and step.run is None:
                status, record["decision"] = "skipped", "skip"
            elif checked is None:
                record["checklist"] = "skipped"
            else:
                record["checklist"] = checked
                record.setdefault("decision", "checked" if not self.options.yes else "manual (not confirmed under --yes)")
                if self.options.yes and step.run is None:
                    status = "skipped"
        if status == "skipped":
            self.counts.skipped += 1
        else:
            self.counts.run += 1
            if status != "succeeded":
                self.counts.failed += 1
        w.write("step-end", step=step.id, status=status, **record)
        return outcome

    def _condition(self, step: Step) -> tuple[bool, dict]:
        """Run the step's `when` test: (whether the step runs, what to record)."""
        self._ask_variables(step, step.when)
        result = self.shell.condition(step.when)
        if result.status == "interrupted":
            raise KeyboardInterrupt
        record = {"when": step.when, "when_exit": result.exit_code}
        output, _ = cap_output(self.shell.redactor().text(result.output), 4096)
        if output.strip():
            record["when_output"] = output
        if result.status == "exited" and result.exit_code == 0:
            self.console.say("  Condition holds (`when` exited 0): the step goes on.", "dim")
            return True, record
        why = f"no answer after {CONDITION_TIMEOUT}s" if result.status == "timed-out" else f"`when` exited {result.exit_code}"
        self.console.say(f"  skipped: condition false ({why})", "yellow")
        record["reason"] = "condition false" + (f" ({why})" if result.status == "timed-out" else "")
        return False, record

    def _refused_unattended(self, step: Step) -> Outcome | None:
        """--yes runs nothing that needs the operator: an interactive step, or a destructive one without
        --allow-destructive. The session stops before it; --resume continues there with the operator."""
        if not self.options.yes:
            return None
        resume = f"`runbook exec {self.top.id} --resume {self.writer.path}`"
        if step.interactive:
            self.console.say(f"Stopped before interactive step {step.id}: its command needs the operator at the "
                             f"terminal, which --yes does not give it. Continue interactively with {resume}.", "red", "bold")
            return Outcome("aborted", EXIT_FAILED, f"interactive step {step.id} needs the operator (refused under --yes)")
        if step.destructive and not self.options.allow_destructive:
            self.console.say(f"Stopped before destructive step {step.id}: --yes does not run destructive steps "
                             f"without --allow-destructive. Run it interactively with {resume}.", "red", "bold")
            return Outcome("aborted", EXIT_FAILED, f"destructive step {step.id} needs confirmation")
        return None

    def _watched(self, entry) -> list:
        """The frames whose target is probed again before a destructive step: the runbook's own, and for a
        called step also those of every runbook it runs inside (the one the operator started, and each call
        of a whole runbook around it): the step is a destructive step of the whole session. A call of one step
        (`RUNBOOK#STEP`) takes no baseline of its runbook's target, so that one is not compared."""
        keys = ["", *(call.key for call in self.plan.chain(entry))]
        frames = [self.frames[key] for key in keys if key in self.frames]
        return [frame for frame in frames if frame.runbook.target and frame.target]

    def _check_target(self, step: Step, frames: list, shown: bool = True) -> tuple[Outcome | None, str]:
        """Probe the target again before a destructive step; stop when a value changed since the start.
        `shown`: print the values (before the prompt); after the confirmation only a change is shown.
        With several runbooks' targets (a called step), a probe name they share is named with its runbook
        when the values differ."""
        c = self.console
        probed = []  # (runbook id, probe name, value now, value at the start)
        for frame in frames:
            values = self.shell.probe(frame.runbook, frame.values if frame is not self.frame else None)
            probed += [(frame.runbook.id, name, value, frame.target.get(name)) for name, value in values.items()]
        # A probe name two runbooks share is shown once when it says the same in both (the same cluster seen
        # from the caller and the call), and named with its runbook when the values differ.
        readings: dict[str, set] = {}
        for _, name, value, start in probed:
            readings.setdefault(name, set()).add((value, start))
        now: dict[str, str] = {}
        before: dict[str, str] = {}
        for runbook_id, name, value, start in probed:
            label = name if len(readings[name]) == 1 else f"{name} ({runbook_id})"
            now[label] = value
            if start is not None:
                before[label] = start
        changed = targets.changes(before, now)
        self.writer.write("target-check", step=step.id, target=now, changed=changed or None,
                          moment="before the prompt" if shown else "after the confirmation")
        if not shown and not changed:
            return None, targets.one_line(now)
        c.say("  Target now:", "bold")
        moved = {item["name"] for item in changed}
        width = max(len(name) for name in now)
        for name, value in now.items():
            if name in moved:
                c.say(f"    {name:<{width}} = {value}   (was {before.get(name)})", "red", "bold")
            else:
                c.say(f"    {name:<{width}} = {value}")
        if not changed:
            return None, targets.one_line(now)
        what = "; ".join(f"{item['name']} was {item['before']!r}, now {item['now']!r}" for item in changed)
        c.say(f"Stopped before destructive step {step.id}: the target changed since the session started ({what}). "
              f"Nothing was run. If the new target is the right one, start a new session there: "
              f"`runbook exec {self.top.id} --from {step.id}`.", "red", "bold")
        return Outcome("aborted", EXIT_FAILED, f"the target changed before step {step.id}: {what}"), ""

    def _execute(self, step: Step, command: str, decision: str, edited: bool) -> tuple[str, dict, Outcome | None]:
        """Attempts until the step succeeds, its `retry` is spent, or the operator decides."""
        c = self.console
        attempts = step.attempts
        attempt = min(self.next_attempt.pop(step.id, 1), attempts)
        if attempt > 1:
            c.say(f"  Continuing at attempt {attempt}/{attempts}: the earlier attempts are in the transcript.", "bold")
        while True:
            label = f"attempt {attempt}/{attempts}" if step.retry else ""
            if step.risk != "read-only":
                self.writer.durable()  # a command that changes something starts only once its step-start is on disk
            if step.interactive:
                c.say("  The command has the terminal until it exits; its output is not recorded.", "bold")
                result = self.shell.on_terminal(command, step.timeout)
                if result.exit_code is None or result.exit_code < 0:
                    c.write("\n")  # the terminal's echo of ^C (or the timeout) left the cursor mid-line
            else:
                result = self.shell.run(command, step.timeout)
            status, why = judge(step, result)
            record = dict(decision=decision, command=command, edited=edited, exit_code=result.exit_code,
                          duration=round(result.duration, 3), attempt=attempt)
            if step.retry:
                record["attempts"] = attempts
            if step.interactive:
                record.update(interactive=True, output=None, output_recorded=False)
            else:
                output, cut = cap_output(self.shell.redactor().text(result.output))
                record.update(output=output, output_cut=cut or result.cut)
            if why:
                record["reason"] = why
            report(c, status, result, why, label)
            if status == "succeeded":
                if step.capture:
                    value = result.stdout.rstrip("\n")
                    self.values[step.capture] = value
                    self.shell.changed()
                    record["captured"] = {step.capture: value}
                return status, record, None
            if status != "interrupted" and attempt < attempts:
                self.writer.write("step-attempt", step=step.id, status=status, retry="automatic",
                                  next_in=step.retry.interval, **record)
                if self._wait(step.retry.interval, attempt + 1, attempts):
                    attempt += 1
                    continue
                choice = self.dialogue.choose(f"Stopped waiting after attempt {attempt}/{attempts}. "
                                              f"Retry now, skip or quit? [r/s/q] ", {"r", "s", "q"})
                if choice == "r":
                    attempt += 1
                    continue
                return self._give_up(step, choice, status, record, decision, recorded=True)
            if status == "interrupted":
                choice = self.dialogue.after_failure(step, status)
            else:
                policy = "stop" if self.options.yes and step.on_failure == "ask" else step.on_failure
                if policy == "continue":
                    c.say("  on_failure is continue: going on with the next step.", "yellow")
                    return status, record, None
                if policy == "stop":
                    return status, record, Outcome("failed", EXIT_FAILED, f"step {step.id} {status}")
                choice = self.dialogue.after_failure(step, status)
                if choice == "b":
                    self._rollback(step)
                    choice = self.dialogue.choose("Retry, skip or quit? [r/s/q] ", {"r", "s", "q"})
            if choice == "r":
                self.writer.write("step-attempt", step=step.id, status=status, retry="operator", **record)
                attempt = 1 if attempt >= attempts else attempt + 1  # a spent retry starts a new round
                continue
            return self._give_up(step, choice, status, record, decision)

    def _give_up(self, step: Step, choice: str, status: str, record: dict, decision: str,
                 recorded: bool = False) -> tuple[str, dict, Outcome | None]:
        if choice == "s":
            record["decision"] = f"{decision}, then skip after {status}"
            return status, record, None
        final = "aborted" if status == "interrupted" or recorded else "failed"
        return status, record, Outcome(final, EXIT_FAILED, f"the operator quit after step {step.id} {status}")

    def _wait(self, seconds: int, next_attempt: int, attempts: int) -> bool:
        """Sleep until the next attempt; False when the operator pressed Ctrl-C to stop waiting."""
        self.console.say(f"  Next attempt ({next_attempt}/{attempts}) in {seconds}s; Ctrl-C stops waiting.", "dim")
        try:
            self.shell.wait(seconds)
            return True
        except KeyboardInterrupt:
            self.console.write("\n")
            self.console.say("  Stopped waiting.", "yellow")
            return False

    def _ask_variables(self, step: Step, command: str) -> None:
        """Ask for the values this command needs that nobody has given yet, and record them."""
        needed = used_by(command, self.later)
        if not needed:
            return
        self.console.say("  This command needs:", "bold")
        given = {}
        for variable in self.runbook.variables:
            if variable.name not in needed:
                continue
            value = ask(self.console, variable, indent="  ")
            self.later.discard(variable.name)
            if value is None:
                continue
            self.values[variable.name] = value
            given[variable.name] = "***" if variable.secret else value
            if variable.secret and value not in self.secrets:
                self.secrets.append(value)
                self.console.redactor = Redactor(self.secrets)
                self.writer.redactor = Redactor(self.secrets)
        self.shell.changed()
        if given:
            self.writer.write("variables", step=step.id, variables=given)

    def _rollback(self, step: Step) -> None:
        c = self.console
        c.say("  Running the rollback:")
        display.show_command(self.console, step.rollback)
        self._ask_variables(step, step.rollback)
        self.writer.durable()
        result = self.shell.rollback(step.rollback, step.timeout)
        ok = result.status == "exited" and result.exit_code == 0
        c.say(f"  rollback {'succeeded' if ok else 'failed'} (exit {result.exit_code})", "green" if ok else "red")
        output, cut = cap_output(self.shell.redactor().text(result.output))
        self.writer.write("rollback", step=step.id, command=step.rollback, output=output, output_cut=cut or result.cut,
                          exit_code=result.exit_code, duration=round(result.duration, 3),
                          status="succeeded" if ok else ("failed" if result.status == "exited" else result.status))
