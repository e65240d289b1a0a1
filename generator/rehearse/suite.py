"""Which scenarios `runbook test` runs, and running them: the files and runbooks named, or every scenario file.

Problems that stop a scenario file from running at all (it does not load or follow its schema, it names a
runbook that does not exist or is invalid) are errors of the suite, reported like lint findings (exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..model import Runbook, RunbookTest
from ..project import Catalog, YAML_SUFFIXES
from .run import ScenarioRun, run_scenario


@dataclass
class Suite:
    runs: list[ScenarioRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each: `path:line:col: message`
    files: int = 0


def tests_of(catalog: Catalog) -> list[RunbookTest]:
    return [d for d in catalog.documents if isinstance(d, RunbookTest)]


def _inside(path: str, folder: Path) -> bool:
    resolved = Path(path).resolve()
    return resolved == folder or folder in resolved.parents


def select(catalog: Catalog, names: list[str]) -> tuple[list[RunbookTest], list[str]]:
    """The scenario files to run for the arguments (paths to scenario files, folders or runbook files, or
    runbook names), and the errors of the scenario files in scope that could not be loaded."""
    tests = tests_of(catalog)
    invalid = _invalid_test_sources(catalog)
    if not names:
        return tests, [line for _, _, line in invalid]
    chosen: dict[str, RunbookTest] = {}
    errors: list[str] = []
    for name in names:
        path = Path(name)
        if path.exists():
            folder = path.resolve()
            runbook_ids = {r.id for r in catalog.runbooks if _inside(r.path, folder)}
            found = [t for t in tests if _inside(t.path, folder) or t.runbook in runbook_ids]
            errors += [line for source, _, line in invalid if _inside(source, folder)]
            if not found and not any(_inside(source, folder) for source, _, _ in invalid):
                what = "runbook" if path.suffix in YAML_SUFFIXES and runbook_ids else "path"
                raise UserError(f"no scenarios for {what} {name}: write a `kind: runbook-test` file that names "
                                f"{'it' if what == 'runbook' else 'a runbook'} (for example NAME.test.yaml beside it)")
        elif path.suffix in YAML_SUFFIXES or "/" in name:
            raise UserError(f"{name}: no such file or folder")
        else:
            broken = _unloaded_runbook(catalog, name)
            if broken is not None:  # it exists but does not load: say so, not "no runbook named"
                raise UserError(f"runbook {name} does not load; `runbook lint {broken}` says why")
            runbook = catalog.resolve(name)  # by id or service; ResolveError lists the runbooks
            found = [t for t in tests if t.runbook == runbook.id]
            errors += [line for _, named, line in invalid if named == runbook.id]
            if not found and not any(named == runbook.id for _, named, _ in invalid):
                raise UserError(f"no scenarios test runbook {runbook.id}: write a `kind: runbook-test` file with "
                                f"`runbook: {runbook.id}` (for example {Path(runbook.path).with_suffix('.test.yaml')})")
        for test in found:
            chosen.setdefault(test.path, test)
    return list(chosen.values()), sorted(set(errors))


def _invalid_test_sources(catalog: Catalog) -> list[tuple[str, str | None, str]]:
    """(path, runbook it names, first error line) of each scenario file that did not load as a document."""
    loaded = {d.path for d in catalog.documents}
    out = []
    for source in catalog.sources:
        data = source.data if isinstance(source.data, dict) else {}
        # A file whose YAML does not parse (or that is empty, not UTF-8, a list) has no `kind`: its text or its
        # name (`NAME.test.yaml`, the form the docs suggest) tells whether it meant to be a scenario file.
        meant = data.get("kind") == "runbook-test" if data else \
            ("runbook-test" in source.text or _scenario_file_name(source.path))
        if source.path in loaded or not meant:
            continue
        errors = sorted(f for f in catalog.findings if f.path == source.path and f.severity == "error")
        if errors:
            named = data.get("runbook") if isinstance(data.get("runbook"), str) else None
            first = errors[0]
            more = f" (and {len(errors) - 1} more; `runbook lint {source.path}` lists them)" if len(errors) > 1 else ""
            out.append((source.path, named, f"{first.location()}: {first.code} {first.message}{more}"))
    return out


def _scenario_file_name(path: str) -> bool:
    name = Path(path).name
    return any(name.endswith(f".test{suffix}") for suffix in YAML_SUFFIXES)


def run_tests(catalog: Catalog, tests: list[RunbookTest]) -> Suite:
    from ..calls import CallError, Calls
    from ..execute import nesting
    from ..execute.display import template_index

    suite = Suite(files=len(tests))
    templates = template_index(catalog.documents)
    runbooks = {r.id: r for r in catalog.runbooks}
    calls = Calls(catalog.runbooks)  # a `uses` step's called steps run in place, as in `runbook exec`
    for test in tests:
        runbook = runbooks.get(test.runbook)
        if runbook is None:
            suite.errors.append(_missing_runbook(catalog, test))
            continue
        try:
            plan = nesting.build(runbook, calls)
        except CallError as exc:  # an unknown called runbook or step, a cycle: the session could not start
            source = catalog.source(test.path)
            line, column = source.locate("/runbook") if source is not None else (1, 1)
            suite.errors.append(f"{test.path}:{line}:{column}: runbook {runbook.id} cannot run: {exc}")
            continue
        for scenario in test.scenarios:
            suite.runs.append(run_scenario(test, scenario, runbook, templates, plan))
    return suite


def _missing_runbook(catalog: Catalog, test: RunbookTest) -> str:
    source = catalog.source(test.path)
    line, column = source.locate("/runbook") if source is not None else (1, 1)
    where = f"{test.path}:{line}:{column}"
    broken = _unloaded_runbook(catalog, test.runbook)
    if broken is not None:
        return f"{where}: runbook {test.runbook!r} does not load; `runbook lint {broken}` says why"
    from ..suggest import closest

    guess = closest(test.runbook, [r.id for r in catalog.runbooks])
    hint = f"; did you mean {guess!r}?" if guess else ""
    return f"{where}: runbook {test.runbook!r} does not exist{hint}"


def _unloaded_runbook(catalog: Catalog, runbook_id: str) -> str | None:
    """The path of the file that declares runbook `runbook_id` but did not load as a runbook, if any."""
    if any(r.id == runbook_id for r in catalog.runbooks):
        return None
    return next((s.path for s in catalog.sources if isinstance(s.data, dict) and s.data.get("kind") == "runbook"
                 and s.data.get("id") == runbook_id), None)


def runbook_of(catalog: Catalog, test: RunbookTest) -> Runbook | None:
    return next((r for r in catalog.runbooks if r.id == test.runbook), None)
