"""The operator dialogue: what the session asks, and what the answers mean.

Run this step? (y/s/e/q/?), the destructive confirmation typed against a visible target, the
command editor, the retry/skip/quit choice after a failure, the checklist items, and the choice
to go on when required programs are missing. Nothing here runs a step's command.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile

from ..model import Runbook, Step
from . import display
from .prompts import Console, Quit

HELP = """  y  run the command shown
  s  skip this step (recorded as skipped)
  e  edit the command first; what runs and is recorded is the edited text
  q  quit the session (exit 1); `runbook exec RUNBOOK --resume TRANSCRIPT` continues later
  ?  this help
  A destructive step runs only when you type the name shown in its prompt."""


class Dialogue:
    def __init__(self, runbook: Runbook, console: Console, word: str | None = None):
        self.runbook = runbook
        self.console = console
        self.word = word or runbook.confirm_word  # a called runbook without a service: the caller's word

    def decide(self, step: Step, target: str = "") -> tuple[str, str, bool]:
        """The operator's decision: ("run"|"edited"|"confirmed"|"skip"|"quit", command, edited).

        `target`: the probes' values, named in the destructive prompt so the name is typed against them."""
        c = self.console
        command, edited = step.run, False
        word = self.word
        default = "y" if step.risk == "read-only" else None
        against = f" against {target}" if target else ""
        while True:
            if step.destructive:
                answer = c.ask(c.style(f"Type {word} to run this destructive step{against}, or [s/e/q/?]: ",
                                       "red", "bold")).strip()
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
                new = self.edit(command)
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

    def edit(self, command: str) -> str:
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

    def choose(self, prompt: str, keys: set[str]) -> str:
        while True:
            answer = self.console.ask(self.console.style(prompt, "bold")).strip().lower()[:1]
            if answer in keys:
                return answer
            self.console.warn(f"  Answer one of: {', '.join(sorted(keys))}.")

    def after_failure(self, step: Step, status: str) -> str:
        """r (retry), s (skip), q (quit) or b (run the rollback) after a failed or interrupted attempt."""
        if status == "interrupted" or not step.rollback:
            label = "Interrupted. Retry, skip or quit? [r/s/q] " if status == "interrupted" else "Retry, skip or quit? [r/s/q] "
            return self.choose(label, {"r", "s", "q"})
        return self.choose("Retry, skip, run the rollback or quit? [r/s/b/q] ", {"r", "s", "q", "b"})

    def go_on_without(self) -> bool:
        """Missing programs were listed: go on anyway (y) or stop (n, the default)."""
        answer = self.console.ask(self.console.style("Go on anyway? The steps that need them will fail. [y/N] ",
                                                     "bold")).strip().lower()
        return answer in ("y", "yes")

    def checklist(self, step: Step, unattended: bool) -> list[dict] | None:
        """Each item done or not, with an optional note; None when the operator skips the step."""
        c = self.console
        items = list(step.checklist)
        if step.template:
            items.append(f"Message from template {step.template} sent")
        if unattended:
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
