"""Variable values: `--var NAME=VALUE`, then the environment, then a prompt (or the default).

At a terminal, a variable that a step's command uses is asked for just before the first command
that needs it runs (an incident runbook's later steps need a pod name or a token that nobody
knows during detection); the others are asked at the start. Without a terminal nothing is asked
and every missing required variable is named at once, before anything runs.

Values are checked against the variable's `pattern` and `choices`. They reach commands through
bash's environment only, never by being pasted into a command's text.
"""

from __future__ import annotations

import re
from typing import Mapping

from ..errors import UserError
from ..model import Runbook, Variable
from .prompts import Console

_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class VariableError(UserError):
    """A usage mistake with variables (exit 2); the message is one line."""


def parse_assignments(items: list[str], runbook: Runbook, called: tuple[Runbook, ...] = ()) -> dict[str, str]:
    """`--var NAME=VALUE` items: NAME is a variable of the runbook, or of a runbook it calls (`called`: given to
    those calls as an exported value would be, when `with` does not give it)."""
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not _NAME.match(name):
            raise VariableError(f"--var {item!r}: expected NAME=VALUE with an upper-case NAME")
        if runbook.variable(name) is None and not any(c.variable(name) for c in called):
            known = ", ".join(dict.fromkeys(v.name for r in (runbook, *called) for v in r.variables)) or "none"
            whose = f"runbook {runbook.id}" + (" and the runbooks it calls" if called else "")
            raise VariableError(f"--var {name}: {whose} {'have' if called else 'has'} no variable {name} "
                                f"({'their' if called else 'its'} variables: {known})")
        values[name] = value
    return values


def problem(variable: Variable, value: str) -> str | None:
    """Why a value is not allowed, or None."""
    if variable.choices and value not in variable.choices:
        return f"must be one of: {', '.join(variable.choices)}"
    if variable.pattern and not re.fullmatch(variable.pattern, value):
        return f"must match the pattern {variable.pattern}"
    return None


def resolve(runbook: Runbook, given: dict[str, str], environ: Mapping[str, str], console: Console,
            prompt: bool, ask_defaults: bool, known: dict[str, str] | None = None,
            lenient: bool = False, defer: frozenset[str] = frozenset(), given_by: str = "--var") -> dict[str, str]:
    """Every variable's value. `known` holds values carried over by --resume; names in `defer`
    are left out when they would be asked now (the session asks them when a command needs them).
    `given_by` names where `given` comes from in messages (`--var`, or a call's `with`).

    With `prompt` false (no terminal, or a dry run) defaults are taken and the missing required
    variables end the run with one line naming all of them.
    """
    values: dict[str, str] = {}
    missing: list[str] = []
    for variable in runbook.variables:
        name = variable.name
        for source, pool in ((given_by, given), ("the environment", environ), ("the resumed transcript", known or {})):
            if name in pool:
                why = problem(variable, pool[name])
                if why:
                    raise VariableError(f"{name} from {source} {why}")
                values[name] = pool[name]
                break
        else:
            if prompt and name in defer:
                continue
            if prompt and (ask_defaults or (variable.default is None and variable.required)):
                value = ask(console, variable)
                if value is not None:
                    values[name] = value
            elif variable.default is not None:
                values[name] = variable.default
            elif variable.required:
                missing.append(name)
    if missing and not lenient:  # a dry run shows the commands even without every value
        raise VariableError(
            f"missing required variable(s): {', '.join(missing)}; give them with --var NAME=VALUE or in the environment")
    return values


def used_by_commands(runbook: Runbook) -> frozenset[str]:
    """The runbook's variables that some step's `when`, command or rollback expands, or that a `uses` step
    passes in `with` (asked when the call starts, like a command's)."""
    from ..calls import references
    from ..shell import used_names

    names = {v.name for v in runbook.variables}
    expanded = {name for step in runbook.steps for command in (step.when, step.run, step.rollback) if command
                for name, _ in used_names(command)}
    passed = {ref for step in runbook.steps if step.uses for _, ref in references(step)}
    return frozenset((expanded | passed) & names)


def used_by_target(runbook: Runbook) -> frozenset[str]:
    """The runbook's variables that its `target` probes expand (they run before the first step)."""
    names = {v.name for v in runbook.variables}
    return frozenset(name for probe in runbook.target for name in used_by(probe.run, names))


def used_by(command: str, names: set[str]) -> set[str]:
    from ..shell import used_names

    return {name for name, _ in used_names(command)} & names


def ask(console: Console, variable: Variable, indent: str = "") -> str | None:
    hint = ""
    if variable.choices:
        hint = f" ({'/'.join(variable.choices)})"
    elif variable.example and variable.default is None:
        hint = f" (for example {variable.example})"
    default = f" [{variable.default}]" if variable.default is not None and not variable.secret else ""
    console.say(f"{indent}{console.style(variable.name, 'bold')}: {variable.description}")
    while True:
        label = f"{indent}  {variable.name}{hint}{default}: "
        value = console.ask_secret(label) if variable.secret else console.ask(label)
        if value == "":
            if variable.default is not None:
                return variable.default
            if not variable.required:
                return None
            console.warn(f"{indent}  {variable.name} is required.")
            continue
        why = problem(variable, value)
        if why is None:
            return value
        console.warn(f"{indent}  {variable.name} {why}; try again.")
