"""RB9xx: inline suppressions written as YAML comments.

    run: kubectl delete pod "$POD"  # runbook: disable=RB401 -- deleting one pod is routine here
    # runbook: disable-next-line=RB301,RB302 -- reason
    # runbook: disable-file=RB501 -- reason

A code is required (a bare `disable` would hide every future problem too). A suppression that hides
nothing, or names a code that does not exist, is itself a finding, so stale ones get cleaned up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..codes import RULES, did_you_mean
from ..findings import Finding

UNUSED = RULES["RB901"]
UNKNOWN = RULES["RB902"]

_COMMENT = re.compile(r"#\s*runbook:\s*(disable-next-line|disable-file|disable)\b\s*(?:=\s*([A-Za-z0-9_, ]*?))?\s*(?:--\s*(.*))?$")
_CODE = re.compile(r"^RB[0-9]{3}$")
_SHELLCHECK_CODE = re.compile(r"^SC[0-9]{4}$")  # ShellCheck's codes are registered when first met


@dataclass
class Suppression:
    kind: str
    line: int  # of the comment
    column: int
    codes: tuple[str, ...]
    target: int  # line it applies to (0: the whole file)
    used: set[str] = field(default_factory=set)


def parse(path: str, text: str) -> tuple[list[Suppression], list[Finding]]:
    if "runbook:" not in text:
        return [], []
    suppressions: list[Suppression] = []
    problems: list[Finding] = []
    for index, line in enumerate(text.splitlines()):
        if "runbook:" not in line:
            continue
        match = _COMMENT.search(line)
        if not match:
            continue
        kind, codes_text = match.group(1), match.group(2)
        column = match.start() + 1
        codes = tuple(c.strip().upper() for c in (codes_text or "").split(",") if c.strip())
        if not codes:
            problems.append(Finding(path, index + 1, column, UNKNOWN.code, UNKNOWN.severity,
                                    f"`# runbook: {kind}` needs a code, for example `# runbook: {kind}=RB401 -- reason`"))
            continue
        known = []
        for code in codes:
            if (_CODE.match(code) and code in RULES) or _SHELLCHECK_CODE.match(code):
                known.append(code)
            else:
                problems.append(Finding(path, index + 1, column, UNKNOWN.code, UNKNOWN.severity,
                                        f"suppression names unknown rule code {code!r}; {did_you_mean(code)}`runbook lint --rules` lists them"))
        if not known:
            continue
        target = {"disable": index + 1, "disable-next-line": index + 2, "disable-file": 0}[kind]
        suppressions.append(Suppression(kind, index + 1, column, tuple(known), target))
    return suppressions, problems


def apply(findings: list[Finding], texts: dict[str, str], complete: set[str] | None = None,
          unchecked: tuple[str, ...] = ()) -> list[Finding]:
    """Drop suppressed findings; add RB901/RB902 findings for bad or unused suppressions.

    `complete`: the paths every rule ran on in full (valid documents). Elsewhere a rule skipped what a
    broken value hides, so a suppression that hid nothing this time is not called unused. Codes starting
    with an `unchecked` prefix were not checked in this run (ShellCheck missing): their suppressions are
    not called unused either.
    """
    by_path: dict[str, list[Suppression]] = {}
    extra: list[Finding] = []
    for path, text in texts.items():
        suppressions, problems = parse(path, text)
        if suppressions:
            by_path[path] = suppressions
        extra.extend(problems)
    if not by_path:
        return findings + extra
    kept: list[Finding] = []
    for finding in findings:
        suppressed = False
        for suppression in by_path.get(finding.path, ()):
            if finding.code in suppression.codes and suppression.target in (0, finding.line):
                suppression.used.add(finding.code)
                suppressed = True
        if not suppressed:
            kept.append(finding)
    for path, suppressions in by_path.items():
        if complete is not None and path not in complete:
            continue
        for suppression in suppressions:
            for code in suppression.codes:
                if code not in suppression.used and not code.startswith(unchecked or ("\0",)):
                    where = "in this file" if suppression.kind == "disable-file" else f"on line {suppression.target}"
                    extra.append(Finding(path, suppression.line, suppression.column, UNUSED.code, UNUSED.severity,
                                         f"suppression of {code} is unused: no {code} finding {where}; remove it"))
    return kept + extra
