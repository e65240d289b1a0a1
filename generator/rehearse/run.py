"""One scenario through the real session engine (execute/session.py), with the scripted shell and operator.

The session is the one `runbook exec` runs: `when`, `expect`, `retry`, `capture`, `on_failure`, target checks
and rollback offers all behave as in an incident; only the shell and the operator are the scenario's. What the
session did is read back from its own transcript events (kept in memory), the same record a real run leaves.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field

from ..calls import Calls
from ..execute import nesting
from ..execute.prompts import Console
from ..execute.session import Options, Session
from ..execute.variables import problem
from ..model import Runbook, RunbookTest, Scenario, Step, Template
from .keys import called_runbooks
from .scripted import Recorder, ScenarioGap, Script, ScriptedOperator, ScriptedShell


@dataclass
class Facts:
    """What the session did, in the words of a scenario's `expect`."""

    outcome: str
    reason: str
    ran: list[str]  # steps whose command ran, in order, each once
    skipped: list[str]  # by the operator or a false condition, in order
    attempts: dict[str, int]  # step -> times its command ran
    variables: dict[str, str]  # values at the end, captures included
    stopped_at: str | None  # the step where a session that did not complete stopped
    reached: list[str]  # every step the session started, in order
    did: dict[str, str]  # step -> what happened there, in a few words (for a mismatch's step table)
    waited: int = 0  # seconds of retry intervals counted (never slept)


@dataclass
class ScenarioRun:
    test: RunbookTest
    scenario: Scenario
    facts: Facts | None = None
    gap: ScenarioGap | None = None  # the scenario did not say something the session needed
    problem: str | None = None  # the scenario cannot start (a value the runbook refuses)
    mismatches: list[str] = field(default_factory=list)
    table: list[tuple[str, str, str, bool]] = field(default_factory=list)  # step, expected, actual, differs
    branches: set[tuple[str, str]] = field(default_factory=set)  # (step, branch) taken, for coverage
    covered: set[str] = field(default_factory=set)  # steps whose command ran, checklist was done or call began
    output: str = ""  # what the session printed, for reports

    @property
    def passed(self) -> bool:
        return self.gap is None and self.problem is None and not self.mismatches


@functools.lru_cache(maxsize=256)
def _known_names(runbook: Runbook) -> frozenset[str]:
    """Names a pure `when` may read: the runbook's variables and every capture."""
    return frozenset({v.name for v in runbook.variables} | {s.capture for s in runbook.steps if s.capture})


def start_values(runbook: Runbook, scenario: Scenario, callees: tuple[Runbook, ...] = ()) -> dict[str, str]:
    """The scenario's values over the defaults; a variable with neither stays unset (nothing runs, so a
    secret is never needed). A name only a called runbook declares is that runbook's (see `run_scenario`)."""
    values = {v.name: v.default for v in runbook.variables if v.default is not None}
    theirs = {v.name for callee in callees for v in callee.variables} - {v.name for v in runbook.variables}
    values.update((name, value) for name, value in scenario.variables.items() if name not in theirs)
    return values


