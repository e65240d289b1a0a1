"""Reference-style links made inline: `[terraform][env]`, `[env][]` and `[env]` with `[env]: https://...`
defined elsewhere in the page (GitLab's runbooks keep the definitions at the end).

The importer splits a page into a description and steps; a definition stays with whichever part holds
it, so every other part would show `[terraform][env]` as text. Written inline, each link goes wherever its
text goes. Line numbers do not change (only text within lines does).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference

from .text import outside_code

_LABEL = r"((?:[^\[\]\\]|\\.)+)"
_FULL = re.compile(rf"\[{_LABEL}\]\[((?:[^\[\]\\]|\\.)*)\]")  # [text][label], [label][]
_SHORTCUT = re.compile(rf"(?<![\]\\])\[{_LABEL}\](?![\[(:])")  # [label], not a definition or inline link


def inline_references(text: str) -> str:
    if "]:" not in text:
        return text  # no definition: nothing to resolve (most pages)
    env: dict = {}
    MarkdownIt("commonmark").parse(text, env)
    references = env.get("references") or {}
    if not references:
        return text

    def inline(label_text: str, label: str, whole: str) -> str:
        reference = references.get(normalizeReference(label))
        if reference is None:
            return whole  # an undefined label: text, as Markdown shows it (`[x]` placeholders among them)
        href = reference["href"]
        target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
        title = reference.get("title")
        return f"[{label_text}]({target}{' ' + _quoted(title) if title else ''})"

    def change(prose: str) -> str:
        prose = _FULL.sub(lambda m: inline(m.group(1), m.group(2) or m.group(1), m.group(0)), prose)
        return _SHORTCUT.sub(lambda m: inline(m.group(1), m.group(1), m.group(0)), prose)

    return outside_code(text, change)


def _quoted(title: str) -> str:
    return '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
