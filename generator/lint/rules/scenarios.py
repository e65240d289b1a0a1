"""RB65x: scenario files (`kind: runbook-test`) against the runbook they rehearse.

Every name a scenario uses must exist in the runbook (steps by the session's keys, probes, variables), and
every scripted result must be one the session can ask for; otherwise the scenario silently tests something
else. `runbook test` assumes these hold. The keys are the session's plan (rehearse/keys.py): a step that
`uses` another runbook is followed by the steps it calls as `caller-step/called-step`, and those steps'
runbooks lend their probes and variables (a called runbook's variable that `with` does not give comes
from the scenario's `variables`, as from the environment in a real session).
"""

from __future__ import annotations

from ...calls import Calls
from ...codes import RULES
from ...execute.variables import problem
from ...model import Runbook, RunbookTest
from ...pointers import escape
from ...rehearse.keys import called_runbooks, plan_of, watched_probes
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
ANSWER_AT_A_CALL = RULES["RB661"]
RAN_WITHOUT_RUN = RULES["RB662"]


def _hint(word: str, choices) -> str:
    guess = closest(word, choices)
    return f"; did you mean {guess!r}?" if guess else ""


def _step_hint(key: str, steps) -> str:
    """A called step is often named by its own id, or under the wrong call: offer the keys that end the same
    way (`roll-back/undo` for `undo`), else the closest key."""
    tail = key.rsplit("/", 1)[-1]
    same = [k for k in steps if k != key and k.rsplit("/", 1)[-1] == tail]
    if same:
        return f"; did you mean {' or '.join(repr(k) for k in same[:3])}?"
    return _hint(key, steps)


def check(ctx):
    tests = [d for d in ctx.documents if isinstance(d, RunbookTest)]
    if not tests:
        return
    runbooks = {d.id: d for d in ctx.known if isinstance(d, Runbook)}
    calls = Calls(runbooks.values())
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
        plan = plan_of(runbook, calls)  # the session's steps, the called ones in place, once per file
        for scenario in test.scenarios:
            yield from _scenario(ctx, test, runbook, scenario, plan)


def _names(ctx, test: RunbookTest):
    seen: set[str] = set()
    for scenario in test.scenarios:
        if scenario.name in seen:
            yield ctx.finding(DUPLICATE_NAME, test, scenario.pointer + "/name",
                              f"scenario name {scenario.name!r} is used twice in this file; names must be unique")
        seen.add(scenario.name)