def run_scenario(test: RunbookTest, scenario: Scenario, runbook: Runbook,
                 templates: dict[str, Template] | None = None, plan: nesting.Plan | None = None) -> ScenarioRun:
    """One scenario. `plan`: the runbook's session plan with its calls resolved in the catalog (suite.py
    builds it once per file); without it the runbook's calls can only reach the runbook itself."""
    from .expect import compare

    plan = plan if plan is not None else nesting.build(runbook, Calls([runbook]))
    run = ScenarioRun(test, scenario)
    callees = tuple(called_runbooks(plan))
    values = start_values(runbook, scenario, callees)
    for name, value in scenario.variables.items():
        variable = runbook.variable(name) or next((c.variable(name) for c in callees if c.variable(name)), None)
        why = problem(variable, value) if variable is not None else None
        if why:
            run.problem = f"variables.{name}: {why}"
            return run
    secrets = [values[v.name] for v in runbook.variables if v.secret and values.get(v.name)]
    steps = {entry.key: entry.step for entry in plan.entries}
    owners = {entry.key: entry.runbook for entry in plan.entries}
    given = frozenset(scenario.variables)

    def known_names(key: str) -> frozenset[str]:
        # A pure `when` may read its runbook's variables, its captures and whatever the scenario sets.
        return _known_names(owners.get(key, runbook)) | given

    script = Script(scenario, runbook, known_names, steps, owners)
    recorder = Recorder(script)
    out = io.StringIO()
    console = Console(out=out, inp=io.StringIO())
    # The scenario's `variables` are also what a called runbook finds "in the environment" for a variable its
    # call's `with` does not give, as an operator's exported values are in a real session.
    session = Session(runbook, templates or {}, console, values, secrets, Options(scripted=True), 0, recorder,
                      target=script.probe(runbook), plan=plan,
                      shell=functools.partial(ScriptedShell, script), dialogue=functools.partial(ScriptedOperator, script),
                      environ=dict(scenario.variables))
    script.branches.clear()  # the start's probe is no branch
    try:
        session.run()
    except ScenarioGap as gap:
        run.gap = gap
    run.output = out.getvalue()
    run.facts = _facts(recorder.events, session.frames[""].values, steps, script.waited)
    run.branches = set(script.branches) | _branches_from_events(recorder.events, steps)
    run.covered = {key for key, what in run.facts.did.items() if what.startswith(("ran", "checked", "called"))}
    if run.gap is None:
        run.mismatches, run.table = compare(scenario.expect, run.facts)
    return run


def _facts(events: list[dict], values: dict[str, str], steps: dict[str, Step], waited: int) -> Facts:
    ran: list[str] = []
    skipped: list[str] = []
    attempts: dict[str, int] = {}
    reached: list[str] = []
    did: dict[str, str] = {}
    end = next((e for e in reversed(events) if e["event"] == "session-end"), None)
    for event in events:
        kind, key = event["event"], event.get("step")
        if kind == "step-start":
            reached.append(key)
            did[key] = "reached, not finished"
        elif kind in ("step-attempt", "step-end") and "exit_code" in event:
            if key not in attempts:
                ran.append(key)
            attempts[key] = attempts.get(key, 0) + 1
            if kind == "step-end":
                count = attempts[key]
                tries = f", {count} attempts" if count > 1 else ""
                status = event.get("status")
                did[key] = f"ran{tries}: {status} (exit {event.get('exit_code')})"
                if "then skip" in (event.get("decision") or ""):
                    did[key] += ", then skipped"
        elif kind == "call-start":
            did[key] = f"called {event.get('uses')}"
        elif kind == "step-end" and event.get("decision") == "called":
            did[key] = f"called {event.get('uses')}: {event.get('status')}"
        elif kind == "step-end":
            if event.get("status") == "skipped":
                skipped.append(key)
                did[key] = "skipped (condition false)" if event.get("reason", "").startswith("condition false") \
                    else "skipped"
            elif "checklist" in event:
                did[key] = "checked"
    outcome = end["status"] if end else "aborted"
    reason = (end or {}).get("reason") or ""
    stopped_at = reached[-1] if outcome != "completed" and reached else None
    if stopped_at and did.get(stopped_at) == "reached, not finished":
        did[stopped_at] = f"stopped here: {reason}" if reason else "stopped here"
    elif stopped_at:
        did[stopped_at] += f"; stopped: {reason}"
    for key, count in attempts.items():
        if key in did and did[key].startswith("reached"):
            did[key] = f"ran, {count} attempt(s)"
    return Facts(outcome, reason, ran, skipped, attempts, dict(values), stopped_at, reached, did, waited)


def _branches_from_events(events: list[dict], steps: dict[str, Step]) -> set[tuple[str, str]]:
    """Branches the events show: a retry exhausted, a failure that went on (`continue`) or stopped (`stop`)."""
    taken = set()
    for event in events:
        key = event.get("step")
        step = steps.get(key)
        if step is None or "exit_code" not in event or event["event"] not in ("step-attempt", "step-end"):
            continue
        failed = event.get("status") not in ("succeeded", None)
        if step.retry and failed and event.get("attempt") == step.retry.attempts:
            taken.add((key, "retry exhausted"))
        if failed and event["event"] == "step-end" and step.on_failure in ("continue", "stop"):
            taken.add((key, f"failure: {step.on_failure}"))
    return taken
