"""The step loop: show a step, ask, run, judge, record; phases announced; modes applied.

Every decision and result is written to the transcript as it happens (the writer fsyncs each
line), so a session that is killed keeps everything up to its last finished step and `--resume`
can continue after it.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field

from ..model import Runbook, Step, Template
from . import display, runner
from .prompts import Console, Quit
from .redact import Redactor
from .transcript import TranscriptWriter, cap_output
from .variables import ask, used_by

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130

HELP = """  y  run the command shown
  s  skip this step (recorded as skipped)
  e  edit the command first; what runs and is recorded is the edited text
  q  quit the session (exit 1); `runbook exec RUNBOOK --resume TRANSCRIPT` continues later
  ?  this help
  A destructive step runs only when you type the name shown in its prompt."""


@dataclass
class Options:
    dry_run: bool = False
    yes: bool = False
    allow_destructive: bool = False


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


class Session:
    def __init__(self, runbook: Runbook, templates: dict[str, Template], console: Console, values: dict[str, str],
                 secrets: list[str], options: Options, start: int, writer: TranscriptWriter | None,
                 later: frozenset[str] = frozenset()):
        self.runbook = runbook
        self.templates = templates
        self.console = console
        self.values = dict(values)
        self.secrets = list(secrets)
        self.options = options
        self.start = start
        self.writer = writer
        self.counts = Counts()
        self._line_start = True
        self._environ: dict[str, str] | None = None
        self.later = set(later)  # variables not asked yet: asked before the first command that uses them

    # -- the loop ---------------------------------------------------------------------------------

    def run(self) -> int:
        steps = self.runbook.steps
        phase_of = {step.id: phase for phase in self.runbook.phases for step in phase.steps}
        current = None
        try:
            for index in range(self.start, len(steps)):
                step = steps[index]
                phase = phase_of[step.id]
                if self.runbook.has_phases and phase is not current:
                    display.announce(self.console, phase)
                current = phase
                display.show_step(self.console, index, len(steps), step, self.templates,
                                  phase=phase.id if self.runbook.has_phases else None,
                                  items_asked=not (self.options.dry_run or self.options.yes))
                if self.options.dry_run:
                    continue
                outcome = self._step(index, step, phase.id)
                if outcome is not None:
                    return self._finish(outcome)
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
        c.say(f"\nSession {outcome.status}{reason}.", *style)
        c.say(f"{self.counts.run} step(s) run, {self.counts.skipped} skipped, {self.counts.failed} failed.")
        if outcome.status != "completed":
            c.say(f"Continue later with: runbook exec {self.runbook.id} --resume {self.writer.path}", "bold")
        return outcome.code

    def _env(self) -> dict[str, str]:
        """bash's environment: ours plus the variables; built once, again only after a capture."""
        if self._environ is None:
            self._environ = {**os.environ, **self.values}
        return self._environ

    # -- display ----------------------------------------------------------------------------------

    def _sink(self, text: str) -> None:
        """Streamed command output, already redacted, with a gutter so it stands apart from prompts."""
        gutter = self.console.style("  | ", "dim")
        out = []
        for piece in text.splitlines(keepends=True):
            if self._line_start:
                out.append(gutter)
            out.append(piece)
            self._line_start = piece.endswith(("\n", "\r"))
        self.console.write("".join(out))

    # -- one step ---------------------------------------------------------------------------------

    def _step(self, index: int, step: Step, phase: str) -> Outcome | None:
        w = self.writer
        w.write("step-start", step=step.id, index=index + 1, total=len(self.runbook.steps), title=step.title,
                risk=step.risk, phase=phase or None)
        record: dict = {}
        outcome = None
        status = "succeeded"
        if step.run is not None:
            if self.options.yes:
                if step.destructive and not self.options.allow_destructive:
                    self.console.say(f"Stopped before destructive step {step.id}: --yes does not run destructive steps "
                                     f"without --allow-destructive. Run it interactively with "
                                     f"`runbook exec {self.runbook.id} --resume {w.path}`.", "red", "bold")
                    return Outcome("aborted", EXIT_FAILED, f"destructive step {step.id} needs confirmation")
                decision, command, edited = "run (--yes)", step.run, False
            else:
                decision, command, edited = self._ask(step)
            if decision == "quit":
                return Outcome("aborted", EXIT_FAILED, f"the operator quit at step {step.id}")
            if decision == "skip":
                self.counts.skipped += 1
                self.console.say("  Skipped.", "yellow")
                w.write("step-end", step=step.id, decision="skip", command=step.run, status="skipped")
                return None
            self._ask_variables(step, command)
            status, record, outcome = self._execute(step, command, decision, edited)
        if (step.checklist or step.template) and outcome is None and status != "skipped":
            checked = self._checklist(step)
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

    def _ask(self, step: Step) -> tuple[str, str, bool]:
        """The operator's decision: ("run"|"edited"|"skip"|"quit", command, edited)."""
        c = self.console
        command, edited = step.run, False
        word = self.runbook.confirm_word
        default = "y" if step.risk == "read-only" else None
        while True:
            if step.destructive:
                answer = c.ask(c.style(f"Type {word} to run this destructive step, or [s/e/q/?]: ", "red", "bold")).strip()
                if answer == word:
                    return ("confirmed" if not edited else "confirmed (edited)"), command, edited
            else:
                choices = "[Y/s/e/q/?]" if default else "[y/s/e/q/?]"
                answer = c.ask(c.style(f"Run this step? {choices} ", "bold")).strip() or (default or "")
            key = answer.lower()
            if key in ("y", "yes") and not step.destructive:
                return ("run" if not edited else "edited"), command, edited
            if key in ("s", "skip"):
                return "skip", command, edited
            if key in ("q", "quit"):
                return "quit", command, edited
            if key in ("e", "edit"):
                new = self._edit(command)
                if new != command:
                    command, edited = new, True
                c.say("  Command to run:")
                display.show_command(self.console, command)
            elif key == "?":
                c.say(HELP)
            elif step.destructive:
                if not answer:
                    c.warn(f"  Nothing typed: type {word} exactly to run this step, s to skip it, e to edit the "
                           f"command, q to quit, ? for help.")
                elif key in ("y", "yes"):
                    c.warn(f"  A destructive step runs only when you type {word}; it did not run.")
                elif answer:
                    c.warn(f"  That is not {word}; the step did not run.")
            else:
                c.warn("  Answer y (run), s (skip), e (edit), q (quit) or ? (help).")

    def _edit(self, command: str) -> str:
        """Single-line commands are retyped on one line; scripts go to $VISUAL/$EDITOR, else are typed
        line by line up to an empty line. An empty answer keeps the command."""
        c = self.console
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if "\n" not in command.strip():
            c.say("  Current command:")
            display.show_command(self.console, command)
            new = c.ask("  New command (empty keeps it): ").strip()
            return new or command
        if editor and c.interactive:
            with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as handle:
                handle.write(command)
            try:
                subprocess.run([*shlex.split(editor), handle.name], check=False)
                with open(handle.name, encoding="utf-8") as edited:
                    new = edited.read()
            finally:
                os.unlink(handle.name)
            return new if new.strip() else command
        c.say("  Current command:")
        display.show_command(self.console, command)
        c.say("  Type the new command, one line at a time; an empty line ends it (an empty first line keeps it).")
        lines = []
        while True:
            line = c.ask("  > ")
            if not line.strip():
                break
            lines.append(line)
        return "\n".join(lines) if lines else command

    def _execute(self, step: Step, command: str, decision: str, edited: bool) -> tuple[str, dict, Outcome | None]:
        c = self.console
        attempt = 0
        while True:
            attempt += 1
            if step.risk != "read-only":
                self.writer.durable()  # a command that changes something starts only once its step-start is on disk
            self._line_start = True
            result = runner.run(command, self._env(), step.timeout, lambda: Redactor(self.secrets), self._sink)
            if not self._line_start:
                c.write("\n")
            status, why = self._judge(step, result)
            output, cut = cap_output(Redactor(self.secrets).text(result.output))
            record = dict(decision=decision, command=command, edited=edited, output=output, output_cut=cut or result.cut,
                          exit_code=result.exit_code, duration=round(result.duration, 3), attempt=attempt)
            if why:
                record["reason"] = why
            self._report(status, result, why)
            if status == "succeeded":
                if step.capture:
                    value = result.stdout.rstrip("\n")
                    self.values[step.capture] = value
                    self._environ = None
                    record["captured"] = {step.capture: value}
                return status, record, None
            if status == "interrupted":
                choice = self._choose("Interrupted. Retry, skip or quit? [r/s/q] ", {"r", "s", "q"})
            else:
                policy = "stop" if self.options.yes and step.on_failure == "ask" else step.on_failure
                if policy == "continue":
                    c.say("  on_failure is continue: going on with the next step.", "yellow")
                    return status, record, None
                if policy == "stop":
                    return status, record, Outcome("failed", EXIT_FAILED, f"step {step.id} {status}")
                keys = {"r", "s", "q"} | ({"b"} if step.rollback else set())
                label = "Retry, skip, run the rollback or quit? [r/s/b/q] " if step.rollback else "Retry, skip or quit? [r/s/q] "
                choice = self._choose(label, keys)
                while choice == "b":
                    self._rollback(step)
                    keys.discard("b")
                    choice = self._choose("Retry, skip or quit? [r/s/q] ", keys)
            if choice == "r":
                self.writer.write("step-attempt", step=step.id, status=status, **record)
                continue
            if choice == "s":
                record["decision"] = f"{decision}, then skip after {status}"
                return status, record, None
            final = "aborted" if status == "interrupted" else "failed"
            return status, record, Outcome(final, EXIT_FAILED, f"the operator quit after step {step.id} {status}")

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
        self._environ = None
        if given:
            self.writer.write("variables", step=step.id, variables=given)

    def _choose(self, prompt: str, keys: set[str]) -> str:
        while True:
            answer = self.console.ask(self.console.style(prompt, "bold")).strip().lower()[:1]
            if answer in keys:
                return answer
            self.console.warn(f"  Answer one of: {', '.join(sorted(keys))}.")

    def _judge(self, step: Step, result: runner.Result) -> tuple[str, str]:
        if result.status == "timed-out":
            return "timed-out", f"no result after {step.timeout}s; the command and everything it started were stopped"
        if result.status == "interrupted":
            return "interrupted", "interrupted with Ctrl-C"
        if result.exit_code not in step.expect.exit_codes:
            wanted = " or ".join(str(code) for code in step.expect.exit_codes)
            return "failed", f"exit code {result.exit_code}, expected {wanted}"
        if step.expect.output and not re.search(step.expect.output, result.output, re.MULTILINE):
            return "failed", f"the output does not match {step.expect.output!r}"
        return "succeeded", ""

    def _report(self, status: str, result: runner.Result, why: str) -> None:
        took = f"{result.duration:.1f}s"
        if status == "succeeded":
            self.console.say(f"  ok: succeeded (exit {result.exit_code}, {took})", "green")
        else:
            self.console.say(f"  {status.upper()}: {why} ({took})", "red", "bold")

    def _rollback(self, step: Step) -> None:
        c = self.console
        c.say("  Running the rollback:")
        display.show_command(self.console, step.rollback)
        self._ask_variables(step, step.rollback)
        self.writer.durable()
        self._line_start = True
        result = runner.run(step.rollback, self._env(), step.timeout, lambda: Redactor(self.secrets), self._sink)
        if not self._line_start:
            c.write("\n")
        ok = result.status == "exited" and result.exit_code == 0
        c.say(f"  rollback {'succeeded' if ok else 'failed'} (exit {result.exit_code})", "green" if ok else "red")
        output, cut = cap_output(Redactor(self.secrets).text(result.output))
        self.writer.write("rollback", step=step.id, command=step.rollback, output=output, output_cut=cut or result.cut,
                          exit_code=result.exit_code, duration=round(result.duration, 3),
                          status="succeeded" if ok else ("failed" if result.status == "exited" else result.status))

    def _checklist(self, step: Step) -> list[dict] | None:
        """Each item done or not, with an optional note; None when the operator skips the step."""
        c = self.console
        items = list(step.checklist)
        if step.template:
            items.append(f"Message from template {step.template} sent")
        if self.options.yes:
            c.say("  Manual step: not confirmed under --yes (recorded as skipped).", "yellow")
            return [{"item": item, "done": False, "note": "not confirmed (--yes)"} for item in items]
        c.say("  Checklist: tick off each item, y done, n not done; a note may follow the letter "
              "(n waiting for the DBA).")
        checked = []
        for item in items:
            while True:
                answer = c.ask(f"  [ ] {item}  done? [y/n/s/q] ").strip()
                key, _, note = answer.partition(" ")
                key = key.lower()
                if key in ("y", "n"):
                    checked.append({"item": item, "done": key == "y", "note": note.strip() or None})
                    break
                if key == "s":
                    return None
                if key == "q":
                    raise Quit(f"the operator quit at step {step.id}")
                c.warn("  Answer y or n (a note may follow), s to skip the step, q to quit.")
        return checked
