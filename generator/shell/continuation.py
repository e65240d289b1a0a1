"""Does a command go on to the next line? The importer asks this line by line when it splits a shell block.

Bash waits for more after an open quote, here document, `$(`, an `if`/`for`/`case` block, or a trailing `|`,
`&&` or `\\`: the parse then has an error or a missing token at the very end of the text. A mistake in the
middle (a stray `)`) is not at the end: that command is complete, and bash -n reports it later.
Placeholders (`<pod>`, `[host]`, `{{ ns }}`) are read as the words a person will put there, not as redirections.
"""

from __future__ import annotations

from .parse import parsed_tree
from .placeholders import mask_placeholders


def needs_more(text: str) -> bool:
    stripped = mask_placeholders(text.rstrip())
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
