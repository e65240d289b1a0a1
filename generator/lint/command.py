"""`runbook lint`: load, validate, run the rules, report, and pick the exit code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..config import load_config
from ..findings import RULES, SEVERITY_RANK
from ..project import load_catalog


def run_lint(paths: list[Path], output_format: str, output: Path | None, fail_on: str,
             today: dt.date | None, explain: str | None, list_rules: bool) -> int:
    config = load_config()
    if explain:
        rule = RULES.get(explain.upper())
        if rule is None:
            click.echo(f"runbook lint: unknown rule code {explain!r}; `runbook lint --rules` lists them", err=True)
            return 2
        click.echo(f"{rule.code} {rule.name} [{rule.severity}]\n{rule.summary}\n\n{rule.explanation}")
        return 0
    if list_rules:
        for code in sorted(RULES):
            rule = RULES[code]
            click.echo(f"{rule.code}  {rule.name:<28} {rule.severity:<8} {rule.summary}")
        return 0
    catalog = load_catalog(paths or [config.runbooks], config.lint.max_file_size)
    findings = sorted(catalog.findings)
    for finding in findings:
        click.echo(f"{finding.location()}: {finding.code} [{finding.severity}] {finding.message}")
    threshold = SEVERITY_RANK[fail_on]
    failing = [f for f in findings if SEVERITY_RANK[f.severity] >= threshold]
    click.echo(f"{len(catalog.sources)} file(s) checked, {len(findings)} finding(s)", err=not findings and False)
    return 1 if failing else 0
