"""`runbook serve` brings the navigation of the other pages up to date between rebuilds, in another process.

An edit that moves a runbook in the navigation (a new title, another team) changes the navigation of
every page of its section, and a new section (a new team) that of every page of its folder: hundreds of
pages whose own text did not change. The rebuild of the edit writes the pages whose text changed, so the
edit shows at once (see live.py); `CatchUp` then writes the pages whose navigation alone is behind in a
forked copy of the server, with MkDocs' own page functions and the state of the build that just ended,
while the server waits for the next save. The next rebuild stops it first (after the page it is writing,
each written whole with a rename) and learns which pages it wrote; the rest wait for the next catch-up.

So a save never waits for navigation work: following builds of NAV_STEP pages each (where there is no
`os.fork`) made a save that came meanwhile wait up to two seconds at 500 runbooks.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
import time

STOP_GRACE = 5.0  # seconds a stopped catch-up gets to finish its page before it is killed
HEAD_START = 0.5  # seconds the browsers get to reload the edited page before the catch-up begins


class CatchUp:
    def __init__(self):
        self.pid: int | None = None
        self._reports: str | None = None  # the file in which the child names each page it wrote
        self._written: list[str] = []  # the pages written by the processes ended since the last `stop`

    @staticmethod
    def available() -> bool:
        return hasattr(os, "fork")

    def start(self, uris: list[str], config, files, nav, env) -> None:
        """Write the pages `uris` (src_uri) in a forked process; call at the end of a build (its state
        complete), after `stop`."""
        self._end(stop=True)
        if not uris:
            return
        # The child names each page it wrote in this file (a pipe could fill up while nobody reads it).
        handle, self._reports = tempfile.mkstemp(prefix="runbook-serve-caught-up-")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: the pages, then out without the parent's exit handlers
            status = 0
            try:
                _write_pages(uris, config, files, nav, env, handle)
            except BaseException:  # noqa: BLE001 - say so; the pages not reported are caught up later
                logging.getLogger("mkdocs").exception("bringing the navigation of other pages up to date failed")
                status = 1
            os._exit(status)
        os.close(handle)
        self.pid = pid

    def stop(self) -> list[str]:
        """Stop the process (it finishes the page it is writing) and return the pages written since the
        last `stop`."""
        self._end(stop=True)
        written, self._written = self._written, []
        return written

    def wait(self) -> list[str]:
        """Let the process write all its pages, then return them (`stop` returns them too)."""
        return self._end(stop=False)

    def _end(self, stop: bool) -> list[str]:
        if self.pid is None:
            return []
        pid, self.pid = self.pid, None
        try:
            if stop:
                os.kill(pid, signal.SIGTERM)  # not reaped yet, so the pid is still this child's
                deadline = time.monotonic() + STOP_GRACE
                while os.waitpid(pid, os.WNOHANG) == (0, 0):
                    if time.monotonic() > deadline:  # stuck: the pages it did not name are caught up later
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                        break
                    time.sleep(0.002)
            else:
                os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError):  # reaped already (a SIGCHLD handler): it has ended
            pass
        with open(self._reports, encoding="utf-8") as f:
            written = f.read().splitlines()
        os.unlink(self._reports)
        self._reports = None
        self._written += written
        return written


def _write_pages(uris: list[str], config, files, nav, env, report: int) -> None:
    from mkdocs import utils
    from mkdocs.commands.build import _build_page, _populate_page
    from mkdocs.structure.files import InclusionLevel

    stopping = []
    for stop in (signal.SIGTERM, signal.SIGINT):  # Ctrl-C in the terminal reaches this process too
        signal.signal(stop, lambda signum, frame: stopping.append(signum))
    # Behind the browsers that reload the edited page now (they start when the build ends), and the next
    # rebuild: a lower priority, and a head start for the reload.
    os.nice(10)
    head_start = time.monotonic() + HEAD_START
    while time.monotonic() < head_start and not stopping:
        time.sleep(0.01)
    # The pages' warnings were reported when their text was last built; only their navigation changed.
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    utils.write_file = _write_whole  # this process's copy only: a stopped catch-up leaves no half page
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    for uri in uris:
        if stopping:
            break
        file = files.get_file_from_path(uri)
        if file is None or file.page is None:
            continue
        _populate_page(file.page, config, files)
        _build_page(file.page, config, doc_files, nav, env, excluded=file.inclusion.is_excluded())
        os.write(report, f"{uri}\n".encode())


def _write_whole(content: bytes, output_path: str) -> None:
    """mkdocs.utils.write_file, by a rename: the page on disk is the old one or the new one, never a part."""
    folder = os.path.dirname(output_path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    temporary = f"{output_path}.{os.getpid()}.part"
    with open(temporary, "wb") as f:
        f.write(content)
    os.replace(temporary, output_path)
