"""The lint run: load, validate, run every rule family, apply suppressions, then the configuration.

Rule families run on the valid documents and on the valid parts of the invalid ones (generator/partial.py),
so one error never hides the others. Findings are data; this module never prints. `lint()` returns the
findings and how many files were read.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from .. import clock
from ..config import Config, ConfigError, LintConfig
from ..codes import RULES, did_you_mean
from ..findings import Finding
from ..history import RunHistory
from ..model import Document
from ..project import Catalog, discover, load_catalog
from . import suppressions
from .context import LintContext
from ..shell.destructive import check_patterns
from .rules import FAMILIES


@dataclass
class LintResult:
    findings: list[Finding]
    files: int
    # The documents that were linted, for callers that go on to use them (the site) without reading
    # the files a second time. After a parallel run (parallel.py) its `sources` are empty: they stayed
    # in the worker processes.
    catalog: Catalog | None = None
    notes: list[str] = field(default_factory=list)  # said once on stderr (a check that was skipped)


def check_config(lint: LintConfig) -> None:
    """Settings that name codes must name real ones; a typo would silently disable nothing (exit 2)."""
    def known(entry: str, setting: str, prefix_ok: bool) -> None:
        entry_u = entry.upper()
        ok = entry_u in RULES or (prefix_ok and entry_u.startswith("RB") and any(code.startswith(entry_u) for code in RULES))
        ok = ok or bool(re.fullmatch(r"SC[0-9]{4}" if not prefix_ok else r"SC[0-9]{0,4}", entry_u))  # ShellCheck's codes
        if not ok:
            kind = "rule code or prefix" if prefix_ok else "rule code"
            raise ConfigError(f"[tool.runbook.lint] {setting}: {entry!r} is not a known {kind}; "
                              f"{did_you_mean(entry)}`runbook lint --rules` lists them")

    for entry in lint.select:
        known(entry, "select", True)
    for entry in lint.ignore:
        known(entry, "ignore", True)
    for glob, codes in lint.per_file_ignores:
        file_pattern(glob)
        for entry in codes:
            known(entry, f"per-file-ignores.{glob!r}", True)
    for code, _severity in lint.severity:
        known(code, "severity", True)
    bad = check_patterns(lint.destructive_patterns)
    if bad:
        raise ConfigError(f"[tool.runbook.lint] destructive-patterns: {bad}")


def _matches(code: str, entries) -> bool:
    return any(code.startswith(entry.upper()) for entry in entries)


def configure(findings: list[Finding], lint: LintConfig, root: Path) -> list[Finding]:
    """select, ignore, per-file-ignores and severity overrides (the longest matching prefix wins)."""
    overrides = sorted(((code.upper(), level) for code, level in lint.severity), key=lambda item: -len(item[0]))
    result = []
    for finding in findings:
        if lint.select and not _matches(finding.code, lint.select):
            continue
        if _matches(finding.code, lint.ignore):
            continue
        if lint.per_file_ignores and _file_ignored(finding, lint, root):
            continue
        level = next((lvl for code, lvl in overrides if finding.code.startswith(code)), finding.severity)
        if level == "off":
            continue
        if level != finding.severity:
            finding = Finding(finding.path, finding.line, finding.column, finding.code, level, finding.message, finding.pointer)
        result.append(finding)
    return result


@functools.lru_cache(maxsize=256)
def file_pattern(glob: str):
    """A per-file-ignores key with .gitignore's meaning (as ruff users expect): `*` stays inside one folder,
    `**` spans any depth, a pattern with a slash is relative to the project root, one without matches at
    any depth, a folder matches the files below it."""
    import re

    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines([glob])
    except (ValueError, re.error) as exc:  # pathspec's pattern errors, or `[z-a]` from its regex
        raise ConfigError(f"[tool.runbook.lint] per-file-ignores: {glob!r} is not a valid pattern: {exc}") from None


def _file_ignored(finding: Finding, lint: LintConfig, root: Path) -> bool:
    try:
        relative = Path(finding.path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:  # a file outside the project: matched as it was named
        relative = PurePath(finding.path).as_posix()
    return any(file_pattern(glob).match_file(relative) and _matches(finding.code, codes)
               for glob, codes in lint.per_file_ignores)


# Rules that read the file's text as written, valid or not: a secret pasted under a misspelt key is
# still pasted.
_READS_ANY_TEXT = frozenset({"RB405"})


def _intact_only(findings, ctx: LintContext):
    """A rule's findings, less those about a value of a partial document that is not the author's
    (an unknown key removed, a bad value replaced): that value's own finding is already reported."""
    for finding in findings:
        damage = ctx.damage.get(finding.path)
        if damage is None or finding.code in _READS_ANY_TEXT or not damage.replaced_at(finding.pointer):
            yield finding


