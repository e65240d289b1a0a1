"""Shell syntax through `bash -n`, batched: one bash process for every command of a lint run.

Identical commands are checked once. All of them are written into one script, each wrapped in its own
function so that they cannot run into each other; only when that script fails is it split in halves
(bisection), and a command that fails on its own is reported with bash's message. `bash -n` reads and
parses, it never executes anything.
"""

from __future__ import annotations

import re
import shutil
import subprocess

_LINE = re.compile(r"^(?:bash: )?(?:line (\d+): )?(.*)$")


def _bash_n(script: str) -> tuple[bool, str]:
    result = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, check=False)
    return result.returncode == 0, result.stderr


def _wrapped(commands: list[str]) -> str:
    # A newline before `}` keeps a trailing comment or a heredoc terminator from swallowing it.
    return "".join(f"__runbook_lint_{i}() {{\n{command}\n}}\n" for i, command in enumerate(commands))


def _failing(commands: list[str]) -> list[str]:
    """Commands that may fail, found by bisecting batches that fail as a whole."""
    if not commands:
        return []
    ok, _ = _bash_n(_wrapped(commands))
    if ok:
        return []
    if len(commands) == 1:
        return commands
    middle = len(commands) // 2
    return _failing(commands[:middle]) + _failing(commands[middle:])


def _message(stderr: str) -> tuple[str, int]:
    for raw in stderr.splitlines():
        match = _LINE.match(raw.strip())
        if match and match.group(2):
            return match.group(2), int(match.group(1) or 1)
    return "syntax error", 1


def syntax_errors(commands: list[str]) -> list[tuple[int, tuple[str, int]]]:
    """For each command (by index) that bash rejects: (index, (bash's message, line in the command))."""
    if not commands or shutil.which("bash") is None:
        return []
    unique = list(dict.fromkeys(commands))
    errors: dict[str, tuple[str, int]] = {}
    for command in _failing(unique):
        ok, stderr = _bash_n(command + "\n")  # alone, unwrapped: the verdict and the line number
        if not ok:
            errors[command] = _message(stderr)
    return [(index, errors[command]) for index, command in enumerate(commands) if command in errors]
