"""Run history: the runs and drills recorded in the transcripts folder.

`runbook history`, the site's freshness panel and lint's drill interval (RB503) all read it through
`read_history`. Each transcript is read once, and only the lines that tell the story of a session are
parsed: `session-start`, `session-resume`, `step-end` and `session-end` (every line starts with
`{"event": "NAME"`, as the writer dumps it, so the others are recognised by their first bytes without
decoding the command output they carry). The cost grows with the number and size of the transcripts,
and nothing else.

A file that is not a transcript, or is corrupt before its last line, becomes one `Unreadable` entry with
a one-line message; the other files are read as usual. A last line cut short by a crash is tolerated (the
session then counts as unfinished), as `runbook transcript` and `--resume` tolerate it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .execute.timeline import FAILED

TRANSCRIPT_SUFFIX = ".jsonl"
# The events history needs; `step-start`, `step-attempt`, `target-check`, `variables` and `rollback` are skipped.
_WANTED = ("session-start", "session-resume", "step-end", "session-end")
_PREFIXES = tuple(f'{{"event": "{name}"'.encode() for name in _WANTED)
_ANY_EVENT = b'{"event": "'
_NOT_A_TRANSCRIPT = "not a runbook transcript (it does not start with a session-start event)"

OUTCOMES = ("completed", "failed", "aborted", "unfinished")


@dataclass(frozen=True)
class Run:
    """One session of a runbook (a resumed session included), as its transcript records it."""

    transcript: Path
    runbook: str
    started: dt.datetime  # the session-start event's time (UTC)
    ended: dt.datetime  # the last event's time
    user: str
    host: str
    kind: str  # run or drill
    outcome: str  # completed, failed, aborted, or unfinished (no session-end after the last start or resume)
    failed_steps: tuple[str, ...]  # steps whose last result was failed, timed-out or interrupted, in order
    reason: str = ""  # the session-end's reason, when it gave one

    @property
    def who(self) -> str:
        return f"{self.user}@{self.host}"

    @property
    def succeeded(self) -> bool:
        """Ran to the end with no step failing: what counts as a good run or drill for freshness (RB503)."""
        return self.outcome == "completed" and not self.failed_steps

    @property
    def drill(self) -> bool:
        return self.kind == "drill"

    def as_json(self) -> dict:
        return {"runbook": self.runbook, "kind": self.kind, "started": _stamp(self.started), "ended": _stamp(self.ended),
                "user": self.user, "host": self.host, "outcome": self.outcome, "reason": self.reason or None,
                "failed_steps": list(self.failed_steps), "transcript": str(self.transcript)}


@dataclass(frozen=True)
class Unreadable:
    """A file in the transcripts folder that could not be read as a transcript."""

    path: Path
    message: str
    line: int | None = None

    def as_json(self) -> dict:
        return {"path": str(self.path), "line": self.line, "message": self.message}


@dataclass
class RunHistory:
    runs: list[Run] = field(default_factory=list)  # newest first
    unreadable: list[Unreadable] = field(default_factory=list)
    _by_runbook: dict[str, list[Run]] | None = field(default=None, repr=False)

    def of(self, runbook_id: str) -> list[Run]:
        """The runbook's runs and drills, newest first (one pass over all runs, then a lookup)."""
        if self._by_runbook is None:
            grouped: dict[str, list[Run]] = {}
            for run in self.runs:
                grouped.setdefault(run.runbook, []).append(run)
            self._by_runbook = grouped
        return self._by_runbook.get(runbook_id, [])

    def last(self, runbook_id: str, kind: str | None = None) -> Run | None:
        return next((r for r in self.of(runbook_id) if kind is None or r.kind == kind), None)

    def last_success(self, runbook_id: str) -> Run | None:
        return next((r for r in self.of(runbook_id) if r.succeeded), None)


