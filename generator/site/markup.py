"""Escaping: every string that comes from YAML goes through here before it reaches a Markdown page.

Markdown passes raw HTML through, and Python-Markdown plus pymdown-extensions give meaning to many
punctuation marks, so text is written with HTML character references for everything that could be
markup. Character references are never markup in Markdown, the browser shows the character, and the
search index (built from the HTML) reads them as plain text. The only markup kept from YAML prose is
the inline code span (`like this`), because descriptions use it for commands and names.

`Md` marks a string that is already safe Markdown; the Jinja environment escapes every other value.
"""

from __future__ import annotations

import html
import json
import re

# Characters that are markup somewhere in Python-Markdown, its extensions (tables, attr_list, tilde,
# caret, mark, emoji, tasklist) or HTML. Others (letters, digits, spaces, - . , ; ? / ' ") are left as
# they are so the generated Markdown stays readable; those that matter only at the start of a line are
# handled there.
_ALWAYS = set('&<>\\`*_[]{}|~^=:#')
_NUMBERED = re.compile(r"\d+([.)])")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)


class Md(str):
    """A string that is already Markdown (or HTML) and must not be escaped again."""


def _refs(text: str) -> str:
    return "".join(f"&#{ord(c)};" if c in _ALWAYS else c for c in text)


def _line(text: str) -> str:
    """One line of text: no markup, except code spans."""
    text = " ".join(text.split())
    out = []
    pos = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_refs(text[pos:match.start()]))
        out.append(f"<code>{_refs(match.group(2).strip())}</code>")
        pos = match.end()
    out.append(_refs(text[pos:]))
    escaped = "".join(out)
    # "- x", "+ x", "1. x" at the start of a line would become a list.
    if escaped[:1] in ("-", "+"):
        escaped = f"&#{ord(escaped[0])};" + escaped[1:]
    elif match := _NUMBERED.match(escaped):
        escaped = escaped[:match.start(1)] + f"&#{ord(match.group(1))};" + escaped[match.end(1):]
    return escaped


def inline(value) -> Md:
    """Text for a sentence, a heading, a table cell or a list item: one line, no markup but code spans."""
    if isinstance(value, Md):
        return value
    return Md(_line("" if value is None else str(value)))


def block(value) -> Md:
    """Prose: paragraphs (separated by blank lines) of escaped text."""
    if value is None:
        return Md("")
    paragraphs = re.split(r"\n\s*\n", str(value).strip())
    return Md("\n\n".join(_line(p) for p in paragraphs if p.strip()))


def plain_html(value) -> Md:
    """HTML-escaped text for places MkDocs and Material print as HTML (page titles in front matter)."""
    return Md(html.escape(" ".join(str(value).split()), quote=True))


def attr(value) -> Md:
    """A value inside an HTML attribute in double quotes."""
    return Md(html.escape(str(value), quote=True))


def fence(content: str, lang: str = "", css_class: str = "", indent: str = "") -> Md:
    """A fenced code block whose fence is longer than any backtick run in the content, so it cannot be closed early.

    `css_class` (our own word, never from YAML) marks the block for the page's script (`rb-cmd`, `rb-export`).
    """
    content = str(content).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    marks = "`" * max(3, longest + 1)
    # A language word is our own (bash, text, json...); never from YAML.
    info = f"{{.{lang} .{css_class}}}" if css_class else lang
    lines = [f"{marks}{info}", *content.split("\n"), marks]
    return Md("\n".join((indent + line) if line else "" for line in lines))


def yaml_string(value: str) -> Md:
    """A YAML scalar for front matter: a JSON string is valid YAML and cannot start a YAML construct."""
    return Md(json.dumps(str(value), ensure_ascii=False))


def code(value) -> Md:
    """Inline code for a value (a pattern, a name) whatever backticks it holds."""
    return Md(f"<code>{_refs(' '.join(str(value).split()))}</code>")


def indent(value: str, width: int = 4) -> Md:
    """Indent a Markdown block to nest it in an admonition or a list item."""
    pad = " " * width
    return Md("\n".join(pad + line if line.strip() else "" for line in str(value).split("\n")))


def shell_export(variables) -> Md:
    """A bash block that sets every variable, so that the page's commands work as pasted.

    Values are quoted with shlex. Secrets and variables without a value get a prompt instead: one
    `read` line, last in the block (so it cannot swallow pasted lines after it); secrets are read with
    `-s`, so they are neither echoed nor kept in the shell history.
    """
    import shlex

    lines = []
    prompts = []
    for variable in variables:
        if variable.secret:
            prompts.append(f"read -rsp '{variable.name} (secret): ' {variable.name}; echo")
        elif variable.default is not None:
            lines.append(f"export {variable.name}={shlex.quote(variable.default)}")
        elif variable.example is not None:
            lines.append(f"export {variable.name}={shlex.quote(variable.example)}  # example value, check it")
        else:
            prompts.append(f"read -rp '{variable.name}: ' {variable.name}")
    names = [v.name for v in variables if v.secret or (v.default is None and v.example is None)]
    if prompts:
        lines.append("; ".join(prompts) + f"; export {' '.join(names)}")
    return fence("\n".join(lines), "bash", "rb-export")
