"""Findings are data: every problem the loader, the schema check or a lint rule reports."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


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


# Rules register themselves here (code -> Rule) so `--explain` and SARIF see every code.
RULES: dict[str, Rule] = {}


def register(code: str, name: str, severity: str, summary: str, explanation: str) -> Rule:
    rule = Rule(code, name, severity, summary, explanation)
    if code in RULES and RULES[code] != rule:
        raise ValueError(f"rule code {code} registered twice")
    RULES[code] = rule
    return rule
