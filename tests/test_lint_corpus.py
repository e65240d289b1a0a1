"""The example corpora: every negative file gives exactly the findings in its `# expect:` line, every positive file none.

Each corpus is copied into a project of its own (a pyproject.toml whose runbooks folder is the copy), so the
shipped runbooks never leak into the expectations.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

CORPUS = Path(__file__).parent / "corpus"
PYPROJECT = """
[tool.runbook]
runbooks = "corpus"
[tool.runbook.lint]
destructive-patterns = ["\\\\bnuke-cluster\\\\b"]
ignore = ["SC"]  # the corpora show the RB rules' edge cases (unquoted on purpose); ShellCheck: tests/test_shellcheck.py
"""


def lint_folder(tmp_path: Path, monkeypatch, name: str) -> tuple[int, dict[str, Counter]]:
    shutil.copytree(CORPUS / name, tmp_path / "corpus")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint", "--format", "json", "--today", "2026-06-01"])
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    found: dict[str, Counter] = {}
    for finding in report["findings"]:
        found.setdefault(Path(finding["path"]).stem, Counter())[f"{finding['code']}@{finding['line']}"] += 1
    return result.exit_code, found


def expected(path: Path) -> Counter:
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    assert first.startswith("# expect:"), f"{path.name} needs a `# expect: CODE@LINE ...` first line"
    return Counter(first.removeprefix("# expect:").split())


@pytest.fixture(scope="module")
def negative(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    try:
        return lint_folder(tmp_path_factory.mktemp("negative"), monkeypatch, "negative")
    finally:
        monkeypatch.undo()


NEGATIVE = sorted(p for p in (CORPUS / "negative").glob("*.yaml"))


@pytest.mark.parametrize("path", NEGATIVE, ids=[p.stem for p in NEGATIVE])
def test_negative_file_gives_its_expected_findings(negative, path):
    exit_code, found = negative
    assert exit_code == 1
    assert found.get(path.stem, Counter()) == expected(path)


def test_every_rule_has_a_negative_example():
    from generator.codes import RULES

    covered = {code.split("@")[0] for path in NEGATIVE for code in expected(path)}
    # Loader codes that need bytes a text corpus cannot hold are covered in test_cli_lint.py.
    # RB7xx are `runbook import` findings about Markdown (tests/test_import.py); RB8xx are about alert
    # rule files and SCxxxx come from ShellCheck (tests/test_alerts.py, tests/test_shellcheck.py).
    lint_codes = {code for code in RULES if not code.startswith(("RB7", "RB8", "SC"))}
    # RB503 needs transcripts and a drill-interval setting (tests/test_history.py).
    missing = lint_codes - covered - {"RB012", "RB013", "RB014", "RB015", "RB016", "RB101", "RB503"}
    assert not missing


def test_positive_corpus_is_clean(tmp_path, monkeypatch):
    exit_code, found = lint_folder(tmp_path, monkeypatch, "positive")
    assert found == {}
    assert exit_code == 0
