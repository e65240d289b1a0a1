"""A large lint on every core: the files are shared out among processes, the report is the serial one.

Each share of the files (the first is the parent process's own, the others are forked workers) is
loaded, validated and checked by every rule family in one process: the YAML node trees that place
findings never cross a pipe, only documents and findings do. Loading is most of a lint, so
the shares are dealt round-robin (file 0 to share 0, file 1 to share 1, ...), which evens out folders
of large and small files.

Cross-file rules need every document, so after loading each worker sends its documents (the typed
model, a fraction of the node trees' size) to the parent, which hands every worker the others' as
they came, without unpickling and pickling them again. The rules then see `ctx.documents` = their
share and `ctx.linted` = every linted document in the serial order (context.py).

ShellCheck runs once, in the parent, on the distinct commands of all shares (one cache, each command
checked once), in a thread while the rules run; each share then turns the comments on its own
commands into findings. Suppressions and settings work file by file, so each share applies them to
its findings. The parent merges the findings in `engine.report_order`: the same report as a serial
run, which tests/test_lint_parallel.py holds it to.

Workers are forked, so the imported modules, the settings and the loaded rule files come for free.
Where fork is missing, or other threads run (a fork copies their locks held), lint stays serial; so
does a small run, where starting a process and passing documents costs more than it saves.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import os
import pickle
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, ConfigError
from ..findings import Finding
from ..model import Document
from ..partial import PartialDocument
from ..project import Catalog, load_catalog
from . import engine, shellcheck

# Below this many files a lint stays in one process. Forking, passing the documents and merging cost
# some 20 ms; measured on the bench corpus with the other core busy, two processes broke even at about
# 100 runbooks (50: 55 vs 75 ms; 200: 163 vs 139 ms), so the second core is used from twice that.
PARALLEL_FROM = 200
WORKERS_VARIABLE = "RUNBOOK_LINT_WORKERS"  # a CI job sharing its machine may hold lint to fewer cores


def requested_workers(workers: int | None = None) -> int | None:
    """`workers` if given, else RUNBOOK_LINT_WORKERS (a usage error unless a whole number >= 1), else None."""
    text = os.environ.get(WORKERS_VARIABLE, "").strip()
    if workers is not None or not text:
        return workers
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{WORKERS_VARIABLE}={text!r}: give a whole number of processes, 1 or more")
    return int(text)


def worker_count(files: int, requested: int | None = None) -> int:
    """How many processes lint `files` files: `requested` (see requested_workers), else every core for a
    run of PARALLEL_FROM files or more; one where fork is missing or other threads run."""
    if requested is None:
        requested = _cores() if files >= PARALLEL_FROM else 1
    if requested <= 1 or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return max(1, min(requested, files))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's CPU set)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass
class Loaded:
    """What a share has after loading: its documents with each one's file index (for the serial
    order), and the distinct ShellCheck scripts of its commands."""

    valid: list[tuple[int, Document]] = field(default_factory=list)
    partial: list[tuple[int, PartialDocument]] = field(default_factory=list)
    reference_valid: list[tuple[int, Document]] = field(default_factory=list)
    reference_partial: list[tuple[int, PartialDocument]] = field(default_factory=list)
    scripts: set[str] = field(default_factory=set)


@dataclass
class Outcome:
    """A share's answer: its findings (suppressions and settings applied), the files it read and the
    load and schema findings by file index (for the catalog handed back to callers)."""

    findings: list[Finding]
    files: int
    load_findings: list[tuple[int, list[Finding]]]


# A worker's messages start with one of these bytes: a pickle follows, or the traceback of its failure.
_OK, _FAILED = b"O", b"F"


class LintWorkerError(RuntimeError):
    """A worker process failed or vanished: a bug or a killed process, not a user's mistake."""


class Share:
    """One process's part of a parallel lint: load, check, then finish with ShellCheck's comments."""

    def __init__(self, number: int, count: int, files: list[tuple[int, Path]], folder: list[tuple[int, Path]],
                 config: Config, today: dt.date, rule_files, context_fields: dict):
        self.number, self.count = number, count
        self.files, self.folder = files, folder
        self.config, self.today = config, today
        self.rule_files, self.context_fields = rule_files, context_fields
        self.catalog = Catalog()
        self.loaded = Loaded()
        self.load_findings: list[tuple[int, list[Finding]]] = []
        self.commands: list[shellcheck.Command] = []

    def load(self) -> Loaded:
        max_bytes = self.config.lint.max_file_size
        for index, path in self.files:
            one = load_catalog([path], max_bytes)
            self.catalog.sources += one.sources
            self.catalog.documents += one.documents
            self.catalog.partial += one.partial
            self.catalog.findings += one.findings
            self.loaded.valid += [(index, document) for document in one.documents]
            self.loaded.partial += [(index, partial) for partial in one.partial]
            if one.findings:
                self.load_findings.append((index, one.findings))
        for index, path in self.folder:
            one = load_catalog([path], max_bytes)
            self.loaded.reference_valid += [(index, document) for document in one.documents]
            self.loaded.reference_partial += [(index, partial) for partial in one.partial]
        if shellcheck.enabled(self.config.lint):
            self.commands = shellcheck.commands_of(engine.make_context(self.catalog, self.config, self.today))
            self.loaded.scripts = {command.script for command in self.commands}
        return self.loaded

    def check(self, shares: list[Loaded | None]) -> None:
        """The rules on this share, with every share's documents (this one's slot may be None)."""
        shares = [self.loaded if i == self.number else loaded for i, loaded in enumerate(shares)]
        valid = _in_order(s.valid for s in shares)
        partial = _in_order(s.partial for s in shares)
        reference = _in_order(s.reference_valid for s in shares) + [p.document for p in _in_order(s.reference_partial for s in shares)]
        # As in a serial run: the valid documents in file order, then the partial ones (Catalog.lintable).
        linted = valid + [p.document for p in partial]
        damage = {p.document.path: p.damage for p in partial}
        self.ctx = engine.make_context(self.catalog, self.config, self.today, reference, all_linted=linted, damage=damage,
                                       **self.context_fields)
        findings, texts, files = engine.rule_findings(self.ctx, self.catalog, self.config, self.rule_files)
        if self.number and self.rule_files is not None:
            # The rule files' own findings and suppressions belong to the first share; the others report
            # only about their runbooks (RB805), not each once more about the rule files.
            own = {source.path for source in self.catalog.sources}
            findings = [f for f in findings if f.path in own]
            texts = {path: text for path, text in texts.items() if path in own}
            files = len(self.catalog.sources)
        self.findings, self.texts, self.files_read = findings, texts, files

    def finish(self, comments: dict[str, list] | None, shellcheck_ran: bool) -> Outcome:
        findings = self.findings
        if comments is not None and self.commands:
            findings += shellcheck.to_findings(self.ctx, self.commands, comments)
        findings = engine.settle(findings, self.texts, self.catalog, self.config, shellcheck_ran)
        if not self.number:
            # This process goes on (the site uses the documents): its node trees go now, as in a serial
            # run. A worker exits without freeing anything, which spares it the 0.1 s of freeing them.
            engine.forget_positions(self.catalog)
        return Outcome(findings, self.files_read, self.load_findings)


