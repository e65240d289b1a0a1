"""`runbook lint`'s answer for an unchanged repository, kept in the project's `.runbook/` cache folder.

Re-linting files nobody touched is the common case (pre-commit, an editor's save hook, CI re-runs).
The key is made of what could change the answer: the content of every linted, referenced and rule
file (hashed: a rewrite within the file system's time resolution is still seen), the settings, the date (review staleness), the ShellCheck binary
and the project's own code and schemas (so an upgrade or an edit of the tool is never answered from an
old run). Only findings, the file count and notes are kept; callers that need the documents themselves
(the site, exec) do not use this cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

from ..findings import Finding

CACHE_FILE = "lint-cache.json"
_PACKAGE = Path(__file__).resolve().parent.parent


def _stamp(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"


def _code_stamps() -> list[str]:
    """The tool's own files: a changed rule or schema changes the answer."""
    stamps = []
    for folder, _, files in os.walk(_PACKAGE):
        stamps += [_stamp(Path(folder) / name) for name in files if name.endswith((".py", ".json"))]
    return sorted(stamps)


_HASH_LIMIT = 16 * 1024 * 1024


def _content(path: Path) -> str:
    try:
        info = path.stat()
        # A FIFO would block the read, and a huge file is refused by the loader anyway: those go by stamp.
        if not stat.S_ISREG(info.st_mode) or info.st_size > _HASH_LIMIT:
            return _stamp(path)
        return f"{path}:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    except OSError:
        return f"{path}:unreadable"


def key(files: list[Path], settings: str, today: dt.date, shellcheck: str | None) -> str:
    digest = hashlib.sha256()
    for part in (settings, today.isoformat(), str(shellcheck), *_code_stamps(), *sorted(_content(p) for p in files)):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()


def read(cache_dir: Path, wanted: str) -> tuple[list[Finding], int, list[str]] | None:
    try:
        saved = json.loads((cache_dir / CACHE_FILE).read_text(encoding="utf-8"))
        if saved.get("key") != wanted:
            return None
        return [Finding(**f) for f in saved["findings"]], int(saved["files"]), list(saved["notes"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no cache, or one this version cannot read: lint again


def write(cache_dir: Path, wanted: str, findings: list[Finding], files: int, notes: list[str]) -> None:
    """Best effort: a read-only checkout still lints, just without the shortcut next time."""
    data = {"key": wanted, "files": files, "notes": notes, "findings": [dataclasses.asdict(f) for f in findings]}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache_dir / f"{CACHE_FILE}.{os.getpid()}"
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(cache_dir / CACHE_FILE)
    except OSError:
        pass
