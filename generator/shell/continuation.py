"""Does a command go on to the next line? The importer asks this line by line when it splits a shell block.

Bash waits for more after an open quote, here document, `$(`, an `if`/`for`/`case` block, or a trailing `|`,
`&&` or `\\`: the parse then has an error or a missing token at the very end of the text. A mistake in the
middle (a stray `)`) is not at the end: that command is complete, and bash -n reports it later.
Placeholders (`<pod>`, `[host]`, `{{ ns }}`) are read as the words a person will put there, not as redirections.
"""

from __future__ import annotations

import re

from .parse import parsed_tree
from .placeholders import mask_placeholders


_CHOICES = re.compile(r"<[\w.-]+(\|[\w.-]+)+>")


def needs_more(text: str) -> bool:
    # `<ready|drain|maint>` in a usage line offers choices: no command goes on after it (the line itself is
    # not bash, and the importer keeps it as text), so it must not swallow the lines below it
    stripped = _CHOICES.sub(lambda match: "w" * len(match.group(0)), mask_placeholders(text.rstrip()))
    if not stripped:
        return False
    root, size = parsed_tree(stripped)
    if not root.has_error:
        return False
    stack = [root]
    while stack:
        node = stack.pop()
        if (node.is_error or node.is_missing) and node.end_byte >= size:
            return True
        stack.extend(child for child in node.children if child.has_error or child.is_missing)
    return False
