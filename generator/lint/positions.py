"""Line and column of a JSON pointer, and of a character inside a string value.

`Source.locate` gives the start of a value. A finding about a variable on the third line of a
`run: |` block should point at that line, so for literal block scalars the offset inside the value
is mapped back to the file; for other styles the value's start (plus the offset on one-line values)
is close enough.
"""

from __future__ import annotations

import yaml

from .. import pointers
from ..loading import Source


def node_at(source: Source, pointer: str):
    node = source.root
    for token in pointers.split(pointer):
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == token), None)
        elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
        else:
            return None
        if node is None:
            return None
    return node


def position(source: Source, pointer: str, key: bool = False, offset: int | None = None) -> tuple[int, int]:
    if offset is None or key:
        return source.locate(pointer, key=key)
    node = node_at(source, pointer)
    if not isinstance(node, yaml.ScalarNode):
        return source.locate(pointer)
    value = node.value
    line_index = value.count("\n", 0, offset)
    column_in_line = offset - (value.rfind("\n", 0, offset) + 1)
    start = node.start_mark
    if node.style == "|":
        # Content starts on the line after the indicator, indented like the first content line.
        lines = source.text.splitlines()
        first = start.line + 1
        while first < len(lines) and not lines[first].strip():
            first += 1
        indent = len(lines[first]) - len(lines[first].lstrip(" ")) if first < len(lines) else 0
        return (start.line + 2 + line_index, indent + column_in_line + 1)
    if line_index == 0 and node.style in (None, "", "'", '"') and start.line == node.end_mark.line:
        quote = 1 if node.style else 0
        return (start.line + 1, start.column + 1 + quote + column_in_line)
    return (start.line + 1, start.column + 1)

