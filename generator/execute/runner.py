"""One command in `bash`, in a process group of its own, with live output, a timeout and Ctrl-C.

The command runs in its own process group so that (1) a timeout or Ctrl-C can end everything it
started (`sleep 300 &` included) with one `killpg`, and (2) the terminal's Ctrl-C reaches this
process, not the command: the session decides what an interruption means (retry, skip or quit).
Variables reach bash through its environment only; the command text is passed as it is.
"""

from __future__ import annotations

import codecs
import os
import selectors
import signal
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Callable

from .redact import Redactor

MEMORY_CAP = 1024 * 1024  # characters of output kept for `expect` and `capture`
GRACE = 1.0  # seconds to let a signalled group exit before the next, harsher signal
DRAIN = 1.0  # seconds to read what background children still write after bash has exited


@dataclass
class Result:
    status: str  # "exited", "timed-out" or "interrupted"
    exit_code: int | None
    output: str  # stdout and stderr interleaved as they arrived (raw, capped)
    stdout: str
    duration: float
    cut: bool = False


class _Buffer:
    """Keeps the head and the tail of a stream when it grows past the cap."""

    def __init__(self, cap: int = MEMORY_CAP):
        self.cap, self.head, self.tail, self.cut = cap, [], "", False
        self.size = 0

    def add(self, text: str) -> None:
        if self.size < self.cap // 2:
            room = self.cap // 2 - self.size
            self.head.append(text[:room])
            self.size += len(text[:room])
            text = text[room:]
        if text:
            self.tail = (self.tail + text)[-(self.cap // 2):]
            self.cut = self.cut or len(self.tail) + len(text) > self.cap // 2

    def value(self) -> str:
        head = "".join(self.head)
        return f"{head}\n[... output cut ...]\n{self.tail}" if self.cut else head + self.tail


BASH = shutil.which("bash") or "/bin/bash"


class _Process:
    """A bash started with posix_spawn (vfork-fast, no Python code in the child) in a new process group."""

    def __init__(self, command: str, env: dict[str, str]):
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        null = os.open(os.devnull, os.O_RDONLY)
        try:
            # Our pipe ends are close-on-exec (Python's default), so bash inherits only 0, 1 and 2.
            self.pid = os.posix_spawn(BASH, ["bash", "-c", command], env, setpgroup=0, file_actions=[
                (os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)])
        except BaseException:
            os.close(out_r)
            os.close(err_r)
            raise
        finally:
            os.close(null)
            os.close(out_w)
            os.close(err_w)
        self.stdout, self.stderr = out_r, err_r
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None:
            if self.returncode is None:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(["bash"], timeout)
            time.sleep(0.005)
        return self.returncode


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def end_group(proc: _Process, first: int = signal.SIGTERM) -> None:
    """Signal the whole group, then SIGTERM, then SIGKILL whatever is left: nothing survives."""
    pgid = proc.pid
    for sig in (first, signal.SIGTERM, signal.SIGKILL):
        if not _signal_group(pgid, sig):
            break
        deadline = time.monotonic() + GRACE
        while time.monotonic() < deadline:
            try:
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
            except KeyboardInterrupt:  # a second Ctrl-C: go straight to SIGKILL
                break
            # bash is reaped; the group may still have children
            if not _signal_group(pgid, 0):
                return
            time.sleep(0.02)
        if sig == signal.SIGKILL:
            break
    _signal_group(pgid, signal.SIGKILL)
    proc.wait()


def run(command: str, env: dict[str, str], timeout: int | None, redactor_factory: Callable[[], Redactor],
        sink: Callable[[str], None]) -> Result:
    """Run `command` and stream its (redacted) output to `sink` as it arrives."""
    start = time.monotonic()
    proc = _Process(command, env)
    combined, stdout = _Buffer(), _Buffer()
    # One redactor for both streams, fed in arrival order (the order the screen shows them): a secret
    # printed half to stdout and half to stderr is whole in the merged text, and masked there. With one
    # redactor per stream, each half alone matched nothing and the screen showed the secret in pieces.
    redactor = redactor_factory()
    decoders = {}
    selector = selectors.DefaultSelector()
    for fd in (proc.stdout, proc.stderr):
        os.set_blocking(fd, False)
        decoders[fd] = codecs.getincrementaldecoder("utf-8")(errors="replace")
        selector.register(fd, selectors.EVENT_READ)

    def take(fd: int, data: bytes, final: bool = False) -> None:
        text = decoders[fd].decode(data, final)
        combined.add(text)
        if fd == proc.stdout:
            stdout.add(text)
        shown = redactor.feed(text)
        if shown:
            sink(shown)

    def read_ready(wait: float | None) -> None:
        for key, _ in selector.select(wait):
            fd = key.fd
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if data:
                take(fd, data)
            else:
                take(fd, b"", final=True)
                selector.unregister(fd)

    status = "exited"
    deadline = start + timeout if timeout else None
    exited_at = None
    try:
        while selector.get_map():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                status = "timed-out"
                end_group(proc)
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > DRAIN:
                break  # a background child keeps the pipe open; the step itself is over
            waits = [w for w in (deadline - now if deadline else None, 0.2 if exited_at is None else DRAIN) if w is not None]
            read_ready(min(waits))
    except KeyboardInterrupt:
        status = "interrupted"
        sink("\n")
        end_group(proc, signal.SIGINT)
    # Whatever is already in the pipes still belongs to the output.
    for fd in list(selector.get_map()):
        try:
            while data := os.read(fd, 65536):
                take(fd, data)
        except (BlockingIOError, OSError):
            pass
        take(fd, b"", final=True)
        selector.unregister(fd)
    selector.close()
    # The held-back tail (the start of a secret, maybe) is released only once both streams are done:
    # the other stream could still have brought the rest of it.
    if rest := redactor.flush():
        sink(rest)
    os.close(proc.stdout)
    os.close(proc.stderr)
    exit_code = proc.wait() if status == "exited" else proc.poll()
    duration = time.monotonic() - start
    return Result(status, exit_code, combined.value(), stdout.value(), duration, combined.cut)


def run_on_terminal(command: str, env: dict[str, str], timeout: int | None) -> Result:
    """An interactive command (`psql`, an editor, `kubectl exec -it`): it gets our terminal as it is.

    It stays in our process group, so it is the terminal's foreground job and can read from it, and
    Ctrl-C reaches it (psql cancels its query and goes on); meanwhile this process ignores Ctrl-C, and
    the command starts with the default disposition. Its output goes straight to the terminal: none
    is captured.
    """
    start = time.monotonic()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pid = os.posix_spawn(BASH, ["bash", "-c", command], env, setsigdef=(signal.SIGINT, signal.SIGQUIT))
        deadline = start + timeout if timeout else None
        status, exit_code = "exited", None
        while True:
            done, wait_status = os.waitpid(pid, os.WNOHANG if deadline else 0)
            if done:
                exit_code = os.waitstatus_to_exitcode(wait_status)
                break
            if time.monotonic() >= deadline:
                status = "timed-out"
                os.kill(pid, signal.SIGTERM)
                time.sleep(GRACE)
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                break
            time.sleep(0.05)
    finally:
        signal.signal(signal.SIGINT, previous)
    return Result(status, exit_code, "", "", time.monotonic() - start)
