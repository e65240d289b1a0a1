"""Markdown as plain terminal text, through markdown-it-py's token stream.

Descriptions are written for the site; in a terminal, markup characters are noise. Paragraphs are
wrapped, lists keep their bullets, code keeps its text, links show their address.
"""

from __future__ import annotations

import re
import shutil
import textwrap

from functools import lru_cache


# Anything that could be Markdown syntax sends the text through the parser.
_MARKUP = re.compile(r"[*_`\[\]<>#|\\&]|^\s*([-+]|\d+[.)])\s|^\s{4}|\n\s*\n\s*[-+*\d]", re.MULTILINE)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt  # imported on first use: a runbook without descriptions never needs it

    return MarkdownIt("commonmark")


def _inline(token) -> str:
    parts: list[str] = []
    link_stack: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "html_inline"):
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "link_open":
            link_stack.append(child.attrs.get("href", ""))
        elif child.type == "link_close":
            href = link_stack.pop() if link_stack else ""
            if href and not href.startswith("#"):
                parts.append(f" ({href})")
        elif child.type == "image":
            parts.append(child.content or "")
    return "".join(parts)


def markdown_to_text(text: str, width: int | None = None, indent: str = "") -> str:
    """Render Markdown to plain text lines, each starting with `indent`, wrapped to the terminal (at most 100)."""
    if not text:
        return ""
    if width is None:  # a narrow terminal would otherwise wrap our 100-column lines a second time, mid-word
        width = min(100, shutil.get_terminal_size((100, 24)).columns)
    if not _MARKUP.search(text):  # plain prose (most summaries): no need to load the parser
        return "\n".join(indent + line for para in text.split("\n\n")
                         for line in textwrap.wrap(" ".join(para.split()), width=max(width - len(indent), 20)))
    out: list[str] = []
    prefixes: list[str] = []  # bullet or number for the list item being opened
    lists: list[list] = []  # [ordered, counter]
    quote = 0
    for token in _parser().parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1) or 1) if token.type == "ordered_list_open" else 0
            lists.append([token.type == "ordered_list_open", start])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            ordered, counter = lists[-1]
            prefixes.append(f"{counter}. " if ordered else "- ")
            if ordered:
                lists[-1][1] += 1
        elif token.type == "blockquote_open":
            quote += 1
        elif token.type == "blockquote_close":
            quote -= 1
        elif token.type == "inline":
            depth = max(len(lists) - 1, 0)
            lead = indent + "  " * depth + "> " * quote
            bullet = prefixes.pop() if prefixes else ""
            body = _inline(token)
            first = lead + bullet
            rest = lead + " " * len(bullet)
            for i, paragraph_line in enumerate(body.split("\n")):
                wrapped = textwrap.wrap(paragraph_line, width=max(width - len(first), 20)) or [""]
                for j, line in enumerate(wrapped):
                    out.append((first if i == 0 and j == 0 else rest) + line)
        elif token.type in ("fence", "code_block"):
            depth = len(lists)
            for line in token.content.rstrip("\n").split("\n"):
                out.append(indent + "  " * depth + "    " + line)
        elif token.type == "heading_open":
            pass
        elif token.type == "hr":
            out.append(indent + "-" * 20)
    return "\n".join(out)
