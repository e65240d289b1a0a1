"""The "Runs and drills" panel of a runbook page: how fresh the runbook is, from real runs and rehearsals.

The page shows the last run and the last drill (date, outcome), the steps that failed in the most recent
runs and drills, and, when `runbook test` numbers are given, how many scenarios test the runbook and how
many of its steps they cover. Everything comes from `generator.history` (read once per build, at build
time) and the `scenario_coverage` hook of the renderer; the panel shows dates, outcomes and step ids only:
never a command's output, a variable's value, who ran it or on which host.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..history import Run, RunHistory
from ..model import Runbook

RECENT = 5  # runs and drills whose failed steps the panel lists


@dataclass(frozen=True)
class ScenarioCoverage:
    """How a runbook's scenario files test it: the hook for `runbook test --coverage`'s numbers.

    Give the renderer `scenario_coverage={runbook_id: ScenarioCoverage(...)}`; a runbook without an entry
    shows no scenario line."""

    scenarios: int  # scenarios that name the runbook
    covered_steps: int  # its steps that at least one scenario runs
    total_steps: int

    @property
    def percent(self) -> int:
        return round(100 * self.covered_steps / self.total_steps) if self.total_steps else 100


@dataclass(frozen=True)
class Session:
    """A run or drill as the panel shows it."""

    date: str  # YYYY-MM-DD, UTC
    outcome: str  # completed, failed, aborted, unfinished
    succeeded: bool
    failed_steps: tuple[str, ...]


@dataclass(frozen=True)
class FailedStep:
    step: str
    times: int  # in how many of the recent runs and drills it failed
    last: str  # date of the latest of them
    on_page: bool  # a step of this runbook (linkable as #step-ID); a removed step is still named


@dataclass(frozen=True)
class Freshness:
    last_run: Session | None
    last_drill: Session | None
    recent: int  # how many runs and drills the failed steps were counted over
    failed_steps: tuple[FailedStep, ...]
    coverage: ScenarioCoverage | None
    history_read: bool  # False: no transcripts were read (a renderer without history): say nothing of runs


def _session(run: Run | None) -> Session | None:
    if run is None:
        return None
    return Session(run.started.date().isoformat(), run.outcome, run.succeeded, run.failed_steps)


def runbook_freshness(runbook: Runbook, history: RunHistory | None,
                      coverage: ScenarioCoverage | None) -> Freshness | None:
    """The panel's facts for one runbook, or None when there is nothing to show (no history read and no coverage)."""
    if history is None and coverage is None:
        return None
    runs = history.of(runbook.id) if history is not None else []
    recent = runs[:RECENT]
    steps = {step.id for step in runbook.steps}
    counted: dict[str, FailedStep] = {}
    for run in recent:  # newest first: the first time a step is seen is its latest failure
        for step in run.failed_steps:
            known = counted.get(step)
            counted[step] = FailedStep(step, (known.times if known else 0) + 1,
                                       known.last if known else run.started.date().isoformat(), step in steps)
    return Freshness(
        last_run=_session(next((r for r in runs if r.kind == "run"), None)),
        last_drill=_session(next((r for r in runs if r.kind == "drill"), None)),
        recent=len(recent),
        failed_steps=tuple(sorted(counted.values(), key=lambda f: (-f.times, f.step))),
        coverage=coverage,
        history_read=history is not None,
    )