def lint_files(files: list[Path], folder: list[Path], config: Config, today: dt.date, rule_files,
               workers: int, context_fields: dict | None = None) -> engine.LintResult:
    """Lint `files` (with `folder`'s documents for references) in `workers` processes, this one included.
    `context_fields`: other LintContext fields for every share (read before the fork, shared by it)."""
    import concurrent.futures  # here: a small, serial lint does without them
    import multiprocessing

    shares = [Share(number, workers, list(enumerate(files))[number::workers], list(enumerate(folder))[number::workers],
                    config, today, rule_files, context_fields or {}) for number in range(workers)]
    fork = multiprocessing.get_context("fork")
    connections, processes = [], []
    try:
        for share in shares[1:]:
            here, there = fork.Pipe()
            process = fork.Process(target=_work, args=(share, there), name=f"runbook-lint-{share.number}", daemon=True)
            process.start()
            there.close()
            connections.append(here)
            processes.append(process)
        own = shares[0].load()
        blobs = [_OK + pickle.dumps(own, pickle.HIGHEST_PROTOCOL)] + [_receive(connection) for connection in connections]
        # Each worker gets the others' documents as they came, before this process reads them itself:
        # the workers need not wait for that.
        for number, connection in enumerate(connections, 1):
            for other, blob in enumerate(blobs):
                if other != number:
                    connection.send_bytes(blob, 1)
        loaded: list[Loaded | None] = [None] + [pickle.loads(memoryview(blob)[1:]) for blob in blobs[1:]]
        scripts = set(own.scripts).union(*(value.scripts for value in loaded[1:]))
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            # ShellCheck's processes run while this process checks its share: the comments are needed
            # only at the end.
            checking = pool.submit(shellcheck.run, sorted(scripts), config.root / ".runbook") if scripts else None
            shares[0].check(loaded)
            comments, note = checking.result() if checking else (None, None)
        ran = note is None
        for number, connection in enumerate(connections, 1):
            mine = None if comments is None else {script: comments[script] for script in loaded[number].scripts}
            connection.send((mine, ran))
        outcomes = [shares[0].finish(comments, ran)] + [pickle.loads(memoryview(_receive(connection))[1:]) for connection in connections]
    finally:
        for connection in connections:
            connection.close()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
    findings = [finding for outcome in outcomes for finding in outcome.findings]
    findings.sort(key=engine.report_order)
    shares_loaded = [own, *loaded[1:]]
    # The sources and their node trees stay in the workers: the catalog carries the documents (the site
    # builds its pages from them) and the load and schema findings.
    catalog = Catalog(documents=_in_order(share.valid for share in shares_loaded),
                      partial=_in_order(share.partial for share in shares_loaded),
                      findings=[f for found in _in_order(outcome.load_findings for outcome in outcomes) for f in found])
    return engine.LintResult(findings, sum(outcome.files for outcome in outcomes), catalog, [note] if note else [])


def _in_order(lists) -> list:
    """The items of several lists of (file index, item), in file order: the order of a serial run."""
    return [item for _, item in sorted(itertools.chain.from_iterable(lists), key=operator.itemgetter(0))]


def _work(share: Share, connection) -> None:
    """A worker process: load and send the documents; take the others'; check; take ShellCheck's
    comments; send the findings."""
    try:
        connection.send_bytes(_OK + pickle.dumps(share.load(), pickle.HIGHEST_PROTOCOL))
        shares = [None if number == share.number else pickle.loads(connection.recv_bytes()) for number in range(share.count)]
        share.check(shares)
        comments, ran = connection.recv()
        connection.send_bytes(_OK + pickle.dumps(share.finish(comments, ran), pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            connection.send_bytes(_FAILED + traceback.format_exc().encode("utf-8", "replace"))
        except OSError:
            pass
    finally:
        connection.close()


def _receive(connection) -> bytes:
    """A worker's next message: `_OK` and a pickle (returned as it came), or its failure, raised here."""
    try:
        blob = connection.recv_bytes()
    except EOFError:
        raise LintWorkerError("a lint worker process stopped before it answered") from None
    if blob[:1] != _OK:
        raise LintWorkerError(f"a lint worker process failed:\n{blob[1:].decode('utf-8', 'replace')}")
    return blob
