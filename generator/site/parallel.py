"""Both cores for MkDocs' page writing in `runbook build`.

MkDocs builds pages one after the other: Markdown to HTML for every page, then every page through the
theme's templates (Material's base.html and navigation) to disk. The second loop is about half of a
build. Once the first has run (every page's HTML, title and table of contents known, the plugins' state
complete), `PageSplit.fork` starts one process per further core with a copy of that state; each writes
its share of the pages (every n-th) with MkDocs' own `_build_page`, and the parent skips those pages by
giving them an empty template (MkDocs writes nothing for empty output). The parent still runs every
page's `on_page_context`, so that collectors such as Material's search index see all pages.

Not used under `runbook serve` (a rebuild there writes a handful of pages), on one core, or when the
machine's other work already keeps its cores busy (load average): then a second writer only waits its
turn, and the copy of the parent's memory costs more than it brings (bench/site_bench.py --one-core-too).
"""

from __future__ import annotations

import logging
import os
import sys

SKIP_TEMPLATE = "runbooks-built-by-another-process.html"
WORKERS_VARIABLE = "RUNBOOK_SITE_WORKERS"


class PageSplit:
    def __init__(self, workers: int):
        self.workers = workers
        self.worker = 0  # 0: the parent; k: the k-th child
        self.share: dict[str, int] = {}  # page src_uri -> the process that writes it
        self.children: list[int] = []

    @staticmethod
    def cores() -> int:
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1

    @classmethod
    def workers_wanted(cls) -> int:
        """RUNBOOK_SITE_WORKERS when set (tests and benchmarks), else the idle cores."""
        wanted = os.environ.get(WORKERS_VARIABLE, "")
        return max(1, int(wanted)) if wanted.isdigit() else cls.idle_cores()

    @classmethod
    def idle_cores(cls) -> int:
        """The cores that no other work keeps busy (cores less the last minute's load average), at least 1."""
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):
            load = 0.0
        return max(1, min(cls.cores(), int(cls.cores() - load + 0.5)))

    def fork(self, env, config, files, nav) -> None:
        """Start the children (call when every page is read and the theme's environment is final)."""
        from jinja2 import ChoiceLoader, DictLoader
        from mkdocs.commands.build import _build_page

        env.loader = ChoiceLoader([DictLoader({SKIP_TEMPLATE: ""}), env.loader])
        doc_files = files.documentation_pages()
        self.share = {file.src_uri: index % self.workers for index, file in enumerate(doc_files)}
        sys.stdout.flush()
        sys.stderr.flush()
        for worker in range(1, self.workers):
            pid = os.fork()
            if pid == 0:  # the child: its pages, then out without the parent's exit handlers
                self.worker = worker
                counter = _WarningCounter()
                logging.getLogger("mkdocs").addHandler(counter)
                status = 0
                try:
                    for file in doc_files:
                        if self.share[file.src_uri] == worker:
                            _build_page(file.page, config, doc_files, nav, env, excluded=file.inclusion.is_excluded())
                except BaseException:  # noqa: BLE001 - report it, then tell the parent
                    logging.getLogger("mkdocs").exception("writing pages failed")
                    status = 1
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status or (3 if counter.count else 0))
            self.children.append(pid)

    def skip(self, page) -> None:
        """In `on_page_context`: a page another process writes gets the empty template here."""
        if self.share and self.share.get(page.file.src_uri, self.worker) != self.worker:
            page.meta["template"] = SKIP_TEMPLATE

    def wait(self) -> tuple[bool, bool]:
        """(every child wrote its pages, some child logged a warning)."""
        ok, warned = True, False
        for pid in self.children:
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            ok = ok and code in (0, 3)
            warned = warned or code == 3
        self.children = []
        self.share = {}
        return ok, warned


class _WarningCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1