def _scenario(ctx, test: RunbookTest, runbook: Runbook, scenario, plan):
    base = scenario.pointer
    steps = {entry.key: entry.step for entry in plan.entries}
    callees = called_runbooks(plan)
    # Probes a scenario's `target` may name: the runbook's, and those of the runbooks called whole (whose
    # target the session probes when the call starts).
    probes = list(dict.fromkeys([probe.name for probe in runbook.target] +
                                [probe.name for e in plan.entries if e.call is not None and e.call.whole
                                 for probe in e.call.runbook.target]))
    declared = {v.name: v for v in runbook.variables}
    for callee in callees:
        for variable in callee.variables:
            declared.setdefault(variable.name, variable)
    captured = {s.capture for s in runbook.steps if s.capture}
    captured_inside: dict[str, str] = {}  # a capture of a called step -> the first called step that makes it
    for entry in plan.entries:
        if entry.frame and entry.step.capture:
            captured_inside.setdefault(entry.step.capture, entry.key)

    # A `uses` step whose call cannot be followed (RB430, RB431 or a cycle, reported on the runbook) has no keys
    # under it in the plan: keys given there are not called unknown, the runbook's finding says what to fix.
    broken = tuple(f"{e.key}/" for e in plan.entries if e.step.uses is not None and e.call is None)

    def unknown_step(pointer: str, key: str, is_key: bool = True):
        if broken and key.startswith(broken):
            return
        yield ctx.finding(UNKNOWN_STEP, test, pointer, f"runbook {runbook.id} has no step {key!r}"
                          f"{_step_hint(key, steps)}", key=is_key)

    for field in ("results", "rollbacks", "conditions", "answers", "target_changes"):
        for key in getattr(scenario, field):
            if key not in steps and not ctx.replaced(test, f"{base}/{field}/{escape(key)}"):
                yield from unknown_step(f"{base}/{field}/{escape(key)}", key)
    for key, results in scenario.results.items():
        step = steps.get(key)
        if step is None:
            continue
        if step.uses is not None:
            yield ctx.finding(RESULT_WITHOUT_RUN, test, f"{base}/results/{escape(key)}",
                              f"step {key} uses {step.uses} and has no `run` of its own; give the results to the "
                              f"steps it calls: {_inside(plan, key)}", key=True)
        elif step.run is None:
            yield ctx.finding(RESULT_WITHOUT_RUN, test, f"{base}/results/{escape(key)}",
                              f"step {key} has no `run`, so no result is ever asked for; remove it (answer a manual "
                              f"step in `answers`)", key=True)
        elif key in scenario.per_attempt:
            answers = scenario.answers.get(key) or scenario.default_answers
            rounds = 1 + sum(1 for answer in answers[1:] if answer == "yes")
            allowed = step.attempts * rounds
            if len(results) > allowed:
                why = f"retry.attempts is {step.attempts}" if step.retry else "it has no `retry` (one attempt)"
                retries = f", {rounds} rounds with the operator's retries" if rounds > 1 else ""
                yield ctx.finding(TOO_MANY_RESULTS, test, f"{base}/results/{escape(key)}/{allowed}",
                                  f"{len(results)} results for step {key}, which runs at most {allowed} time(s): "
                                  f"{why}{retries}")
    for key in scenario.answers:
        step = steps.get(key)
        if step is not None and step.uses is not None:
            when = "; decide its `when` in `conditions`" if step.when is not None else ""
            yield ctx.finding(ANSWER_AT_A_CALL, test, f"{base}/answers/{escape(key)}",
                              f"step {key} uses {step.uses}, so nothing is asked there; answer the steps it calls: "
                              f"{_inside(plan, key)}{when}", key=True)
    for key in scenario.rollbacks:
        step = steps.get(key)
        if step is not None and not step.rollback:
            inside = f" (it uses {step.uses}: name a called step, {_inside(plan, key)})" if step.uses else ""
            yield ctx.finding(ROLLBACK_WITHOUT_ROLLBACK, test, f"{base}/rollbacks/{escape(key)}",
                              f"step {key} has no `rollback`; remove this rollback result{inside}", key=True)
    for key in scenario.conditions:
        step = steps.get(key)
        if step is not None and step.when is None:
            yield ctx.finding(CONDITION_WITHOUT_WHEN, test, f"{base}/conditions/{escape(key)}",
                              f"step {key} has no `when`; remove this condition", key=True)
    for name in scenario.target:
        if name not in probes:
            yield ctx.finding(UNKNOWN_PROBE, test, f"{base}/target/{escape(name)}", _probe_message(runbook, name, probes),
                              key=True)
    for key, changes in scenario.target_changes.items():
        entry = plan.entry(key)
        if entry is None:
            continue
        owner = entry.runbook
        # The probes re-checked before a destructive step: the started runbook's and those of each runbook called
        # whole around it (its own included); a runbook called for one step has no baseline to compare with.
        watched = watched_probes(plan, entry)
        allowed = list(dict.fromkeys([probe.name for probe in owner.target] + watched))
        for name in changes:
            if name not in allowed:
                message = _probe_message(owner, name, allowed) if allowed == [p.name for p in owner.target] else \
                    (f"no runbook step {key} runs in has a target probe {name!r}{_hint(name, allowed)}; the probes "
                     f"there: {', '.join(allowed)}")
                yield ctx.finding(UNKNOWN_PROBE, test, f"{base}/target_changes/{escape(key)}/{escape(name)}",
                                  message, key=True)
        if entry.step.run is None or not entry.step.destructive:
            what = f"uses {entry.step.uses}; name a destructive step it calls" if entry.call is not None \
                else "is not destructive"
            yield ctx.finding(CHANGE_UNSEEN, test, f"{base}/target_changes/{escape(key)}",
                              f"step {key} {what}: the target is re-checked only before destructive "
                              f"steps, so this change is not seen there", key=True)
        elif any(name in allowed and name not in watched for name in changes):
            call = plan.entry(entry.frame)
            yield ctx.finding(CHANGE_UNSEEN, test, f"{base}/target_changes/{escape(key)}",
                              f"step {key} runs through `uses: {call.step.uses}`, one step of {owner.id}: the session "
                              f"takes no baseline of {owner.id}'s target for it, so this change is not seen there",
                              key=True)
    for name, value in scenario.variables.items():
        variable = declared.get(name)
        if variable is None:
            called = " (nor do the runbooks it calls)" if callees else ""
            yield ctx.finding(UNKNOWN_VARIABLE, test, f"{base}/variables/{escape(name)}",
                              f"runbook {runbook.id} declares no variable {name}{called}{_hint(name, declared)}",
                              key=True)
        elif (why := problem(variable, value)) is not None:
            yield ctx.finding(INVALID_VALUE, test, f"{base}/variables/{escape(name)}", f"{name}: {why}")
    expect = scenario.expect
    for field in ("ran", "skipped"):
        for index, key in enumerate(getattr(expect, field) or ()):
            if key not in steps:
                yield from unknown_step(f"{base}/expect/{field}/{index}", key, is_key=False)
    for index, key in enumerate(expect.ran or ()):
        step = steps.get(key)
        if step is None or step.run is not None:
            continue
        if step.uses is not None:
            what = f"uses {step.uses} and runs no command of its own; list the steps it calls: {_inside(plan, key)}"
        else:
            what = "is a manual step (no `run`): a checklist done is not a command that ran; remove it"
        yield ctx.finding(RAN_WITHOUT_RUN, test, f"{base}/expect/ran/{index}", f"`ran` lists the steps whose "
                          f"command ran, and step {key} {what}")
    for key in expect.attempts or {}:
        if key not in steps:
            yield from unknown_step(f"{base}/expect/attempts/{escape(key)}", key)
    if expect.stopped_at is not None and expect.stopped_at not in steps:
        yield from unknown_step(f"{base}/expect/stopped_at", expect.stopped_at, is_key=False)
    own = {v.name for v in runbook.variables}
    for name in expect.variables or {}:
        if name not in own and name not in captured:
            if name in captured_inside:
                message = (f"{name} is captured by called step {captured_inside[name]}, and a called runbook's "
                           f"values stay inside its call; `expect.variables` checks runbook {runbook.id}'s own")
            else:
                known = own | captured
                message = f"runbook {runbook.id} neither declares nor captures {name}{_hint(name, known)}"
            yield ctx.finding(UNKNOWN_VARIABLE, test, f"{base}/expect/variables/{escape(name)}", message, key=True)


def _inside(plan, key: str) -> str:
    prefix = key + "/"
    inside = [e.key for e in plan.entries if e.key.startswith(prefix) and e.key.count("/") == key.count("/") + 1]
    return ", ".join(inside) or "(none: its call cannot be followed)"


def _probe_message(runbook: Runbook, name: str, probes: list[str]) -> str:
    if not probes:
        return f"runbook {runbook.id} has no `target` probes"
    return f"runbook {runbook.id} has no target probe {name!r}{_hint(name, probes)}; its probes: {', '.join(probes)}"
