"""Placeholders left in a command: `<pod-name>`, and for the importer also `[rds-hostname]`, `{{ namespace }}`
and `YOUR_TOKEN_HERE`, judged by the quoting the parse found.

Lint (RB303) looks for the `<pod-name>` style only, where bash would read a redirection: a letter, then
letters and digits in runs joined by single `-`, `_`, `.` or spaces (`<redis host>`, as wiki pages write
them). `<<EOF`, `< file`, `<(cmd)` and `List<String>` never match: the name must touch both brackets, and a
letter or `$` right before the `<` rules it out.

The importer turns every style people write into a variable (`every_style=True`):
- `[rds-hostname]`: a whole word in brackets, each part of the name at least two characters, so a glob
  (`[a-z]`, `file[12]`), a test (`[ -f x ]`, `[[ ... ]]`) or an index (`${a[i]}`, `.items[0]`) never matches;
- `{{ namespace }}`: Jinja/Helm style, a plain name (Go templates' `{{ .Values.x }}`, `{{end}}`, `{{range ...}}`
  and GitHub's `${{ secrets.X }}` are left alone);
- `YOUR_TOKEN_HERE`, `YOUR_PROJECT_ID`, `MY_BUCKET`, `API_KEY_HERE`: capitals that ask to be replaced (the
  variable is the name without `YOUR_`/`MY_`/`_HERE`); never a `$USE` of a variable or an assignment.
In comments nothing counts; where nothing expands (single quotes, `$'...'`, a quoted here document) only
names that look like placeholders count (with `-` or `_`, or upper case, or in `{{ }}`), so `grep '<title>'`
and `grep '[abc]'` are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parse import COMMENT, DOUBLE, UNQUOTED, quoting_at

_NAME = r"[A-Za-z][A-Za-z0-9]*(?:[-_. ][A-Za-z0-9]+)*"
PLACEHOLDER = re.compile(rf"(?<![<\w$])<({_NAME})>")
_BRACKETED = re.compile(r"(?<![\w\[\]$.])\[([A-Za-z][A-Za-z0-9]+(?:[-_.][A-Za-z0-9]{2,})*)\](?![\w\[(=])")
_BRACED = re.compile(r"(?<![$\w{])\{\{-?\s*([A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*)\s*-?\}\}(?!\})")
_CAPS = re.compile(r"(?<![\w$\{.-])((?:YOUR|MY)_[A-Z0-9]+(?:_[A-Z0-9]+)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_HERE)(?![\w=])")
_TEMPLATE_WORDS = frozenset({"end", "else", "range", "if", "with", "define", "template", "block", "break", "continue",
                             "nil", "true", "false", "and", "or", "not", "len", "index", "printf", "print", "println"})


@dataclass(frozen=True)
class Placeholder:
    name: str  # the words between the brackets (`pod-name`), or the name a `YOUR_X_HERE` asks for (`X`)
    offset: int  # of the first character (`<`, `[`, `{` or the capital)
    end: int  # after the last
    quoting: str  # how bash reads it (see parse.py)
    written: str = ""  # as written in the command: `<pod-name>`, `[rds-hostname]`, `{{ namespace }}`

    def __post_init__(self) -> None:
        if not self.written:
            object.__setattr__(self, "written", f"<{self.name}>")


def _matches(command: str, every_style: bool):
    """(name, start, end, distinctive) of each candidate; distinctive ones count even inside single quotes."""
    if "<" in command:
        for match in PLACEHOLDER.finditer(command):
            name = match.group(1)
            yield name, match.start(), match.end(), "-" in name or "_" in name or name.isupper()
    if not every_style:
        return
    if "[" in command:
        for match in _BRACKETED.finditer(command):
            name = match.group(1)
            if len(name) >= 3:
                yield name, match.start(), match.end(), "-" in name or "_" in name or name.isupper()
    if "{{" in command:
        for match in _BRACED.finditer(command):
            if match.group(1).lower() not in _TEMPLATE_WORDS:
                yield match.group(1), match.start(), match.end(), True
    if "_" in command:
        for match in _CAPS.finditer(command):
            name = re.sub(r"^(YOUR|MY)_|_HERE$", "", match.group(1)) or match.group(1)
            yield name, match.start(), match.end(), True


def placeholders(command: str, every_style: bool = False) -> list[Placeholder]:
    found = []
    for name, start, end, distinctive in _matches(command, every_style):
        quoting = quoting_at(command, start)
        if quoting == COMMENT:
            continue
        if quoting not in (UNQUOTED, DOUBLE) and not distinctive:
            continue
        if any(start < p.end and p.offset < end for p in found):
            continue  # `[<pod-name>]`: the inner one was taken first
        found.append(Placeholder(name, start, end, quoting, command[start:end]))
    found.sort(key=lambda p: p.offset)
    return found


def mask_placeholders(text: str) -> str:
    """The text with every placeholder style replaced by a plain word of the same length (offsets kept), so
    a parse sees what bash will see once a value stands there (`<pod>` is not a redirection)."""
    if not any(mark in text for mark in "<[{_"):
        return text
    spans = sorted((start, end) for _, start, end, _ in _matches(text, True))
    out, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        out.append(text[last:start])
        out.append("w" * (end - start))
        last = end
    out.append(text[last:])
    return "".join(out)


def variable_name(words: str) -> str:
    """`pod-name` -> `POD_NAME`: the variable a placeholder stands for."""
    return re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").upper()


def variable_hint(name: str) -> str:
    return f'"${variable_name(name)}"'
