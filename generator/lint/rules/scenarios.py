"""RB65x: scenario files (`kind: runbook-test`) against the runbook they rehearse.

Every name a scenario uses must exist in the runbook (steps by the session's keys, probes, variables), and
every scripted result must be one the session can ask for; otherwise the scenario silently tests something
else. `runbook test` assumes these hold.
"""

from __future__ import annotations

from ...codes import RULES
from ...execute.variables import problem
from ...model import Runbook, RunbookTest
from ...rehearse.keys import step_keys
from ...suggest import closest

UNKNOWN_RUNBOOK = RULES["RB650"]
UNKNOWN_STEP = RULES["RB651"]
RESULT_WITHOUT_RUN = RULES["RB652"]
ROLLBACK_WITHOUT_ROLLBACK = RULES["RB653"]
TOO_MANY_RESULTS = RULES["RB654"]
CONDITION_WITHOUT_WHEN = RULES["RB655"]
UNKNOWN_PROBE = RULES["RB656"]
CHANGE_UNSEEN = RULES["RB657"]
UNKNOWN_VARIABLE = RULES["RB658"]
DUPLICATE_NAME = RULES["RB659"]
INVALID_VALUE = RULES["RB660"]


def _hint(word: str, choices) -> str:
    guess = closest(word, choices)
    return f"; did you mean {guess!r}?" if guess else ""


def check(ctx):
    tests = [d for d in ctx.documents if isinstance(d, RunbookTest)]
    if not tests:
        return
    runbooks = {d.id: d for d in ctx.known if isinstance(d, Runbook)}
    for test in tests:
        if ctx.replaced(test, "/runbook"):
            continue
        runbook = runbooks.get(test.runbook)
        if runbook is None:
            yield ctx.finding(UNKNOWN_RUNBOOK, test, "/runbook",
                              f"runbook {test.runbook!r} does not exist{_hint(test.runbook, runbooks)}")
            continue
        yield from _names(ctx, test)
        if runbook.path in ctx.damage:
            continue  # an invalid runbook may be missing steps: nothing is concluded from their absence
        for scenario in test.scenarios:
            yield from _scenario(ctx, test, runbook, scenario)


def _names(ctx, test: RunbookTest):
    seen: set[str] = set()
    for scenario in test.scenarios:
        if scenario.name in seen:
            yield ctx.finding(DUPLICATE_NAME, test, scenario.pointer + "/name",
                              f"scenario name {scenario.name!r} is used twice in this file; names must be unique")
        seen.add(scenario.name)


def _scenario(ctx, test: RunbookTest, runbook: Runbook, scenario):
    base = scenario.pointer
    steps = step_keys(runbook)
    probes = [probe.name for probe in runbook.target]
    declared = {v.name: v for v in runbook.variables}
    captured = {s.capture for s in runbook.steps if s.capture}

    def unknown_step(pointer: str, key: str, is_key: bool = True):
        return ctx.finding(UNKNOWN_STEP, test, pointer, f"runbook {runbook.id} has no step {key!r}{_hint(key, steps)}",
                           key=is_key)

    for field in ("results", "rollbacks", "conditions", "answers", "target_changes"):
        for key in getattr(scenario, field):
            if key not in steps and not ctx.replaced(test, f"{base}/{field}/{key}"):
                yield unknown_step(f"{base}/{field}/{key}", key)
    for key, results in scenario.results.items():
        step = steps.get(key)
        if step is None:
            continue
        if step.run is None:
            yield ctx.finding(RESULT_WITHOUT_RUN, test, f"{base}/results/{key}", f"step {key} has no `run`, so no "
                              f"result is ever asked for; remove it (answer a manual step in `answers`)", key=True)
        elif key in scenario.per_attempt:
            rounds = 1 + sum(1 for answer in scenario.answers.get(key, ())[1:] if answer == "yes")
            allowed = step.attempts * rounds
            if len(results) > allowed:
                why = f"retry.attempts is {step.attempts}" if step.retry else "it has no `retry` (one attempt)"
                retries = f", {rounds} rounds with the operator's retries" if rounds > 1 else ""
                yield ctx.finding(TOO_MANY_RESULTS, test, f"{base}/results/{key}/{allowed}",
                                  f"{len(results)} results for step {key}, which runs at most {allowed} time(s): "
                                  f"{why}{retries}")
    for key in scenario.rollbacks:
        step = steps.get(key)
        if step is not None and not step.rollback:
            yield ctx.finding(ROLLBACK_WITHOUT_ROLLBACK, test, f"{base}/rollbacks/{key}",
                              f"step {key} has no `rollback`; remove this rollback result", key=True)
    for key in scenario.conditions:
        step = steps.get(key)
        if step is not None and step.when is None:
            yield ctx.finding(CONDITION_WITHOUT_WHEN, test, f"{base}/conditions/{key}",
                              f"step {key} has no `when`; remove this condition", key=True)
    for name in scenario.target:
        if name not in probes:
            yield ctx.finding(UNKNOWN_PROBE, test, f"{base}/target/{name}", _probe_message(runbook, name, probes), key=True)
    for key, changes in scenario.target_changes.items():
        step = steps.get(key)
        for name in changes:
            if name not in probes:
                yield ctx.finding(UNKNOWN_PROBE, test, f"{base}/target_changes/{key}/{name}",
                                  _probe_message(runbook, name, probes), key=True)
        if step is not None and not step.destructive:
            yield ctx.finding(CHANGE_UNSEEN, test, f"{base}/target_changes/{key}",
                              f"step {key} is not destructive: the target is re-checked only before destructive "
                              f"steps, so this change is not seen there", key=True)
    for name, value in scenario.variables.items():
        variable = declared.get(name)
        if variable is None:
            yield ctx.finding(UNKNOWN_VARIABLE, test, f"{base}/variables/{name}",
                              f"runbook {runbook.id} declares no variable {name}{_hint(name, declared)}", key=True)
        elif (why := problem(variable, value)) is not None:
            yield ctx.finding(INVALID_VALUE, test, f"{base}/variables/{name}", f"{name}: {why}")
    expect = scenario.expect
    for field in ("ran", "skipped"):
        for index, key in enumerate(getattr(expect, field) or ()):
            if key not in steps:
                yield unknown_step(f"{base}/expect/{field}/{index}", key, is_key=False)
    for key in expect.attempts or {}:
        if key not in steps:
            yield unknown_step(f"{base}/expect/attempts/{key}", key)
    if expect.stopped_at is not None and expect.stopped_at not in steps:
        yield unknown_step(f"{base}/expect/stopped_at", expect.stopped_at, is_key=False)
    for name in expect.variables or {}:
        if name not in declared and name not in captured:
            known = set(declared) | captured
            yield ctx.finding(UNKNOWN_VARIABLE, test, f"{base}/expect/variables/{name}",
                              f"runbook {runbook.id} neither declares nor captures {name}{_hint(name, known)}", key=True)


def _probe_message(runbook: Runbook, name: str, probes: list[str]) -> str:
    if not probes:
        return f"runbook {runbook.id} has no `target` probes"
    return f"runbook {runbook.id} has no target probe {name!r}{_hint(name, probes)}; its probes: {', '.join(probes)}"
