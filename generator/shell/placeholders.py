"""`<pod-name>`-style placeholders left in a command, where bash would read a redirection.

One pattern for lint (RB303) and the importer (which turns them into variables): a letter, then letters and
digits in runs joined by single `-`, `_`, `.` or spaces (`<redis host>`, as wiki pages write them). `<<EOF`,
`< file`, `<(cmd)` and `List<String>` never match: the name must touch both brackets, and a letter or `$`
right before the `<` rules it out. In comments nothing counts; where nothing expands (single quotes, `$'...'`,
a quoted here document) only names that look like placeholders count (with `-` or `_`, or upper case), so
`grep '<title>'` is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parse import COMMENT, DOUBLE, UNQUOTED, quoting_at

PLACEHOLDER = re.compile(r"(?<![<\w$])<([A-Za-z][A-Za-z0-9]*(?:[-_. ][A-Za-z0-9]+)*)>")


@dataclass(frozen=True)
class Placeholder:
    name: str  # the words between the brackets
    offset: int  # of the `<`
    end: int  # after the `>`
    quoting: str  # how bash reads it (see parse.py)


def placeholders(command: str) -> list[Placeholder]:
    if "<" not in command:
        return []
    found = []
    for match in PLACEHOLDER.finditer(command):
        name = match.group(1)
        quoting = quoting_at(command, match.start())
        if quoting == COMMENT:
            continue
        if quoting not in (UNQUOTED, DOUBLE) and not ("-" in name or "_" in name or name.isupper()):
            continue
        found.append(Placeholder(name, match.start(), match.end(), quoting))
    return found


def variable_name(words: str) -> str:
    """`pod-name` -> `POD_NAME`: the variable a placeholder stands for."""
    return re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").upper()


def variable_hint(name: str) -> str:
    return f'"${variable_name(name)}"'
