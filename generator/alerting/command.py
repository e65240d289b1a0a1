"""`runbook alerts`: alert -> runbook -> rule file:line, and `--annotate [--write]` for the links."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import ConfigError, load_config
from ..project import load_catalog
from .annotate import annotations, apply
from .rules import load_rule_files, rule_file_paths


def run_alerts(rule_paths: list[Path], annotate: bool, write: bool, output_format: str) -> int:
    if write and not annotate:
        raise ConfigError("--write applies the links --annotate prints; pass both")
    config = load_config()
    paths = rule_file_paths(config, rule_paths)
    if not paths and (annotate or not config.runbooks.is_dir()):
        raise ConfigError("no alert rule files: set alert-rules in [tool.runbook] (for example [\"monitoring/**/*.yaml\"]) "
                          "or pass --alert-rules PATH")
    catalog = load_catalog([config.runbooks], config.lint.max_file_size)
    rule_files = load_rule_files(paths, config.lint.max_file_size, config.runbook_url_annotations, config.root)
    problems = [f for f in rule_files.findings if f.severity == "error"]
    for finding in problems:
        click.echo(finding.line_text(), err=True)
    if annotate:
        if not config.site_url:
            raise ConfigError("--annotate needs the site's address: set site-url in [tool.runbook] (or site_url in mkdocs.yml)")
        return _annotate(rule_files.rules, catalog.runbooks, config, write, output_format) or (1 if problems else 0)
    _listing(rule_files.rules, catalog.runbooks, output_format)
    return 1 if problems else 0


def _listing(rules, runbooks, output_format: str) -> None:
    rows = []
    seen = set()
    for rule in rules:
        handling = [r.id for r in runbooks if rule.name in r.alerts]
        rows.append({"alert": rule.name, "runbooks": handling, "rule": rule.location(),
                     "severity": rule.severity or None, "runbook_url": rule.runbook_url})
        seen.add(rule.name)
    for runbook in runbooks:
        for name in runbook.alerts:
            if name not in seen:
                rows.append({"alert": name, "runbooks": [runbook.id], "rule": None, "severity": None, "runbook_url": None})
    rows.sort(key=lambda row: (row["alert"].lower(), row["rule"] or ""))
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    width = max([len(row["alert"]) for row in rows] + [5])
    runbook_width = max([len(", ".join(row["runbooks"]) or "-") for row in rows] + [7])
    click.echo(f"{'ALERT':<{width}}  {'RUNBOOK':<{runbook_width}}  RULE")
    for row in rows:
        click.echo(f"{row['alert']:<{width}}  {', '.join(row['runbooks']) or '-':<{runbook_width}}  {row['rule'] or '(no rule)'}")


def _annotate(rules, runbooks, config, write: bool, output_format: str) -> int:
    items = annotations(rules, runbooks, config.site_url, config.root / "docs", config.runbook_url_annotations[0],
                        root=config.root)
    if output_format == "json":
        click.echo(json.dumps([{"alert": a.rule.name, "rule": a.rule.location(), "status": a.status,
                                "runbook_url": a.current, "expected": a.expected} for a in items], indent=2))
    else:
        for item in items:
            where = f"{item.rule.location()}: {item.rule.name}"
            if item.expected is None:
                click.echo(f"{where}: no runbook lists this alert; add it to a runbook's `alerts`")
            elif item.status in ("ok", "elsewhere"):
                note = "" if item.status == "ok" else " (links off the site; left as it is)"
                click.echo(f"{where}: {item.rule.link_annotation}: {item.current}{note}")
            else:
                key = item.rule.link_annotation or item.annotation
                click.echo(f"{where}: {key}: {json.dumps(item.expected)}  ({item.status}"
                           + (f", was {item.current}" if item.current else "") + ")")
    if not write:
        return 0
    changed = apply(items)
    for path, text in changed.items():
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    count = sum(1 for item in items if item.needs_write)
    click.echo(f"wrote {count} runbook_url annotation(s) in {len(changed)} file(s)", err=True)
    return 0
