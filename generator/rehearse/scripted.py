"""The second shell: the session engine's commands, probes, waits and prompts answered from a scenario.

`ScriptedShell` has the interface of execute.stepping.Shell (run, condition, on_terminal, rollback, probe,
wait) and starts no process: a command's result is the scenario's `results` for the step running, a `when` is
the scenario's `conditions` or the pure bash test evaluated with the session's values, a probe prints the
scenario's `target` (with its `target_changes` from the step they are given for), and a retry's interval is
counted, not slept. `ScriptedOperator` is the operator: the scenario's `answers`. Both learn which step is
running from the session's own transcript events (`Recorder`), so they use the session's step keys.

What the scenario does not say (a result for a command that would run, a `when` that is not pure bash) stops
the scenario with a `ScenarioGap` that says what to add.
"""

from __future__ import annotations

from typing import Callable

from ..execute.dialogue import Dialogue
from ..execute.prompts import Quit
from ..execute.redact import Redactor
from ..execute.runner import Result
from ..model import Runbook, Scenario, ScriptedResult, Step
from ..shell.evaluate import NotPure, evaluate

NOT_GIVEN = "(not given)"  # what a probe prints when the scenario's `target` does not name it


class ScenarioGap(Exception):
    """The session needs something the scenario does not give; `field` is where to add it."""

    def __init__(self, step: str, message: str, field: str = "results"):
        super().__init__(message)
        self.step = step
        self.field = field


class Script:
    """The scenario as the session meets it, shared by the shell, the operator and the recorder."""

    def __init__(self, scenario: Scenario, runbook: Runbook, known_names: Callable[[str], frozenset[str]],
                 steps: dict[str, Step], owners: dict[str, Runbook] | None = None):
        self.scenario = scenario
        self.runbook = runbook
        self.owners = owners or {}  # step key -> the runbook it is written in (a called one for a called step)
        self.known_names = known_names  # step key -> variables and captures a pure `when` there may read
        self.steps = steps
        self.current: str | None = None  # the key of the step running
        self.runs: dict[str, int] = {}  # step -> times its command ran
        self.rollback_runs: dict[str, int] = {}
        self.prompts: dict[str, int] = {}  # step -> answers used after the first (failure questions)
        self.branches: list[tuple[str, str]] = []  # (step, branch) taken, for coverage
        self.waited = 0  # seconds of retry intervals counted, never slept
        # What each probe prints, by name: the scenario's world, the same whichever runbook of the session (the
        # runbook's own or a called one) runs a probe of that name.
        self.world = {name: str(value) for name, value in scenario.target.items()}

    def probe(self, runbook: Runbook) -> dict[str, str]:
        """What `runbook`'s probes print now; a value that differs from the scenario's start is a target change."""
        values = {probe.name: self.world.get(probe.name, NOT_GIVEN) for probe in runbook.target}
        if any(value != str(self.scenario.target.get(name, NOT_GIVEN)) for name, value in values.items()):
            self.took("target changed")
        return values

    def enter(self, key: str) -> None:
        self.current = key
        changes = self.scenario.target_changes.get(key)
        if changes:  # what the probes print from just before this step on (lint reports unknown names)
            self.world.update({name: str(value) for name, value in changes.items()})

    def took(self, branch: str) -> None:
        self.branches.append((self.current or "", branch))

    # -- the operator's answers ---------------------------------------------------------------------

    def answers_of(self, key: str) -> tuple[str, ...]:
        """The step's answers, else the scenario's `default` (a word, or a list: `[yes, skip]` runs every other
        step and skips on when one fails)."""
        return self.scenario.answers.get(key) or self.scenario.default_answers

    def first_answer(self, key: str) -> str:
        return self.answers_of(key)[0]

    def next_answer(self, key: str) -> str:
        """The answer to the step's next question after a failure: the list's next word, else `quit`."""
        answers = self.answers_of(key)
        used = self.prompts.get(key, 0) + 1
        self.prompts[key] = used
        return answers[used] if used < len(answers) else "quit"


def _result(item: ScriptedResult) -> Result:
    # stdout and the combined output are the same text: a scenario gives one `output`.
    return Result("exited", item.exit, item.output, item.output, 0.0)


