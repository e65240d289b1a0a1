"""What the scenarios exercised, per runbook: the steps none of them ran, and the branches none of them took.

A step counts when its command ran (or, for a manual step, its checklist was done) in some scenario. The
branches of a step are the ways the session can leave it:

- `when true` and `when false` (a step with `when`);
- `retry exhausted` (a step with `retry`: every attempt of a round failed);
- its failure path: `failure: continue`, `failure: stop`, or `failure: ask` (the operator was asked), and
  `rollback` (a step with a rollback: the operator ran it after a failure);
- `target changed` (a destructive step of a runbook with `target`: the probes differ just before it).

A step that `uses` another runbook counts when its call began; the steps it calls are the caller's too, by
their keys (`restart/wait-for-rollout`), with their own branches.

Scenarios that fail still count: they ran what they ran. `coverage_of(catalog)` is the one-call form the site
uses (scenario count and step coverage per runbook).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..calls import Calls
from ..execute import nesting
from ..model import Runbook, Step
from ..project import Catalog
from .keys import plan_of, target_watched
from .run import ScenarioRun


def branches_of(runbook: Runbook, step: Step, watched: bool | None = None) -> list[str]:
    """The branches a step has, in the order a report lists them. `watched`: whether the session re-checks
    the target before it (keys.target_watched; by default a destructive step of a runbook with `target`)."""
    out = []
    if step.when is not None:
        out += ["when true", "when false"]
    if step.run is not None:
        if step.retry:
            out.append("retry exhausted")
        out.append(f"failure: {step.on_failure}")
        if step.rollback and step.on_failure == "ask":
            out.append("rollback")
        if (step.destructive and bool(runbook.target)) if watched is None else watched:
            out.append("target changed")
    return out


@dataclass
class RunbookCoverage:
    """A runbook's steps are the keys of its session plan: its own steps, and the steps its calls run,
    counted under the caller (`restart/wait-for-rollout`)."""

    runbook: Runbook
    plan: nesting.Plan
    scenarios: int = 0
    covered: set[str] = field(default_factory=set)
    taken: set[tuple[str, str]] = field(default_factory=set)

    @property
    def steps(self) -> list[str]:
        return [entry.key for entry in self.plan.entries]

    @property
    def branches(self) -> list[tuple[str, str]]:
        return [(entry.key, branch) for entry in self.plan.entries
                for branch in branches_of(entry.runbook, entry.step, target_watched(self.plan, entry))]

    @property
    def missed_steps(self) -> list[str]:
        return [key for key in self.steps if key not in self.covered]

    @property
    def missed_branches(self) -> list[tuple[str, str]]:
        return [item for item in self.branches if item not in self.taken]


def measure(runs: list[ScenarioRun], runbooks: list[Runbook], calls: Calls | None = None) -> list[RunbookCoverage]:
    """Coverage of each runbook that some run tested (and of `runbooks` given, tested or not), by runbook id.
    `calls`: the catalog's runbooks, where the runbooks' calls are resolved (by default `runbooks`)."""
    calls = calls if calls is not None else Calls(runbooks)
    by_id: dict[str, RunbookCoverage] = {r.id: RunbookCoverage(r, plan_of(r, calls)) for r in runbooks}
    for run in runs:
        item = by_id.get(run.test.runbook)
        if item is None:
            continue
        item.scenarios += 1
        item.covered |= run.covered
        item.taken |= run.branches
    return sorted(by_id.values(), key=lambda c: c.runbook.id)


def coverage_of(catalog: Catalog) -> dict[str, tuple[int, int, int]]:
    """Runbook id -> (how many scenarios test it, steps they ran, steps it has), for every runbook of the
    catalog (0 scenarios for one nobody tests). Runs the scenarios; nothing is started."""
    from .suite import run_tests, tests_of

    suite = run_tests(catalog, tests_of(catalog))
    return {c.runbook.id: (c.scenarios, len(set(c.steps) & c.covered), len(c.steps))
            for c in measure(suite.runs, catalog.runbooks)}
