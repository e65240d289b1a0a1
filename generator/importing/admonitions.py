"""MkDocs Material's blocks that CommonMark does not know: admonitions (`!!! warning "Title"`, collapsible
`??? tip`) and content tabs (`=== "kubectl"`).

Their content is indented by four spaces under the marker, which plain Markdown reads as one indented code
block: the commands inside would be text, never steps. So before parsing, each marker becomes a line of text
and its content is moved back out by the four spaces, keeping every line where it was (findings keep their
line numbers):

    !!! warning "Production"          ->   **Warning**: Production
        Only during an incident.      ->   Only during an incident.
    === "kubectl"                     ->   **kubectl** tab     (the text of the steps that follow)

Fenced code is never looked into, and nested blocks (a tab in an admonition, one inside a list item) unfold too.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"""^(?P<indent> *)(?P<kind>!!!|\?\?\?\+?|===\+?)[ \t]+(?P<rest>.*?)[ \t]*$""")
_ADMONITION = re.compile(r"""^(?P<type>[\w-]+)(?:[ \t]+[\w -]*?)?(?:[ \t]*"(?P<title>[^"]*)")?$""")
_TAB = re.compile(r'''^"(?P<title>[^"]*)"''')
_FENCE = re.compile(r"^ *(`{3,}|~{3,})")


def unfold(text: str) -> str:
    """The Markdown with admonitions and content tabs turned into plain text and unindented content."""
    if "!!!" not in text and "???" not in text and "===" not in text:
        return text
    lines = text.split("\n")
    fence = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) and \
                    not line.strip().strip(fence[0]):
                fence = ""
            i += 1
            continue
        if opening:
            fence = opening.group(1)
            i += 1
            continue
        marker = _MARKER.match(line)
        label = _label(marker) if marker else None
        if label is None:
            i += 1
            continue
        indent = len(marker.group("indent"))
        lines[i] = marker.group("indent") + label
        inner = indent + 4
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) >= inner):
            end += 1
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1  # blank lines after the block belong to what follows
        for k in range(i + 1, end):
            if lines[k].startswith(" " * inner):
                lines[k] = lines[k][:indent] + lines[k][inner:]
        i += 1  # the content is scanned next, in place: its own fences and nested blocks
    return "\n".join(lines)


def _label(marker: re.Match) -> str | None:
    rest = marker.group("rest")
    if marker.group("kind").startswith("==="):
        tab = _TAB.match(rest)
        # `**kubectl** tab`, not a bold label alone: a label would prefix every later command's title
        return f"**{tab.group('title').strip()}** tab" if tab and tab.group("title").strip() else None
    admonition = _ADMONITION.match(rest)
    if admonition is None:
        return None  # `!!! WARNING! this was only tested in staging !!!`: a sentence, not a block
    kind = admonition.group("type").replace("-", " ").capitalize()
    title = (admonition.group("title") or "").strip()
    return f"**{kind}**: {title}" if title else f"**{kind}**:"
