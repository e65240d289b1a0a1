"""A small reader for bash commands: which `$NAME`s a command expands, and which names it sets.

Not a full bash parser: it tracks quoting (single quotes and escaped `\\$` expand nothing, quoted
heredocs are literal) well enough to find variable uses, assignments and `<placeholders>` with their
offsets. Syntax is checked by bash itself (see syntax.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_HEREDOC_QUOTED = re.compile(r"<<-?\s*(['\"])(\w+)\1")
_ASSIGN = re.compile(
    rf"(?:^|(?<=[\s;&|(`{{]))(?:(?:export|local|declare|typeset|readonly)(?:\s+-\w+)*\s+)?({NAME})(?:\[[^\]]*\])?\+?="
    rf"|(?:^|(?<=[\s;&|(`{{]))(?:export|local|declare|typeset|readonly|unset)(?:\s+-\w+)*((?:\s+{NAME})+)\s*(?=$|[;&|)\n])"
    rf"|\bfor\s+({NAME})\s+in\b|\bfor\s+\(\(\s*({NAME})"
    rf"|\b(?:read|mapfile|readarray)\b((?:\s+-(?:[a-zA-Z]*[adinNptu]\s+(?!-)[^\s;&|]+|[a-zA-Z]+))*)((?:\s+{NAME})+)"
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


def scan(command: str) -> tuple[list[Use], list[tuple[int, int]]]:
    """Variable uses (outside single quotes and escapes) and the single-quoted spans."""
    heredocs = literal_mask(command)
    uses: list[Use] = []
    quoted: list[tuple[int, int]] = []
    i, n = 0, len(command)
    in_double = False
    while i < n:
        for start, end in heredocs:
            if start <= i < end:
                i = end
                break
        if i >= n:
            break
        ch = command[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "#" and not in_double and (i == 0 or command[i - 1] in " \t\n;&|("):
            newline = command.find("\n", i)  # a comment: nothing in it is expanded
            i = n if newline < 0 else newline
            continue
        if ch == "'" and not in_double:
            end = command.find("'", i + 1)
            if i > 0 and command[i - 1] == "$":  # $'...' may escape quotes
                end = i + 1
                while end < n and command[end] != "'":
                    end += 2 if command[end] == "\\" else 1
            end = n if end < 0 else end
            quoted.append((i, end + 1))
            i = end + 1
            continue
        if ch == '"':
            in_double = not in_double
        elif ch == "$" and i + 1 < n:
            nxt = command[i + 1]
            if nxt == "{":
                m = re.compile(rf"[#!]?({NAME})").match(command, i + 2)
                if m:
                    uses.append(Use(m.group(1), i))
            else:
                m = re.compile(NAME).match(command, i + 1)
                if m:
                    uses.append(Use(m.group(0), i))
                    i = m.end()
                    continue
        i += 1
    return uses, quoted


def assigned(command: str) -> dict[str, int]:
    """Names the command sets itself (VAR=, export, local, read, for ... in), with the first offset."""
    names: dict[str, int] = {}
    for match in _ASSIGN.finditer(command):
        groups = match.groups()
        candidates: list[str] = []
        for index, group in enumerate(groups):
            if not group:
                continue
            if index == 4:  # read's options
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