def lint(paths: list[Path], config: Config, today: dt.date | None = None, alert_rules: Sequence[Path] = (),
         cached: bool = False, workers: int | None = None, history: RunHistory | None = None) -> LintResult:
    """Lint the paths (default: the configured runbooks folder). `cached`: answer an unchanged repository
    from the last run's findings (result_cache.py); the result then carries no catalog. `workers`: how
    many processes share the files (parallel.py); by default every core for a large run, one for a small one.
    `history`: the run history when the caller has read it already (the site); else it is read when
    `drill-interval` is set."""
    from .parallel import requested_workers

    workers = requested_workers(workers)  # a bad RUNBOOK_LINT_WORKERS is said even when the cache answers
    if cached:
        return _lint_cached(paths, config, today, alert_rules, workers)
    # Every file's node tree stays alive for positions; with the cyclic garbage collector on, each
    # collection walks all of them again (lint of 1,000 files took 2.5 s instead of 1). Nothing here
    # builds reference cycles that need collecting during the run.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint(paths, config, today, alert_rules, workers, history)
    finally:
        if enabled:
            gc.enable()


def _lint_cached(paths: list[Path], config: Config, today: dt.date | None, alert_rules: Sequence[Path],
                 workers: int | None) -> LintResult:
    from . import result_cache
    from .shellcheck import find_binary

    check_config(config.lint)
    files = discover(paths or [config.runbooks]) + (discover([config.runbooks]) if paths and config.runbooks.is_dir() else [])
    if config.alert_rules or alert_rules:
        from ..alerting.rules import rule_file_paths

        files += rule_file_paths(config, list(alert_rules))
    settings = repr((config, [str(p) for p in paths], [str(p) for p in alert_rules]))
    if config.lint.drill_interval:  # RB503 reads the transcripts: a new run or drill changes the answer
        from ..history import history_stamp

        settings += history_stamp(config.transcripts)
    cache_dir = config.root / ".runbook"
    wanted = result_cache.key(files, settings, today or clock.today(), find_binary())
    hit = result_cache.read(cache_dir, wanted)
    if hit is not None:
        findings, count, notes = hit
        return LintResult(findings, count, notes=notes)
    result = lint(paths, config, today, alert_rules, workers=workers)
    result_cache.write(cache_dir, wanted, result.findings, result.files, result.notes)
    return result


def _lint(paths: list[Path], config: Config, today: dt.date | None, alert_rules: Sequence[Path] = (),
          workers: int | None = None, history: RunHistory | None = None) -> LintResult:
    lint_config = config.lint
    check_config(lint_config)
    if not paths and not config.runbooks.is_dir():
        where = f" (`runbooks` in [tool.runbook] of {config.pyproject})" if config.pyproject else ""
        raise ConfigError(f"the runbooks folder {config.runbooks} does not exist{where}; create it or pass the files to lint")
    files = discover(paths or [config.runbooks])
    # References may point at documents in the configured runbooks folder even when only one file is linted.
    folder = []
    if paths and config.runbooks.is_dir():
        linted = {path.resolve() for path in files}
        folder = [p for p in discover([config.runbooks]) if p.resolve() not in linted]
    rule_files = None
    if config.alert_rules or alert_rules:
        from ..alerting.rules import load_rule_files, rule_file_paths

        rule_files = load_rule_files(rule_file_paths(config, list(alert_rules)), lint_config.max_file_size,
                                     config.runbook_url_annotations, config.root)
    context_fields: dict = {}  # more LintContext fields for every rule run, serial or in each worker
    if history is None and lint_config.drill_interval:
        from ..history import read_history

        history = read_history(config.transcripts)
    if history is not None:
        context_fields["history"] = history
    from . import parallel

    count = parallel.worker_count(len(files) + len(folder), workers)
    if count > 1:
        result = parallel.lint_files(files, folder, config, today or clock.today(), rule_files, count, context_fields)
    else:
        catalog = load_catalog(files, lint_config.max_file_size)
        reference_documents = load_catalog(folder, lint_config.max_file_size).lintable if folder else []
        result = lint_catalog(catalog, config, today, reference_documents, rule_files=rule_files, shellcheck=True,
                              **context_fields)
    if history is not None and history.unreadable and lint_config.drill_interval:
        result.notes.append(f"{len(history.unreadable)} file(s) in the transcripts folder could not be read and "
                            f"count as no run or drill for RB503; `runbook history` names them")
    return result