class _Broken(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def transcript_files(folder: Path) -> list[Path]:
    """The `*.jsonl` files directly in the transcripts folder (where `runbook exec` writes them), sorted."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(Path(e.path) for e in entries if e.name.endswith(TRANSCRIPT_SUFFIX) and e.is_file())


def read_history(folder: Path) -> RunHistory:
    """Every run and drill recorded in `folder`; a missing folder is an empty history."""
    history = RunHistory()
    for path in transcript_files(folder):
        try:
            history.runs.append(read_run(path))
        except _Broken as exc:
            history.unreadable.append(Unreadable(path, exc.message, exc.line))
    history.runs.sort(key=lambda r: (r.started, str(r.transcript)), reverse=True)
    return history


def history_stamp(folder: Path) -> str:
    """What changes when a transcript is written (names, sizes, modification times), for lint's result cache:
    transcripts only grow, so a new event always changes the size."""
    parts = []
    for path in transcript_files(folder):
        try:
            info = path.stat()
        except OSError:
            continue
        parts.append(f"{path.name}:{info.st_size}:{info.st_mtime_ns}")
    return "|".join(parts)


def read_run(path: Path) -> Run:
    """One transcript as a Run; raises _Broken with a one-line message (and the line) when it is not one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _Broken(f"cannot read: {exc.strerror}") from None
    lines = raw.split(b"\n")
    # The last non-empty line, when the file does not end with a newline, may be half written (a crash).
    last = len(lines)
    while last > 0 and not lines[last - 1].strip():
        last -= 1
    cut_short = not raw.endswith(b"\n")
    start = None
    kind = "run"
    ended_at = None
    ended_raw = None  # the last line when it is an event history skips: its time is parsed at the end
    session_open = False
    outcome, reason = "unfinished", ""
    final: dict[str, str] = {}  # step -> its last step-end status, in first-seen order
    for number, line in enumerate(lines[:last], 1):
        if not line.strip():
            continue
        if start is not None and line.startswith(_ANY_EVENT) and not line.startswith(_PREFIXES):
            ended_raw = line
            continue
        try:
            event = json.loads(line)
            moment = _time(event["time"])
            name = event["event"]
        except (ValueError, KeyError, TypeError):
            if number == last and cut_short:  # the half line a crash leaves behind
                if start is None:
                    raise _Broken("its first event is cut short (the session stopped while writing it); nothing "
                                  "was recorded") from None
                break
            if start is None:
                raise _Broken(_NOT_A_TRANSCRIPT) from None
            raise _Broken("not a transcript line (expected one JSON event with `event` and `time`)", number) from None
        ended_at, ended_raw = moment, None
        if start is None:
            if name != "session-start":
                raise _Broken(_NOT_A_TRANSCRIPT)
            start, started = event, moment
            kind = "drill" if event.get("drill") is True else "run"
            session_open = True
        elif name == "session-resume":
            session_open = True
        elif name == "step-end":
            step = str(event.get("step", ""))
            final.pop(step, None)  # a step run again (a resumed session) keeps the place of its last result
            final[step] = str(event.get("status", ""))
        elif name == "session-end":
            session_open = False
            outcome, reason = str(event.get("status") or "unfinished"), str(event.get("reason") or "")
    if start is None:
        raise _Broken(_NOT_A_TRANSCRIPT)
    if session_open:
        outcome, reason = "unfinished", ""
    if ended_raw is not None:
        ended_at = _raw_time(ended_raw) or ended_at
    return Run(transcript=path, runbook=str(start.get("runbook") or ""), started=started, ended=ended_at,
               user=str(start.get("user") or "?"), host=str(start.get("host") or "?"), kind=kind,
               outcome=outcome if outcome in OUTCOMES else "unfinished",
               failed_steps=tuple(step for step, status in final.items() if status in FAILED), reason=reason)


def _raw_time(line: bytes) -> dt.datetime | None:
    """The time of an event that history does not otherwise read (the file's last line)."""
    try:
        return _time(json.loads(line)["time"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _time(text) -> dt.datetime:
    if not isinstance(text, str):
        raise ValueError("time is not a string")
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
