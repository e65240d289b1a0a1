"""Steps as the session names them: the keys of a scenario's `results`, `answers`, `expect.ran` and the rest.

The session walks a plan (execute/nesting.py): the runbook's steps, and for a step that `uses` another
runbook, that step's own key followed by the called steps as `caller-step/called-step` (`roll-back/undo`,
one level deeper for a call inside a called runbook). It writes each key into its transcript (`step-start`);
scenarios, lint and coverage take the same keys from the same plan, here in one place.
"""

from __future__ import annotations

from ..calls import Calls
from ..execute import nesting
from ..model import Runbook, Step


def plan_of(runbook: Runbook, calls: Calls | None = None) -> nesting.Plan:
    """The session's plan of `runbook`, its calls resolved in `calls` (the catalog's runbooks). A call that
    cannot be followed (an unknown runbook or step, a cycle: lint's RB430, RB431) is kept as a step with
    nothing inside, so the other keys still hold."""
    return nesting.build(runbook, calls if calls is not None else Calls([runbook]), lenient=True)


def step_keys(runbook: Runbook, calls: Calls | None = None) -> dict[str, Step]:
    """Every step the session can run, by its key, in session order (the plan's steps carry the key as id)."""
    return {entry.key: entry.step for entry in plan_of(runbook, calls).entries}


def target_watched(plan: nesting.Plan, entry: nesting.Entry) -> bool:
    """Whether the session re-checks a target before this step (Session._watched): a destructive step, when
    the runbook the operator started has `target`, or a runbook called whole around the step (its own included)
    has one (a call of one step, RUNBOOK#STEP, takes no baseline of its runbook's target)."""
    if entry.step.run is None or not entry.step.destructive:
        return False
    return bool(plan.runbook.target) or any(call.call is not None and call.call.whole and call.call.runbook.target
                                            for call in plan.chain(entry))


def watched_probes(plan: nesting.Plan, entry: nesting.Entry) -> list[str]:
    """The probe names re-checked before the step: those of the runbook started and of each runbook called whole
    around it."""
    runbooks = [plan.runbook] + [call.call.runbook for call in plan.chain(entry)
                                 if call.call is not None and call.call.whole]
    return list(dict.fromkeys(probe.name for runbook in runbooks for probe in runbook.target))


def called_runbooks(plan: nesting.Plan) -> list[Runbook]:
    """The runbooks the plan's calls reach, each once, in the order they are first called."""
    seen: dict[str, Runbook] = {}
    for entry in plan.entries:
        if entry.call is not None:
            seen.setdefault(entry.call.runbook.id, entry.call.runbook)
    return list(seen.values())
