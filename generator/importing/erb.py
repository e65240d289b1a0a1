"""Middleman's `.html.md.erb` pages (GOV.UK's and HMCTS' tech-docs sites): Markdown with ERB tags on top.

The importer does not run Ruby. It reads the few helpers such pages use for their text and leaves the rest
as it is written, with a finding:

- `<%= current_page.data.title %>` (the page's heading, nearly always) is the front matter's value;
- `<%= warning_text('...') %>` (the tech-docs warning box) is a bold **Warning:** paragraph;
- any other tag (`<% data.x.each do |e| %>`, `<%= partial ... %>`) is template code: it stays as text, never
  evaluated, and the finding names its line so a person can replace it with what the page showed.

Replacements stay on their line, so every finding keeps the Markdown file's line numbers.
"""

from __future__ import annotations

import re

import yaml

_TAG = re.compile(r"<%(?!%)(=|-)?(.*?)-?%>", re.DOTALL)  # `<%%` is ERB for a literal `<%`
_PAGE_DATA = re.compile(r"^\s*(?:current_page|page)\.data\.([A-Za-z_][A-Za-z0-9_]*)\s*$")
_WARNING = re.compile(r"""^\s*warning_text\s*\(?\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\)?\s*$""", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_HTML_TAG = re.compile(r"</?(code|em|strong|b|i)>", re.IGNORECASE)


def render(text: str) -> tuple[str, list[tuple[int, str]]]:
    """(the page's Markdown with the known helpers filled in, (line, what was left) for every other tag)."""
    data = _front_matter(text)
    left: list[tuple[int, str]] = []
    body_start = _FRONT_MATTER.match(text).end() if _FRONT_MATTER.match(text) else 0

    def replace(match: re.Match) -> str:
        if match.start() < body_start:
            return match.group(0)
        output, code = match.group(1) == "=", match.group(2)
        page = _PAGE_DATA.match(code) if output else None
        if page and isinstance(data.get(page.group(1)), (str, int, float)) and "\n" not in str(data[page.group(1)]):
            return str(data[page.group(1)])
        warning = _WARNING.match(code) if output else None
        if warning and "\n" not in (warning.group(1) or warning.group(2) or ""):
            words = warning.group(1) if warning.group(1) is not None else warning.group(2)
            words = _HTML_TAG.sub(lambda tag: "`" if tag.group(1).lower() == "code" else "", words)
            return f"**Warning:** {words.replace(chr(92) + chr(39), chr(39))}"
        left.append((text.count("\n", 0, match.start()) + 1, " ".join(match.group(0).split())))
        return match.group(0)

    return _TAG.sub(replace, text).replace("<%%", "<%"), left


def _front_matter(text: str) -> dict:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}
