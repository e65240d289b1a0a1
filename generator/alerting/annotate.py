"""The `runbook_url` each alerting rule should carry, and writing it into the rule files.

Edits are made in the text at the node's position (the value replaced, or one line inserted), never
by dumping the YAML again: comments, quoting, key order and blank lines stay as the author wrote them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..lint.positions import node_at
from ..model import Runbook
from .import_links import filled, link_names_runbook
from .links import Site, expected_url, is_repository_path, resolve
from .rules import AlertRule


@dataclass(frozen=True)
class Annotation:
    rule: AlertRule
    current: str | None
    expected: str | None  # None: no runbook lists the alert
    # ok, missing (no link), broken (resolves to no page, or to a runbook that does not list the alert),
    # moved (the page the runbook was imported from, elsewhere), elsewhere (a link off the site, left alone),
    # unhandled (no runbook lists the alert)
    status: str
    annotation: str = "runbook_url"  # where a missing link is written

    @property
    def needs_write(self) -> bool:
        return self.status in ("missing", "broken", "moved")


def annotations(rules: list[AlertRule], runbooks: list[Runbook], site_url: str, docs_dir: Path | None = None,
                annotation: str = "runbook_url", root: Path | None = None) -> list[Annotation]:
    """`annotation`: the name a missing link is written under (the first of `runbook-url-annotations`);
    `root`: the project's folder, against which repository paths (`docs/git/README.md`) resolve."""
    site = Site(site_url, list(runbooks), docs_dir)
    return [Annotation(rule, rule.runbook_url, expected, _status(site, rule, expected, runbooks, root), annotation)
            for rule in rules for expected in [expected_url(site_url, rule.name, runbooks, _named(rule, runbooks))]]


def _named(rule: AlertRule, runbooks: list[Runbook]) -> Runbook | None:
    """When several runbooks list the alert, the one the rule's old link names (GitLab gives two rules of one
    alert name different pages): the rule keeps its own page rather than moving to the alert's list."""
    listing = [r for r in runbooks if rule.name in r.alerts]
    if len(listing) < 2 or not rule.runbook_url:
        return None
    named = [r for r in listing if link_names_runbook(filled(rule.runbook_url, rule), r.id)]
    return named[0] if len(named) == 1 else None


def _status(site: Site, rule: AlertRule, expected: str | None, runbooks: list[Runbook], root: Path | None = None) -> str:
    current = rule.runbook_url
    if expected is None:
        return "unhandled"
    if current is None:
        return "missing"
    if current == expected:
        return "ok"
    resolution = resolve(site, current)
    if resolution is None:
        # After `runbook import`, the old link still names the page the runbook was imported from
        # (`.../kubernetes/kubepodcrashlooping`, `docs/patroni/README.md`): it moves to the new site.
        listing = [r for r in runbooks if rule.name in r.alerts]
        if any(link_names_runbook(filled(current, rule), r.id) for r in listing):
            return "moved"
        # A repository path that names no file of the project is broken (lint's RB803), whatever the
        # runbook's id became on import (`docs/git/README.md` imported as `git-readme`).
        if root is not None and is_repository_path(current) and not (root / current.split("#", 1)[0].lstrip("/")).exists():
            return "broken"
        return "elsewhere"
    if resolution.problem or not any(rule.name in r.alerts for r in resolution.target.runbooks):
        return "broken"
    return "ok"  # a working link to a runbook that lists the alert (a step, say) is kept


def _offset(text_lines: list[str], line: int, column: int) -> int:
    return sum(len(line_text) for line_text in text_lines[:line]) + column


def edits_for(annotation: Annotation) -> tuple[int, int, str]:
    """(start, end, replacement) in the file's text that makes the rule carry the expected link."""
    rule = annotation.rule
    source = rule.source
    lines = _text(source.text).splitlines(keepends=True)
    value = json.dumps(annotation.expected)
    name = annotation.annotation
    url_node = node_at(source, f"{rule.pointer}/annotations/{rule.link_annotation}") if rule.link_annotation else None
    if url_node is not None:
        start = _offset(lines, url_node.start_mark.line, url_node.start_mark.column)
        end = _offset(lines, url_node.end_mark.line, url_node.end_mark.column)
        return start, end, value
    annotations = node_at(source, f"{rule.pointer}/annotations")
    if isinstance(annotations, yaml.MappingNode) and annotations.value:
        if annotations.flow_style:
            close = _offset(lines, annotations.end_mark.line, annotations.end_mark.column) - 1  # the `}`
            return close, close, f", {name}: {value}"
        key = annotations.value[0][0]
        return _after_line(lines, annotations.value[-1][1]), None, f"{' ' * key.start_mark.column}{name}: {value}\n"
    rule_node = node_at(source, rule.pointer)
    key = rule_node.value[0][0]
    indent = " " * key.start_mark.column
    if annotations is not None:  # `annotations:` with nothing (or `{}`) after it: replace the empty value
        start = _offset(lines, annotations.start_mark.line, annotations.start_mark.column)
        end = _offset(lines, annotations.end_mark.line, annotations.end_mark.column)
        return start, end, f"\n{indent}  {name}: {value}"
    return _after_line(lines, rule_node.value[-1][1]), None, f"{indent}annotations:\n{indent}  {name}: {value}\n"


def _after_line(lines: list[str], node) -> int:
    """The start of the line after a value ends (a block scalar's end mark is already on that line)."""
    mark = node.end_mark
    line = mark.line if mark.column == 0 else mark.line + 1
    return _offset(lines, min(line, len(lines)), 0)


def apply(items: list[Annotation]) -> dict[str, str]:
    """New text of each rule file with the links written in (only rules whose link is missing or broken)."""
    by_path: dict[str, list[Annotation]] = {}
    for item in items:
        if item.needs_write:
            by_path.setdefault(item.rule.path, []).append(item)
    written = {}
    for path, changes in by_path.items():
        text = _text(changes[0].rule.source.text)
        edits = [edits_for(change) for change in changes]
        for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
            text = text[:start] + replacement + text[end if end is not None else start:]
        written[path] = text
    return written


def _text(text: str) -> str:
    """The file's text with a final newline, so that a line can be added after its last one."""
    return text if text.endswith("\n") else text + "\n"
