"""RB80x: alert rules checked against the runbooks, in both directions.

From the rules: every alerting rule carries a `runbook_url`; one under the site resolves to a page
(and step); the runbook it leads to lists the alert. From the runbooks: every alert a runbook lists
is defined by some rule (checked only when rule files are configured).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from ..codes import RULES
from ..findings import Finding
from ..model import Runbook
from ..suggest import closest
from .links import Site, is_repository_path, resolve
from .rules import AlertRule, RuleFiles

NO_URL = RULES["RB802"]
BROKEN_URL = RULES["RB803"]
NOT_LISTED = RULES["RB804"]
NO_RULE = RULES["RB805"]

DEFAULT_URL_SEVERITY = {"critical": "error", "warning": "warning", "*": "info"}


def url_severity(rule: AlertRule, overrides: tuple[tuple[str, str], ...]) -> str:
    levels = {**DEFAULT_URL_SEVERITY, **dict(overrides)}
    return levels.get(rule.severity, levels["*"])


def check(ctx, rule_files: RuleFiles, site_url: str | None, docs_dir: Path | None) -> list[Finding]:
    """Findings for the rule files and, at the runbooks' `alerts`, for the runbooks being linted."""
    findings = list(rule_files.findings)
    # Alert name -> the ids of the runbooks that list it, built once: looking through every runbook for
    # every rule would grow with rules x runbooks.
    handlers: dict[str, list[str]] = {}
    for document in ctx.known:
        if isinstance(document, Runbook):
            for name in document.alerts:
                handlers.setdefault(name, []).append(document.id)
    site = Site(site_url, ctx.known, docs_dir) if site_url else None
    # Resolved path -> runbook, for links that name a file of the project (GitLab's `runbook: docs/x.md`):
    # made once, on the first such link, so a rule file with many of them stays linear.
    by_path = functools.cache(lambda: {Path(d.path).resolve(): d for d in ctx.known if isinstance(d, Runbook)})
    names_hint = " or ".join(f"`{a}`" for a in rule_files.url_annotations)
    for rule in rule_files.rules:
        findings.extend(_rule(rule, site, handlers, ctx.config.runbook_url_severity, names_hint, rule_files.root,
                              by_path))
    names = rule_files.names
    for runbook in ctx.runbooks:
        for index, name in enumerate(runbook.alerts):
            if name in names:
                continue
            close = closest(name, names, cutoff=0.8)
            hint = f"; did you mean {close!r}?" if close else "; fix the name or remove it"
            findings.append(ctx.finding(NO_RULE, runbook, f"/alerts/{index}",
                                        f"alert {name} is defined by no rule in the alert rule files{hint}"))
    return findings


def _rule(rule: AlertRule, site: Site | None, handlers: dict[str, list[str]], overrides,
          names_hint: str = "`runbook_url`", root: Path | None = None,
          by_path: Callable[[], dict[Path, Runbook]] | None = None) -> list[Finding]:
    url = rule.runbook_url
    if not url:
        level = url_severity(rule, overrides)
        if level == "off":
            return []
        handled = handlers.get(rule.name, [])
        hint = (f"; runbook {handled[0]} handles it (`runbook alerts --annotate` prints the link)" if handled
                else "; write a runbook for it and link it")
        return [Finding(rule.path, rule.line, rule.column, NO_URL.code, level,
                        f"alert {rule.name} has no {names_hint} annotation{hint}", f"{rule.pointer}/alert")]
    pointer = f"{rule.pointer}/annotations/{rule.link_annotation}"
    line, column = rule.source.locate(pointer)
    if root is not None and is_repository_path(url):
        return _repository_path(rule, url, root, by_path(), pointer, line, column)
    if site is None:
        return []
    resolution = resolve(site, url)
    if resolution is None:
        return []
    if resolution.problem:
        return [Finding(rule.path, line, column, BROKEN_URL.code, BROKEN_URL.severity,
                        f"{rule.link_annotation} of alert {rule.name}: {resolution.problem}", pointer)]
    target = resolution.target
    if target.runbooks and not any(rule.name in r.alerts for r in target.runbooks):
        which = ", ".join(r.id for r in target.runbooks)
        handled = handlers.get(rule.name, [])
        hint = f"; runbook {handled[0]} lists it" if handled else f"; add {rule.name} to the `alerts` of {which}"
        return [Finding(rule.path, line, column, NOT_LISTED.code, NOT_LISTED.severity,
                        f"{rule.link_annotation} of alert {rule.name} leads to {which}, which does not list {rule.name} in `alerts`{hint}",
                        pointer)]
    return []


def _repository_path(rule: AlertRule, url: str, root: Path, by_path: dict[Path, Runbook], pointer: str,
                     line: int, column: int) -> list[Finding]:
    """A link such as GitLab's `runbook: docs/patroni/README.md`: a file of the project, resolved against its root."""
    target = (root / url.split("#", 1)[0].lstrip("/")).resolve()
    if not target.exists():
        return [Finding(rule.path, line, column, BROKEN_URL.code, BROKEN_URL.severity,
                        f"{rule.link_annotation} of alert {rule.name}: {url} names no file of the project "
                        f"(resolved against {root})", pointer)]
    runbooks = [by_path[target]] if target in by_path else []
    if runbooks and rule.name not in runbooks[0].alerts:
        return [Finding(rule.path, line, column, NOT_LISTED.code, NOT_LISTED.severity,
                        f"{rule.link_annotation} of alert {rule.name} leads to {runbooks[0].id}, which does not list "
                        f"{rule.name} in `alerts`; add it there", pointer)]
    return []
