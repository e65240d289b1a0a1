"""The operator's terminal: coloured output (on a tty, not with a non-empty NO_COLOR), line answers, secrets.

Every line shown goes through the session's redactor, so a secret typed into an edited command or
printed by a description never reaches the screen.
"""

from __future__ import annotations

import getpass
import sys

from ..colour import wanted
from .redact import Redactor

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35",
          "cyan": "36"}


class Quit(Exception):
    """The operator's input ended (EOF): treated as quitting."""


class Console:
    def __init__(self, out=None, inp=None):
        self.out = out or sys.stdout
        self.inp = inp or sys.stdin
        self.redactor = Redactor()
        self.color = wanted(self.out)
        self.prompt_label = ""  # put before every question (`runbook exec --drill`: "[DRILL] ")

    @property
    def interactive(self) -> bool:
        return self.inp.isatty()

    def style(self, text: str, *names: str) -> str:
        if not self.color or not names:
            return text
        codes = ";".join(_CODES[n] for n in names)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def say(self, text: str = "", *styles: str) -> None:
        self.out.write(self.style(self.redactor.text(text), *styles) + "\n")
        self.out.flush()

    def write(self, text: str) -> None:
        """Raw text (already redacted), used for streamed command output."""
        self.out.write(text)
        self.out.flush()

    def warn(self, text: str) -> None:
        self.say(text, "yellow")

    def ask(self, prompt: str) -> str:
        """One line from the operator. EOF means they are gone: Quit."""
        self.out.write(self._labelled(self.redactor.text(prompt)))
        self.out.flush()
        line = self.inp.readline()
        if not line:
            self.out.write("\n")
            raise Quit()
        return line.rstrip("\r\n")

    def _labelled(self, prompt: str) -> str:
        """The label goes after the indentation, where the eye reads the question."""
        if not self.prompt_label:
            return prompt
        body = prompt.lstrip(" ")
        return prompt[:len(prompt) - len(body)] + self.style(self.prompt_label, "magenta", "bold") + body

    def ask_secret(self, prompt: str) -> str:
        """Read without echo, from the terminal itself."""
        try:
            return getpass.getpass(self._labelled(prompt), stream=self.out)
        except EOFError:
            raise Quit() from None