def lint_catalog(catalog: Catalog, config: Config, today: dt.date | None = None,
                 reference_documents: Sequence[Document] = (), rule_files=None, shellcheck: bool = False,
                 **context_fields) -> LintResult:
    """Run the rules on documents already loaded (call `check_config` first); `reference_documents`
    are the others that references may point at. The executor uses this for the one runbook it runs.
    `context_fields`: more LintContext fields, such as `history` (the recorded runs and drills, for RB503;
    without it the drill interval is not checked: the executor must never refuse to run, or drill, a
    runbook because it was not drilled)."""
    ctx = make_context(catalog, config, today or clock.today(), reference_documents, **context_fields)
    findings, texts, files = rule_findings(ctx, catalog, config, rule_files)
    notes = []
    if shellcheck:  # ShellCheck on every command (lint only: exec checks a runbook without starting it)
        from . import shellcheck as shellcheck_checks

        found, note = shellcheck_checks.findings(ctx, config.root / ".runbook")
        findings.extend(found)
        notes += [note] if note else []
    findings = settle(findings, texts, catalog, config, shellcheck_ran=shellcheck and not notes)
    findings.sort(key=report_order)
    forget_positions(catalog)
    return LintResult(findings, files, catalog, notes)


def make_context(catalog: Catalog, config: Config, today: dt.date, reference_documents: Sequence[Document] = (),
                 all_linted: list[Document] | None = None, damage: dict | None = None, **fields) -> LintContext:
    """The rules' view of a catalog; in a parallel run, of one worker's share of the files. `fields`:
    other LintContext fields, the same for every share."""
    return LintContext(
        documents=catalog.lintable,
        sources={source.path: source for source in catalog.sources},
        config=config.lint,
        today=today,
        reference_documents=list(reference_documents),
        damage=damage if damage is not None else {p.document.path: p.damage for p in catalog.partial},
        all_linted=all_linted,
        **fields,
    )


def rule_findings(ctx: LintContext, catalog: Catalog, config: Config, rule_files=None) -> tuple[list[Finding], dict[str, str], int]:
    """Load, schema and rule findings for the catalog's files, the texts that may hold suppressions, and
    the number of files read (with the alert rule files when given)."""
    findings = list(catalog.findings)
    for family in FAMILIES:
        findings.extend(_intact_only(family.check(ctx), ctx))
    texts = {s.path: s.text for s in catalog.sources if s.text}
    files = len(catalog.sources)
    if rule_files is not None:  # Prometheus rule files (generator.alerting), checked against the runbooks
        from ..alerting.checks import check as check_alerts

        findings.extend(check_alerts(ctx, rule_files, config.site_url, config.root / "docs"))
        texts.update({s.path: s.text for s in rule_files.sources if s.text})
        files += rule_files.files
    return findings, texts, files


def settle(findings: list[Finding], texts: dict[str, str], catalog: Catalog, config: Config,
           shellcheck_ran: bool) -> list[Finding]:
    """Suppressions, then the settings. Both work file by file, so a parallel run settles each share."""
    findings = suppressions.apply(findings, texts, complete={d.path for d in catalog.documents},
                                  unchecked=() if shellcheck_ran else ("SC",))
    return configure(findings, config.lint, config.root)


def report_order(finding: Finding) -> tuple:
    """The report's order: by place, then every other field, so that equal places never depend on the
    order the rules ran in (a parallel run gives the same report as a serial one)."""
    return (finding.path, finding.line, finding.column, finding.code, finding.message, finding.severity, finding.pointer)


def forget_positions(catalog: Catalog) -> None:
    # Positions were needed only to place findings. Dropping the node trees (a million small objects for
    # 1,000 files) before the garbage collector is switched back on spares its first pass from walking
    # them all (0.45 s of a 1.2 s lint); the catalog's documents stay for callers such as the site.
    for source in catalog.sources:
        source.root = None