class ScriptedShell:
    """Same calls as execute.stepping.Shell; nothing is started."""

    def __init__(self, script: Script, console, values: dict[str, str], secrets: list[str]):
        self.script = script
        self.console = console
        self.values = values
        self.secrets = secrets

    def env(self) -> dict[str, str]:
        return self.values  # the scenario's world has nothing but the session's values

    def changed(self) -> None:
        pass

    def redactor(self) -> Redactor:
        return Redactor(self.secrets)

    def _show(self, result: Result) -> None:
        if result.output:
            gutter = self.console.style("  | ", "dim")
            self.console.write("".join(gutter + line + "\n" for line in result.output.splitlines()))

    def run(self, command: str, timeout: int | None) -> Result:
        script = self.script
        key = script.current
        results = script.scenario.results.get(key)
        if not results:
            raise ScenarioGap(key, f"step {key} would run; give it a result")
        index = script.runs.get(key, 0)
        script.runs[key] = index + 1
        if len(results) == 1 and key not in script.scenario.per_attempt:
            item = results[0]  # one result stands for every attempt
        elif index < len(results):
            item = results[index]
        else:
            raise ScenarioGap(key, f"step {key} would run a {_ordinal(index + 1)} time; its results give "
                                   f"{len(results)}: add one")
        result = _result(item)
        self._show(result)
        return result

    def on_terminal(self, command: str, timeout: int | None) -> Result:
        return self.run(command, timeout)

    def condition(self, command: str) -> Result:
        script = self.script
        key = script.current
        given = script.scenario.conditions.get(key)
        step = script.steps.get(key)
        if given is None and step is not None and step.uses is None and script.first_answer(key) == "skip":
            # The operator skips the step whether its `when` holds or not: the scenario need not decide it (no
            # branch is counted). The prompt comes after the test, so the session asks and is told `skip`.
            return Result("exited", 0, "", "", 0.0)
        if given is None:
            self._needs_values(key, command)
            try:
                status = evaluate(command, self.values, script.known_names(key))
            except NotPure as why:
                raise ScenarioGap(key, f"step {key} has a `when` that is not a pure bash test ({why}); give "
                                       f"conditions.{key}: true or false", "conditions") from None
        else:
            status = 0 if given else 1
        script.took("when true" if status == 0 else "when false")
        return Result("exited", status, "", "", 0.0)

    def _needs_values(self, key: str, command: str) -> None:
        """A `when` that reads a variable the runbook requires (no default) and nobody gave: a real session asks
        the operator for it before the test, so evaluating it empty would rehearse a session that cannot happen."""
        from ..shell import used_names

        owner = self.script.owners.get(key, self.script.runbook)
        captured = {s.capture for s in owner.steps if s.capture}
        for name, _ in used_names(command):
            variable = owner.variable(name)
            if variable is None or name in self.values or name in captured:
                continue
            if variable.required and variable.default is None:
                raise ScenarioGap(key, f"step {key} has a `when` that reads ${name}, which {owner.id} requires and "
                                       f"the scenario does not give (a real session would ask for it): give "
                                       f"variables.{name}, or conditions.{key}", "variables")

    def rollback(self, command: str, timeout: int | None) -> Result:
        script = self.script
        key = script.current
        results = script.scenario.rollbacks.get(key)
        index = script.rollback_runs.get(key, 0)
        script.rollback_runs[key] = index + 1
        if not results:
            raise ScenarioGap(key, f"the rollback of step {key} would run; give it a result in rollbacks", "rollbacks")
        item = results[0] if len(results) == 1 else (results[index] if index < len(results) else None)
        if item is None:
            raise ScenarioGap(key, f"the rollback of step {key} would run a {_ordinal(index + 1)} time; "
                                   f"its rollbacks give {len(results)}: add one", "rollbacks")
        script.took("rollback")
        result = _result(item)
        self._show(result)
        return result

    def probe(self, runbook: Runbook, values: dict[str, str] | None = None) -> dict[str, str]:
        return self.script.probe(runbook)

    def wait(self, seconds: float) -> None:
        self.script.waited += seconds


class ScriptedOperator(Dialogue):
    """The operator of a scenario: `answers` per step (`yes`, `skip`, `quit`), `default` for the others."""

    def __init__(self, script: Script, runbook: Runbook, console, word: str | None = None):
        super().__init__(runbook, console, word=word)
        self.script = script

    def decide(self, step: Step, target: str = "") -> tuple[str, str, bool]:
        answer = self.script.first_answer(self.script.current)
        if answer == "yes":
            decision = "confirmed" if step.destructive else "run"
            self.console.say(f"  (scenario) {decision}", "dim")
            return decision, step.run, False
        return answer, step.run, False  # "skip" or "quit", the session's own words

    def checklist(self, step: Step, unattended: bool) -> list[dict] | None:
        answer = self.script.first_answer(self.script.current)
        if answer == "quit":
            raise Quit(f"the operator quit at step {step.id}")
        if answer == "skip":
            return None
        items = list(step.checklist) + ([f"Message from template {step.template} sent"] if step.template else [])
        return [{"item": item, "done": True, "note": None} for item in items]

    def after_failure(self, step: Step, status: str) -> str:
        script = self.script
        key = script.current
        script.took("failure: ask")
        # The operator rolls back while the scenario has a rollback result left for it: once for one result,
        # at each failure for a list (one result per time the rollback runs).
        given = script.scenario.rollbacks.get(key, ())
        if step.rollback and script.rollback_runs.get(key, 0) < len(given):
            return "b"
        return _KEY[script.next_answer(key)]

    def choose(self, prompt: str, keys: set[str]) -> str:
        """The question after a rollback (retry, skip or quit): the step's next answer."""
        return _KEY[self.script.next_answer(self.script.current)]

    def go_on_without(self) -> bool:
        return True

    def edit(self, command: str) -> str:
        return command


_KEY = {"yes": "r", "skip": "s", "quit": "q"}


class Recorder:
    """The transcript writer of a rehearsal: events kept in memory; a `step-start` tells the script which
    step runs (by the key the session records)."""

    path = "(no transcript: a rehearsal)"

    def __init__(self, script: Script):
        self.script = script
        self.events: list[dict] = []
        self.redactor = Redactor()

    def write(self, event: str, **fields) -> dict:
        fields["event"] = event
        self.events.append(fields)
        if event == "step-start":
            self.script.enter(fields["step"])
        return fields

    def durable(self) -> None:
        pass

    def close(self) -> None:
        pass


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
