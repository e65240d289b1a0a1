"""Small text helpers of the importer: titles, one-line fields, ids, `<placeholders>` in prose, TOC markers."""

from __future__ import annotations

import re

from .sections import Block

_NUMBERING = re.compile(r"^(\d+[.)]|step\s+\d+[:.)]?|[ivx]+\.)\s+", re.IGNORECASE)
HTML_COMMENT = re.compile(r"^\s*<!--.*?-->\s*$", re.DOTALL)


_TOC_MARKERS = ("[[_toc_]]", "[toc]", "[[toc]]", "${toc}", "table of contents", "contents")


def is_toc(block: Block) -> bool:
    """GitLab's `[[_TOC_]]`, other wikis' `[TOC]`, and the `**Table of Contents**` label markdown-toc writes."""
    if block.kind == "label":
        return block.content.strip().lower() in _TOC_MARKERS
    return block.kind == "paragraph" and block.source.strip().lower() in _TOC_MARKERS


_PROSE_PLACEHOLDER = re.compile(r"<([A-Za-z][A-Za-z0-9]*(?:[-_. ][A-Za-z0-9]+)*)>")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")
HTML_TAGS = frozenset("""a abbr b br code del details div em h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre s
    small span strong sub summary sup table tbody td th thead tr u ul""".split())


def code_placeholders(text: str) -> str:
    """`Tell <owner-team>` -> ``Tell `<owner-team>` ``: in Markdown a bare placeholder is an HTML tag that the
    page hides (and lint flags); in a code span it reads as written. Code blocks and spans are left alone."""
    if "<" not in text:
        return text
    return outside_code(text, lambda prose: _PROSE_PLACEHOLDER.sub(_wrap_placeholder, prose))


def outside_code(text: str, change) -> str:
    """Markdown text with `change` applied to its prose, piece by piece: code blocks and spans stay as written."""
    out, fence = [], ""
    for line in text.split("\n"):
        mark = _FENCE.match(line)
        if fence or mark:
            if not fence:
                fence = mark.group(1)
            elif mark and mark.group(1)[0] == fence[0] and len(mark.group(1)) >= len(fence) and \
                    not line.strip()[len(mark.group(1)):].strip():
                fence = ""
            out.append(line)
            continue
        pieces, last = [], 0
        for span in _CODE_SPAN.finditer(line):
            pieces.append(change(line[last:span.start()]))
            pieces.append(span.group(0))
            last = span.end()
        pieces.append(change(line[last:]))
        out.append("".join(pieces))
    return "\n".join(out)


def _wrap_placeholder(match: re.Match) -> str:
    return match.group(0) if match.group(1).split()[0].lower() in HTML_TAGS else f"`{match.group(0)}`"


def kebab(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# Code spans and emphasis, each closed by its own delimiter: `CDI_NAMESPACE` in backticks keeps its underscore.
_MARKUP = re.compile(r"(`+)(.+?)\1|(\*\*|__)(?=\S)(.+?)(?<=\S)\3|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|"
                     r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")


def plain_markup(text: str) -> str:
    """Markdown code spans and emphasis as their text: `Set the `CDI_NAMESPACE` variable` ->
    `Set the CDI_NAMESPACE variable`, `**Expand** the disk` -> `Expand the disk`."""
    for _ in range(3):  # `**`nested`**`: one layer a round
        plain = _MARKUP.sub(lambda m: next(g for g in (m.group(2), m.group(4), m.group(5), m.group(6)) if g is not None),
                            text)
        if plain == text:
            break
        text = plain
    return text


def clean_title(title: str) -> str:
    """`### 2. Initial Response (0-15 minutes)` -> `Initial Response (0-15 minutes)`; Markdown emphasis removed."""
    title = plain_markup(title.strip())
    return _NUMBERING.sub("", title).strip() or title.strip()


def one_line(text: str) -> str:
    """One line of at most 200 characters (the format's `line`)."""
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199].rstrip() + "…"


class Ids:
    """Unique kebab-case ids from titles: `Check service status` -> `check-service-status`, then `-2`..."""

    def __init__(self, fallback: str = "step"):
        self.used: set[str] = set()
        self.fallback = fallback  # for titles with no ASCII letter or digit (`!!!`, `Проверка`)

    def make(self, title: str) -> str:
        base = kebab(title)[:60].strip("-") or self.fallback
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate


def runbook_id_for(stem: str, parent: str) -> str:
    """The id from the file name (kebab-case); README/index pages take their folder's name."""
    name = parent if stem.lower() in ("readme", "index", "_index") and parent else stem
    return kebab(name)[:100].strip("-") or "imported-runbook"


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
# Middleman pages (GOV.UK's and HMCTS' tech-docs sites) are `name.html.md`, or `name.html.md.erb` when the page
# uses ERB helpers: Markdown with a template layer on top (erb.py reads the few helpers such pages use).
TEMPLATE_SUFFIXES = (".erb",)


def is_markdown_name(name: str) -> bool:
    """`x.md`, `x.html.md`, `x.html.md.erb`: a file the importer reads as Markdown."""
    lower = name.lower()
    for template in TEMPLATE_SUFFIXES:
        lower = lower.removesuffix(template)
    return lower.endswith(MARKDOWN_SUFFIXES)


def markdown_stem(path) -> str:
    """`rotate-keys.html.md` -> `rotate-keys`, `aks-upgrade.html.md.erb` -> `aks-upgrade`: Middleman (GOV.UK,
    HMCTS) names pages after the HTML they become."""
    name = path.name
    for template in TEMPLATE_SUFFIXES:
        if name.lower().endswith(template) and is_markdown_name(name):
            name = name[: -len(template)]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    for inner in (".html", ".htm"):
        if stem.lower().endswith(inner) and len(stem) > len(inner):
            return stem[: -len(inner)]
    return stem


def unique_ids(paths: list, folder_name: str) -> list[tuple[str, str]]:
    """(id, the id the file name alone gave when it had to change) for the files of one folder import.

    Paths are relative to the folder. A file's id comes from its name (a README's from its folder); files
    that would share an id get their parent folders' names in front, one more folder at a time, until they
    differ (`alerts/a/TargetDown.md` -> `a-targetdown`); a README adds `readme` first (`git-readme`)."""

    def candidate(path, depth: int) -> str:
        parents = [folder_name, *path.parent.parts] if path.parent.parts else [folder_name]
        stem = markdown_stem(path)
        own = runbook_id_for(stem, parents[-1])
        if depth == 0:
            return own
        if stem.lower() in ("readme", "index", "_index"):  # its folder is already in its id: `git-readme` first
            taken = parents[: -1][max(0, len(parents) - depth):]
            return kebab("-".join([*taken, own, stem]))[:100].strip("-") or own
        prefix = parents[max(0, len(parents) - depth):]
        return kebab("-".join([*prefix, own]))[:100].strip("-") or own

    depths = [0] * len(paths)
    for _ in range(64):  # each round adds a folder to every clashing id; paths are finite, so this ends
        ids = [candidate(path, depth) for path, depth in zip(paths, depths)]
        seen: dict[str, list[int]] = {}
        for index, runbook_id in enumerate(ids):
            seen.setdefault(runbook_id, []).append(index)
        clashes = [group for group in seen.values() if len(group) > 1]
        if not clashes:
            break
        for group in clashes:
            for index in group:
                depths[index] += 1
    return [(runbook_id, candidate(path, 0) if depth else "") for runbook_id, path, depth in zip(ids, paths, depths)]
