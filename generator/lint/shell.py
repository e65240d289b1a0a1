"""A small reader for bash commands: which `$NAME`s a command expands, and which names it sets.

Not a full bash parser: it tracks quoting (single quotes and escaped `\\$` expand nothing, quoted
heredocs are literal) well enough to find variable uses, assignments and `<placeholders>` with their
offsets. Syntax is checked by bash itself (see syntax.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_HEREDOC_QUOTED = re.compile(r"<<-?\s*(['\"])(\w+)\1")
_ASSIGN = re.compile(
    rf"(?:^|(?<=[\s;&|(`{{]))(?:(?:export|local|declare|typeset|readonly)(?:\s+-\w+)*\s+)?({NAME})(?:\[[^\]]*\])?\+?="
    rf"|(?:^|(?<=[\s;&|(`{{]))(?:export|local|declare|typeset|readonly|unset)(?:[ \t]+-\w+)*((?:[ \t]+{NAME})+)[ \t]*(?=$|[;&|)\n])"
    rf"|\bfor\s+({NAME})\s+in\b|\bfor\s+\(\(\s*({NAME})"
    rf"""|\b(?:read|mapfile|readarray)\b((?:[ \t]+-(?:[a-zA-Z]*[adinNptu][ \t]*(?!-)(?:"[^"]*"|'[^']*'|[^\s;&|]+)|[a-zA-Z]+))*)((?:[ \t]+{NAME})+)"""
    rf"|\bgetopts\s+\S+\s+({NAME})"
    rf"|\$\{{({NAME}):?=",
    re.MULTILINE)


@dataclass(frozen=True)
class Use:
    name: str
    offset: int  # of the `$`


def literal_mask(command: str) -> list[tuple[int, int]]:
    """Spans whose text bash does not expand: single quotes, ANSI-C $'...', escaped characters, quoted heredoc bodies."""
    spans: list[tuple[int, int]] = []
    for match in _HEREDOC_QUOTED.finditer(command):
        body_start = command.find("\n", match.end())
        if body_start < 0:
            continue
        end = re.compile(rf"^\t*{re.escape(match.group(2))}$", re.MULTILINE).search(command, body_start + 1)
        spans.append((body_start, end.start() if end else len(command)))
    return spans


# Tokens that matter outside double quotes, and inside them. Scanning jumps from token to token.
_NORMAL = re.compile(rf"""\\.|(?P<ansi>\$'(?:[^'\\]|\\.)*'?)|(?P<sq>'[^']*'?)|(?P<dq>")"""
                     rf"""|\$\{{[#!]?(?P<braced>{NAME})|\$(?P<plain>{NAME})|(?P<comment>(?:^|(?<=[\s;&|(]))#[^\n]*)""", re.DOTALL | re.MULTILINE)
_DOUBLE = re.compile(rf"""\\.|(?P<dq>")|\$\{{[#!]?(?P<braced>{NAME})|\$(?P<plain>{NAME})""", re.DOTALL)


@lru_cache(maxsize=4096)
def scan(command: str) -> tuple[tuple[Use, ...], tuple[tuple[int, int], ...]]:
    """Variable uses (outside single quotes, escapes and comments) and the single-quoted spans.

    Memoised: runbooks repeat the same commands (a check before and after, the same query in many files).
    """
    uses: list[Use] = []
    quoted: list[tuple[int, int]] = []
    if "$" not in command and "'" not in command:
        return (), ()
    heredocs = literal_mask(command) if "<<" in command else []
    position, in_double = 0, False
    while True:
        match = (_DOUBLE if in_double else _NORMAL).search(command, position)
        if match is None:
            break
        position = match.end()
        skip = next((end for start, end in heredocs if start <= match.start() < end), None)
        if skip is not None:
            position = skip
            continue
        kind = match.lastgroup
        if kind == "dq":
            in_double = not in_double
        elif kind in ("sq", "ansi"):
            quoted.append(match.span())
        elif kind in ("braced", "plain"):
            uses.append(Use(match.group(kind), match.start()))
    return tuple(uses), tuple(quoted)


_READ_ARRAY = re.compile(rf"-[a-zA-Z]*a\s*({NAME})")
_COMMENTS = re.compile(r"""\\.|'[^']*'?|"(?:[^"\\]|\\.)*"?|(?P<comment>(?:^|(?<=[\s;&|(]))#[^\n]*)""", re.DOTALL | re.MULTILINE)


def without_comments(command: str) -> str:
    """The command with its `# comments` removed (a `#` inside quotes or in `$#` is not one)."""
    if "#" not in command:
        return command
    return _COMMENTS.sub(lambda m: "" if m.group("comment") else m.group(0), command)


def assigned(command: str) -> dict[str, int]:
    """Names the command sets itself (VAR=, export, local, read, for ... in), with the first offset."""
    names: dict[str, int] = {}
    for match in _ASSIGN.finditer(command):
        groups = match.groups()
        candidates: list[str] = []
        for index, group in enumerate(groups):
            if not group:
                continue
            if index == 4:  # read's options: only `-a NAME` (an array to fill) names a variable
                candidates.extend(_READ_ARRAY.findall(group))
                continue
            candidates.extend(group.split())
        for name in candidates:
            if re.fullmatch(NAME, name):
                names.setdefault(name, match.start())
    return names


_PLACEHOLDER = re.compile(r"(?<![<\w$])<([A-Za-z][A-Za-z0-9_.-]*)>")


def placeholders(command: str, quoted: list[tuple[int, int]]) -> list[tuple[str, int]]:
    """`<pod-name>`-style leftovers. `<<EOF`, `< file` and `<(cmd)` never match: the name must touch both brackets.

    Inside single quotes only names that look like placeholders (with `-` or `_`, or upper case) count,
    so `grep '<title>'` is left alone.
    """
    found = []
    for match in _PLACEHOLDER.finditer(command):
        name = match.group(1)
        in_quotes = any(start <= match.start() < end for start, end in quoted)
        if in_quotes and not ("-" in name or "_" in name or name.isupper()):
            continue
        found.append((name, match.start()))
    return found


def variable_hint(name: str) -> str:
    return '"$' + re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() + '"'
