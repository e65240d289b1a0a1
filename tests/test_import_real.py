"""`runbook import` on real runbooks other teams wrote (../shared/data/real/markdown: prometheus-operator,
OpenShift, KubeVirt), then `runbook lint` on what it wrote, both as a person runs them (real processes).

The promise of issue 16: every file imports (exit 0, no traceback), and lint finds no error in the result
except the two a person must settle: RB403 (a destructive step's confirm text is still the importer's
TODO) and RB405 (the source itself has a password pasted in). A larger hidden corpus is judged the same way,
so the importer fixes classes of problems; tests/import_fixtures/ covers each class without ../shared.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import CLI

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "real" / "markdown"
ALLOWED = {"RB403", "RB405"}


def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (a clone without ../shared); the real-runbook corpus is not available")
    return CORPUS


def runbook(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=cwd, env={**os.environ, "NO_COLOR": "1"}, text=True, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=600)


def test_every_shared_markdown_runbook_imports_and_lints_without_an_importer_error(tmp_path):
    source = corpus()
    files = sorted(p for p in source.rglob("*.md") if p.is_file())
    imported = runbook("import", str(source), "-o", str(tmp_path / "runbooks"), cwd=tmp_path)
    assert "Traceback" not in imported.stderr + imported.stdout
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert f"imported {len(files)} of {len(files)} file(s)" in imported.stderr + imported.stdout
    written = sorted((tmp_path / "runbooks").rglob("*.yaml"))
    assert len(written) == len(files)
    first_lines = {path.read_text(encoding="utf-8").split("\n", 1)[0] for path in written}
    assert all("file://" not in line for line in first_lines), first_lines

    linted = runbook("lint", "runbooks", "--format", "json", cwd=tmp_path)
    assert "Traceback" not in linted.stderr and linted.returncode in (0, 1), linted.stderr[-3000:]
    findings = json.loads(linted.stdout)["findings"]
    errors = [f for f in findings if f["severity"] == "error" and f["code"] not in ALLOWED]
    summary = collections.Counter(f["code"] for f in errors)
    shown = "\n".join(f"{f['path']}:{f['line']}: {f['code']} {f['message']}" for f in errors[:20])
    assert not errors, f"{summary}\n{shown}"
