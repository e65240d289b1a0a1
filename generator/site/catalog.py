"""The site's view of the project: the catalog, its error findings, and the settings the pages need."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..config import Config, load_config
from ..findings import Finding
from ..history import RunHistory, read_history
from ..project import Catalog, load_catalog
from .freshness import ScenarioCoverage


class CatalogErrors(Exception):
    """The runbooks have error findings; the site is not built from them. One `path:line:col` line each."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.line_text() for f in findings))


@dataclass(frozen=True)
class SiteSource:
    config: Config
    folder: Path
    catalog: Catalog
    review_interval: str
    history: RunHistory | None = None  # the transcripts folder's runs and drills, read once per build

    @cached_property
    def scenario_coverage(self) -> dict[str, ScenarioCoverage]:
        """Runbook id -> how its scenario files test it, for the runs-and-drills panel. The scenarios run
        with scripted results (nothing is started), once per build; a project without scenario files pays nothing."""
        from ..model import RunbookTest

        if not any(isinstance(d, RunbookTest) for d in self.catalog.documents):
            return {}
        from ..rehearse.coverage import coverage_of

        return {rid: ScenarioCoverage(*numbers) for rid, numbers in coverage_of(self.catalog).items() if numbers[0]}


def lint_folder(folder: Path, config: Config, history: RunHistory | None = None) -> tuple[list[Finding], Catalog]:
    """What `runbook lint` reports for the folder (load, schema and rule findings after the project's
    settings), and the catalog it read, so the pages are made from the same documents."""
    from ..lint.engine import lint

    same = folder.resolve() == config.runbooks.resolve()
    result = lint([] if same else [folder], config, history=history)
    catalog = result.catalog if result.catalog is not None else load_catalog([folder], config.lint.max_file_size)
    return result.findings, catalog


def load_site_source(start: Path, folder: str | None = None, review_interval: str | None = None) -> SiteSource:
    """The configured runbooks folder (or `folder`, relative to `start`), loaded and checked.

    Raises CatalogErrors when any finding has severity error, so that a broken runbook never
    reaches the site.
    """
    config = load_config(start)
    runbooks = (start / folder).resolve() if folder else config.runbooks
    history = read_history(config.transcripts)
    findings, catalog = lint_folder(runbooks, config, history)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise CatalogErrors(errors)
    return SiteSource(config, runbooks, catalog, review_interval or config.lint.review_interval, history)
