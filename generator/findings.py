"""Findings are data: every problem the loader, the schema check or a lint rule reports.

The codes themselves (what each means) are listed in generator/codes.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


@dataclass(frozen=True)
class Rule:
    """A finding's kind: a stable code, a short name, a default severity and an explanation."""

    code: str
    name: str
    severity: str
    summary: str
    explanation: str


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    severity: str = field(compare=False)
    message: str = field(compare=False)
    pointer: str = field(default="", compare=False)

    def location(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path

    def line_text(self, colour: bool = False) -> str:
        """The one line every command prints for a finding: `path:line:col: CODE [severity] message`."""
        code, severity = self.code, f"[{self.severity}]"
        if colour:
            code, severity = f"{_BOLD}{code}{_RESET}", f"{_COLOURS[self.severity]}{severity}{_RESET}"
        return f"{self.location()}: {code} {severity} {self.message}"
