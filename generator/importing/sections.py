"""Markdown -> front matter and a tree of heading sections holding blocks, with source lines.

markdown-it-py does the parsing; this module only groups its block tokens under their headings and keeps,
for every block, the verbatim Markdown lines it came from (descriptions are that text, not a re-rendering).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .admonitions import unfold

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(---|\.\.\.)[ \t]*(\n|\Z)", re.DOTALL)
_TOML_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\n(.*?\n)?\+\+\+[ \t]*(\n|\Z)", re.DOTALL)  # Hugo
_TASK = re.compile(r"^\[( |x|X)\]\s+")


@dataclass
class Item:
    """One top-level list item: its first paragraph's text, inline code spans and nested code blocks."""

    line: int
    text: str  # the item's first paragraph, as Markdown
    source: str  # every line of the item, dedented, for descriptions
    task: bool = False
    codes: list[str] = field(default_factory=list)
    fences: list["Block"] = field(default_factory=list)
    # The item's own blocks in reading order (its first paragraph, code blocks, further paragraphs, nested
    # lists): an item that holds commands is walked block by block, so the prose around them is kept.
    blocks: list["Block"] = field(default_factory=list)


@dataclass
class Block:
    """A top-level block. kind: paragraph, label (a paragraph that is only bold text), list, code, html, text."""

    kind: str
    line: int
    source: str
    info: str = ""  # code: the fence's language word
    content: str = ""  # code: the code; label: the bold text
    items: list[Item] = field(default_factory=list)


@dataclass
class Section:
    level: int  # 0 for the document itself
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Document:
    root: Section
    front_matter: dict
    front_matter_error: str = ""
    front_matter_line: int = 0


def parse(text: str) -> Document:
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    front, error, text = _split_front_matter(text)
    text = unfold(text)  # MkDocs admonitions and content tabs: their indented content is Markdown, not code
    lines = text.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    root = Section(0, "", 1)
    stack = [root]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            level = int(token.tag[1])
            title = tokens[i + 1].content.strip()
            section = Section(level, title, token.map[0] + 1)
            while stack[-1].level >= level:
                stack.pop()
            stack[-1].children.append(section)
            stack.append(section)
            i += 3
            continue
        end = _block_end(tokens, i)
        block = _block(tokens[i:end], lines)
        if block is not None:
            stack[-1].blocks.append(block)
        i = end
    return Document(root, front, error, 1 if (front or error) else 0)


def _split_front_matter(text: str) -> tuple[dict, str, str]:
    """YAML front matter (or Hugo's TOML, between `+++` lines), an error message, and the text with the front
    matter blanked (lines keep their numbers)."""
    toml = _TOML_FRONT_MATTER.match(text)
    if toml:
        from ..config import tomllib  # tomli before Python 3.11

        blank = "\n" * toml.group(0).count("\n")
        try:
            return tomllib.loads(toml.group(1) or ""), "", blank + text[toml.end():]
        except tomllib.TOMLDecodeError as exc:
            return {}, f"front matter is not valid TOML: {exc}", blank + text[toml.end():]
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, "", text
    blank = "\n" * match.group(0).count("\n")
    try:
        data = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError as exc:
        return {}, f"front matter is not valid YAML: {str(exc).splitlines()[0]}", blank + text[match.end():]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, "front matter is not a mapping of keys", blank + text[match.end():]
    return data, "", blank + text[match.end():]


def fence_language(info: str) -> str:
    """The language word of a fence's info string, as the different wikis write it: ```bash, ```Bash title="x",
    ```{.bash}, ```{bash}, ```bash= (HackMD), ```language-bash, ```sh {linenos=true}."""
    word = info.strip().split(None, 1)[0].lower() if info.strip() else ""
    word = word.strip("{}").lstrip(".").removeprefix("language-").rstrip("=:,")
    return word.split("{", 1)[0].split(",", 1)[0]


def _block_end(tokens: list[Token], start: int) -> int:
    """Index after the block that starts at `start` (a single token, or an open tag to its close)."""
    if tokens[start].nesting != 1:
        return start + 1
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j + 1
    return len(tokens)


def _source(lines: list[str], span) -> str:
    if not span:
        return ""
    return textwrap.dedent("\n".join(lines[span[0]:span[1]])).strip("\n")


def _block(tokens: list[Token], lines: list[str]) -> Block | None:
    first = tokens[0]
    if first.type == "hr" or first.map is None:
        return None
    line = first.map[0] + 1
    source = _source(lines, first.map)
    if first.type in ("fence", "code_block"):
        info = fence_language(first.info)
        if first.type == "code_block":  # dedented, an indented block would turn into a paragraph: fence it
            source = "```\n" + first.content.rstrip("\n") + "\n```"
        return Block("code", line, source, info=info, content=first.content)
    if first.type == "html_block":
        return Block("html", line, source, content=first.content)
    if first.type == "paragraph_open":
        inline = tokens[1]
        kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
        if len(kids) >= 3 and kids[0].type == "strong_open" and kids[-1].type == "strong_close":
            label = "".join(c.content for c in kids[1:-1]).strip().rstrip(":")
            if label and "strong_open" not in [c.type for c in kids[1:-1]]:
                return Block("label", line, source, content=label)
        return Block("paragraph", line, source)
    if first.type in ("bullet_list_open", "ordered_list_open"):
        return Block("list", line, source, items=_items(tokens, lines))
    return Block("text", line, source)  # tables, blockquotes


def _items(tokens: list[Token], lines: list[str]) -> list[Item]:
    items: list[Item] = []
    depth = 0
    current: Item | None = None
    child_end = 0  # index after the item's child block being read: its own tokens are not children again
    for index, token in enumerate(tokens):
        if token.type == "list_item_open" and depth == 1:
            current = Item(token.map[0] + 1, "", _source(lines, token.map))
            items.append(current)
        if current is not None and depth == 2 and index >= child_end and token.nesting >= 0:
            child_end = _block_end(tokens, index)
            child = _block(tokens[index:child_end], lines)
            if child is not None:
                current.blocks.append(child)
        if current is not None and depth >= 2:
            if token.type == "inline" and not current.text and depth == 3:
                current.text = token.content.strip()
                task = _TASK.match(current.text)
                if task:
                    current.task = True
                    current.text = current.text[task.end():].strip()
                current.codes = [c.content for c in token.children or [] if c.type == "code_inline"]
            elif token.type in ("fence", "code_block"):
                info = fence_language(token.info)
                current.fences.append(Block("code", token.map[0] + 1, _source(lines, token.map), info=info,
                                            content=token.content))
        depth += token.nesting
    return items
