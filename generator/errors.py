"""The one exception for a user's mistake: library code raises it, the CLI prints it in one place.

A wrong setting, flag, name or file is not a bug: the user gets one line that says what is wrong and what
to do, never a traceback, and an exit code (2 unless the error says otherwise). With a line number it reads
`path:line:col: message`, as lint's findings do; otherwise `runbook: message` (or `runbook: path: message`).

The library's more specific errors (ConfigError, ResolveError, VariableError, TranscriptError, the importer's
UsageError) are kinds of UserError, so callers can tell them apart and the CLI needs to catch only this one.
"""

from __future__ import annotations

EXIT_USAGE = 2


class UserError(Exception):
    """A mistake the user can fix; `str()` is the message, `for_user()` the line the CLI prints."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None, col: int | None = None,
                 exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.exit_code = exit_code

    def for_user(self) -> str:
        if self.path is None:
            return f"runbook: {self.message}"
        if self.line is None:
            return f"runbook: {self.path}: {self.message}"
        where = f"{self.path}:{self.line}" + (f":{self.col}" if self.col is not None else "")
        return f"{where}: {self.message}"
