"""The site's view of the project: the catalog, its error findings, and the settings the pages need."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config, load_config
from ..findings import Finding
from ..project import Catalog, load_catalog


class CatalogErrors(Exception):
    """The runbooks have error findings; the site is not built from them. One `path:line:col` line each."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(format_finding(f) for f in findings))


def format_finding(finding: Finding) -> str:
    """The same line `runbook lint` prints."""
    return f"{finding.location()}: {finding.code} [{finding.severity}] {finding.message}"


@dataclass(frozen=True)
class SiteSource:
    config: Config
    folder: Path
    catalog: Catalog
    review_interval: str


def load_lint_rules() -> None:
    """Register the lint rules (the lint command's loader) before running the engine."""
    from ..lint.command import _load_rules

    _load_rules()


def lint_folder(folder: Path, config: Config) -> tuple[list[Finding], Catalog]:
    """What `runbook lint` reports for the folder (load, schema and rule findings after the project's
    settings), and the catalog it read, so the pages are made from the same documents."""
    from ..lint.engine import lint

    load_lint_rules()
    same = folder.resolve() == config.runbooks.resolve()
    result = lint([] if same else [folder], config)
    catalog = result.catalog if result.catalog is not None else load_catalog([folder], config.lint.max_file_size)
    return result.findings, catalog


def load_site_source(start: Path, folder: str | None = None, review_interval: str | None = None) -> SiteSource:
    """The configured runbooks folder (or `folder`, relative to `start`), loaded and checked.

    Raises CatalogErrors when any finding has severity error, so that a broken runbook never
    reaches the site.
    """
    config = load_config(start)
    runbooks = (start / folder).resolve() if folder else config.runbooks
    findings, catalog = lint_folder(runbooks, config)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise CatalogErrors(errors)
    return SiteSource(config, runbooks, catalog, review_interval or config.lint.review_interval)
