"""The transcript: JSON Lines, one event a line, each line flushed and fsynced as it happens.

Each line is written and flushed to the kernel before `write` returns (a `kill -9` cannot lose
it), and its fdatasync starts at once on a syncer thread: the disk flush (milliseconds each)
overlaps with the command the step runs instead of adding to it, and one flush covers every line
written while the previous one was in progress. `durable()` waits until every line so far is on
disk; the session calls it before a command that changes something, and `close` calls it.

A session killed with `kill -9` can leave a half-written last line; readers tolerate it (and
`--resume` cuts it off before appending) so the transcript stays usable after any crash.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from .. import clock
from ..errors import UserError
from .redact import Redactor

OUTPUT_CAP = 64 * 1024  # characters of step output kept in the transcript (head and tail)


class TranscriptError(UserError):
    """A file that is not a readable transcript; the message is one line for the user."""


def now() -> str:
    return clock.stamp()


def cap_output(text: str, cap: int = OUTPUT_CAP) -> tuple[str, bool]:
    """Keep the head and the tail (where errors usually are) and mark the cut in between."""
    if len(text) <= cap:
        return text, False
    half = cap // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n[... {cut} characters cut ...]\n{text[-half:]}", True


# fdatasync puts the line's data on disk without fsync's extra metadata flush; macOS has only fsync.
_sync = getattr(os, "fdatasync", os.fsync)


class TranscriptWriter:
    """Appends events. Every string passes through the redactor first: no secret reaches the disk."""

    def __init__(self, path: Path, redactor: Redactor):
        self.path = path
        self.redactor = redactor
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a", encoding="utf-8")
        self._changed = threading.Condition()
        self._written = self._synced = 0  # lines written, lines known to be on disk
        self._closing = False
        self._error: OSError | None = None
        self._syncer = threading.Thread(target=self._sync_loop, name="transcript-sync", daemon=True)
        self._syncer.start()

    def write(self, event: str, **fields: Any) -> dict:
        record = {"event": event, "time": now(), **fields}
        line = self.redactor.text(json.dumps(record, ensure_ascii=False))
        self._file.write(line + "\n")
        self._file.flush()
        with self._changed:
            self._written += 1
            self._changed.notify_all()
        return record

    def _sync_loop(self) -> None:
        fd = self._file.fileno()
        while True:
            with self._changed:
                while self._synced == self._written and not self._closing:
                    self._changed.wait()
                if self._synced == self._written:
                    return
                target = self._written
            try:
                _sync(fd)  # releases the GIL: the session goes on meanwhile
            except OSError as exc:
                self._error = exc
            with self._changed:
                self._synced = target
                self._changed.notify_all()

    def durable(self) -> None:
        """Return once every line written so far is on disk."""
        with self._changed:
            while self._synced < self._written:
                self._changed.wait()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        try:
            self.durable()
        finally:
            with self._changed:
                self._closing = True
                self._changed.notify_all()
            self._syncer.join()
            self._file.close()


def read_events(path: Path) -> tuple[list[dict], bool]:
    """The events of a transcript and whether its last line was cut short (a crash mid-write).

    Raises TranscriptError for a missing file, a corrupt line other than the last, or a file that
    does not start with a session.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(f"{path}: no such file") from None
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")
    events: list[dict] = []
    partial = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        last = number == len(lines) or all(not rest.strip() for rest in lines[number:])
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "event" not in record or "time" not in record:
                raise ValueError("not an event")
        except ValueError:
            if last and not text.endswith("\n"):
                partial = True  # the half line a kill -9 leaves behind
                continue
            raise TranscriptError("not a transcript line (expected one JSON event with `event` and `time`)",
                                  path=str(path), line=number) from None
        events.append(record)
    if not events or events[0]["event"] != "session-start":
        raise TranscriptError(f"{path}: not a runbook transcript (it does not start with a session-start event)")
    return events, partial


def drop_partial_line(path: Path) -> None:
    """Cut a half-written last line so that appended events start on a line of their own."""
    raw = path.read_bytes()
    if raw and not raw.endswith(b"\n"):
        end = raw.rfind(b"\n") + 1
        with open(path, "r+b") as handle:
            handle.truncate(end)
            handle.flush()
            os.fsync(handle.fileno())
