"""RB3xx: variables in commands (they are environment variables) and `<placeholders>` left in them."""

from __future__ import annotations

import re

from ...findings import register
from ...model import Runbook
from ...shell import assigned, is_standard, placeholders, used_names, variable_hint

UNDEFINED = register("RB301", "undefined-variable", "error", "A command uses a variable that is never set.",
                     "Commands read their values from the environment. A `$NAME` (or `${NAME}`, `${NAME:-x}`) must be declared under `variables`, "
                     "set earlier in the same command (`NAME=...`, `export`, `local`, `read`, `for NAME in`), captured by an earlier step "
                     "(`capture: NAME`), or be a standard variable such as HOME or PATH. Otherwise it expands to nothing when the command runs. "
                     "Text in single quotes and `\\$` is not expanded and not checked.")
UNUSED = register("RB302", "unused-variable", "warning", "A declared variable is used by no command.",
                  "Every variable under `variables` is asked for (or shown in the site's export block), so one that no `run` or `rollback` reads is noise. Remove it or use it.")
PLACEHOLDER = register("RB303", "leftover-placeholder", "error", "A command still contains a `<placeholder>`.",
                       "Text such as `<pod-name>` in a command is a placeholder to edit by hand; bash reads it as a redirection from a file named `pod-name`. "
                       "Declare a variable and use it: `<pod-name>` becomes `\"$POD_NAME\"`, declared under `variables` with a description.")

def check(ctx):
    for runbook in ctx.runbooks:
        yield from _runbook(ctx, runbook)


def _runbook(ctx, runbook: Runbook):
    declared = {v.name for v in runbook.variables}
    captured: set[str] = set()
    used: set[str] = set()
    for step in runbook.steps:
        for field, command, extra in (("run", step.run, set()), ("rollback", step.rollback, {step.capture} if step.capture else set())):
            if not command:
                continue
            own = None  # the command's own assignments, read only when a name is not known otherwise
            reported: set[str] = set()
            pointer = f"{step.pointer}/{field}"
            for name, offset in used_names(command):
                used.add(name)
                if name in declared or name in captured or name in extra or is_standard(name) or name in reported:
                    continue
                if own is None:
                    own = assigned(command)
                if name in own and own[name] < offset:
                    continue
                reported.add(name)
                hint = f"declare it under `variables`" if name.isupper() else "set it earlier in the command"
                close = _close(name, declared | captured)
                if close:
                    hint = f"did you mean {close!r}?"
                yield ctx.finding(UNDEFINED, runbook, pointer, f"${name} is not declared, set earlier or captured; {hint}", offset=offset)
            for placeholder in placeholders(command):
                hint = variable_hint(placeholder.name)
                yield ctx.finding(PLACEHOLDER, runbook, pointer, f"placeholder <{placeholder.name}> left in the command; "
                                  f"declare a variable and write {hint}", offset=placeholder.offset)
        if step.capture:
            captured.add(step.capture)
    for variable in runbook.variables:
        if variable.name not in used:
            yield ctx.finding(UNUSED, runbook, variable.pointer, f"variable {variable.name} is declared but no command uses it", key=True)


def _close(name: str, candidates: set[str]) -> str | None:
    upper = name.upper()
    for candidate in candidates:
        if candidate == upper or re.sub("_", "", candidate) == re.sub("_", "", upper):
            return candidate
    import difflib

    matches = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.8)
    return matches[0] if matches else None
