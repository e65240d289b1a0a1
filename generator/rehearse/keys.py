"""Steps as the session names them: the keys of a scenario's `results`, `answers`, `expect.ran` and the rest.

The session writes each step's key into its transcript (`step-start`); scenarios, lint and coverage use the same
keys, listed here in one place. Today a key is the step's id; a step that `uses` another runbook's steps runs
them as `caller-step/called-step`, and this is where those keys join the list.
"""

from __future__ import annotations

from ..model import Runbook, Step


def step_keys(runbook: Runbook) -> dict[str, Step]:
    """Every step the session can run, by its key, in session order."""
    return {step.id: step for step in runbook.steps}
