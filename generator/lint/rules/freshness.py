"""RB503: a runbook with no successful run or drill within `drill-interval` ([tool.runbook.lint]).

Review staleness (RB501) asks whether someone read the runbook; this asks whether it still works, from
the transcripts of real runs and drills (generator/history.py). Off until `drill-interval` is set.
"""

from __future__ import annotations

from ...codes import RULES
from ...model import duration_seconds

DRILL_OVERDUE = RULES["RB503"]


def check(ctx):
    interval = ctx.config.drill_interval
    if not interval or ctx.history is None:
        return
    days = duration_seconds(interval) // 86400
    for runbook in ctx.runbooks:
        if not runbook.id or ctx.replaced(runbook, "/id"):
            continue
        good = ctx.history.last_success(runbook.id)
        age = (ctx.today - good.started.date()).days if good else None
        if age is not None and age <= days:
            continue
        rehearse = f"rehearse it against staging: runbook exec {runbook.id} --drill"
        if good is None:
            latest = ctx.history.last(runbook.id)
            tried = ""
            if latest is not None:
                failed = f" (failed: {', '.join(latest.failed_steps)})" if latest.failed_steps else ""
                tried = f"; the last one, a {latest.kind} on {latest.started.date().isoformat()}, {latest.outcome}{failed}"
            message = f"no successful run or drill recorded (drill interval {interval}){tried}; {rehearse}"
        else:
            message = (f"last successful {good.kind} on {good.started.date().isoformat()}, {age} days ago, over the "
                       f"drill interval of {interval}; {rehearse}")
        yield ctx.finding(DRILL_OVERDUE, runbook, "/id", message, key=True)
