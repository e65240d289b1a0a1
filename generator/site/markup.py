"""Escaping: every string that comes from YAML goes through here before it reaches a Markdown page.

Markdown passes raw HTML through, and Python-Markdown plus pymdown-extensions give meaning to many
punctuation marks, so text is written with HTML character references for everything that could be
markup. Character references are never markup in Markdown, the browser shows the character, and the
search index (built from the HTML) reads them as plain text. One-line fields (titles, names, variable
descriptions) keep only the inline code span (`like this`); the fields the format calls Markdown
(descriptions, summaries, confirm texts) render theirs through `block`, without raw HTML.

`Md` marks a string that is already safe Markdown; the Jinja environment escapes every other value.
"""

from __future__ import annotations

import functools
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
    return _line_start("".join(out))


def _line_start(escaped: str) -> str:
    """"- x", "+ x", "1. x" at the start of a line would become a list."""
    if escaped[:1] in ("-", "+"):
        return f"&#{ord(escaped[0])};" + escaped[1:]
    if match := _NUMBERED.match(escaped):
        return escaped[:match.start(1)] + f"&#{ord(match.group(1))};" + escaped[match.end(1):]
    return escaped


def inline(value) -> Md:
    """Text for a sentence, a heading, a table cell or a list item: one line, no markup but code spans."""
    if isinstance(value, Md):
        return value
    return Md(_line("" if value is None else str(value)))


def block(value) -> Md:
    """Prose the format calls Markdown (descriptions, summaries, confirm texts): its structure and
    emphasis render (paragraphs, lists, code spans and blocks, bold, italics, tables, web links), nothing
    else does. markdown-it-py parses it without raw HTML; the result is written as HTML on one line,
    every text character that is markup anywhere written as a character reference, so that MkDocs'
    Markdown reads nothing more into it, at the top of a page or indented in an admonition alike."""
    if value is None or not str(value).strip():
        return Md("")
    env: dict = {"links": []}
    rendered = _prose_parser().render(str(value).strip(), env).replace("\n", "")
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        # One paragraph (most summaries and confirm texts): its inline HTML, which MkDocs puts in a
        # paragraph of its own; a block in a paragraph is invalid HTML where the text sits in an admonition.
        return Md(_line_start(rendered[len("<p>"):-len("</p>")]))
    return Md(f'<div class="rb-text">{rendered}</div>')


_SAFE_SCHEMES = ("http://", "https://", "mailto:")


@functools.cache  # one parser for every page
def _prose_parser():
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    rules = {
        "text": lambda tokens, i, options, env: _refs(tokens[i].content),
        "code_inline": lambda tokens, i, options, env: f"<code>{_refs(tokens[i].content)}</code>",
        "code_block": _code_block,
        "fence": _code_block,
        "softbreak": lambda tokens, i, options, env: " ",
        "hardbreak": lambda tokens, i, options, env: "<br>",
        "image": lambda tokens, i, options, env: _refs(tokens[i].content),  # its alt text: no remote images
        "heading_open": lambda tokens, i, options, env: "<p><strong>",  # the page's own headings stay the outline
        "heading_close": lambda tokens, i, options, env: "</strong></p>",
        "link_open": _link_open,
        "link_close": lambda tokens, i, options, env: "</a>" if env["links"].pop() else "",
    }
    for name, rule in rules.items():
        parser.add_render_rule(name, lambda self, tokens, i, options, env, rule=rule: rule(tokens, i, options, env))
    return parser


def _code_block(tokens, i, options, env) -> str:
    # A newline as a character reference: the block stays on one line, the browser shows the line break.
    return f"<pre><code>{_refs(tokens[i].content.rstrip(chr(10))).replace(chr(10), '&#10;')}</code></pre>"


def _link_open(tokens, i, options, env) -> str:
    """Web and mail links only: a relative link in YAML prose names a file of wherever the text came
    from, not a page of this site, and other schemes may run code."""
    href = tokens[i].attrGet("href") or ""
    safe = href.lower().startswith(_SAFE_SCHEMES)
    env["links"].append(safe)
    return f'<a href="{_refs(href).replace(chr(34), "&#34;")}">' if safe else ""  # once: `&` stays `&` in the URL


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
