"""Running and judging one command of a step: the environment, the live output, the verdict.

The session decides what to run and when (asking the operator through the dialogue); this module
runs it: streamed with a gutter (`run`), quietly for a `when` condition (`condition`), or on the
terminal itself for an interactive step (`on_terminal`), and says whether the result meets the
step's `expect`.
"""

from __future__ import annotations

import os
import re
import signal
import time

from ..model import Runbook, Step
from . import runner, target as targets
from .prompts import Console
from .redact import Redactor

CONDITION_TIMEOUT = 60  # seconds for a `when` test; one that hangs is not true


class Shell:
    """bash with the session's variables and captures in its environment."""

    def __init__(self, console: Console, values: dict[str, str], secrets: list[str]):
        self.console = console
        self.values = values
        self.secrets = secrets
        self._environ: dict[str, str] | None = None
        self._line_start = True

    def env(self) -> dict[str, str]:
        """bash's environment: ours plus the variables; built once, again only after a value changes."""
        if self._environ is None:
            self._environ = {**os.environ, **self.values}
        return self._environ

    def changed(self) -> None:
        self._environ = None

    def redactor(self) -> Redactor:
        return Redactor(self.secrets)

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

    def run(self, command: str, timeout: int | None) -> runner.Result:
        self._line_start = True
        result = runner.run(command, self.env(), timeout, self.redactor, self._sink)
        if not self._line_start:
            self.console.write("\n")
        return result

    def condition(self, command: str) -> runner.Result:
        """A `when` test: run without showing its output (it is recorded)."""
        return runner.run(command, self.env(), CONDITION_TIMEOUT, self.redactor, lambda _text: None)

    def on_terminal(self, command: str, timeout: int | None) -> runner.Result:
        return runner.run_on_terminal(command, self.env(), timeout)

    def rollback(self, command: str, timeout: int | None) -> runner.Result:
        """A step's rollback command, run like any command (a scripted shell answers it from `rollbacks`)."""
        return self.run(command, timeout)

    def probe(self, runbook: Runbook, values: dict[str, str] | None = None) -> dict[str, str]:
        """The runbook's `target` probes, run now: name -> value (`values`: a called runbook's own, over ours)."""
        return targets.probe(runbook, {**self.env(), **(values or {})}, self.secrets)

    @staticmethod
    def wait(seconds: float) -> None:
        """The pause between two attempts of a `retry` (Ctrl-C raises KeyboardInterrupt here)."""
        time.sleep(seconds)


def judge(step: Step, result: runner.Result) -> tuple[str, str]:
    """(status, why): succeeded, failed, timed-out or interrupted, with the reason for anything else."""
    if result.status == "timed-out":
        return "timed-out", f"no result after {step.timeout}s; the command and everything it started were stopped"
    if result.status == "interrupted":
        return "interrupted", "interrupted with Ctrl-C"
    if result.exit_code is not None and result.exit_code < 0:  # an interactive command ended by Ctrl-C, say
        return "failed", f"ended by signal {signal.Signals(-result.exit_code).name}"
    if result.exit_code not in step.expect.exit_codes:
        wanted = " or ".join(str(code) for code in step.expect.exit_codes)
        return "failed", f"exit code {result.exit_code}, expected {wanted}"
    if step.expect.output and not step.interactive and not re.search(step.expect.output, result.output, re.MULTILINE):
        return "failed", f"the output does not match {step.expect.output!r}"
    return "succeeded", ""


def report(console: Console, status: str, result: runner.Result, why: str, attempt: str = "") -> None:
    took = f"{result.duration:.1f}s"
    label = f"{attempt}: " if attempt else ""
    if status == "succeeded":
        console.say(f"  {label}ok: succeeded (exit {result.exit_code}, {took})", "green")
    else:
        console.say(f"  {label}{status.upper()}: {why} ({took})", "red", "bold")
