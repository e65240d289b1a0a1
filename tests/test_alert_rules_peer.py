"""Rule files read the way Prometheus reads them: `promtool check rules` is the peer.

On every rule file promtool accepts (PrometheusRule objects unpacked to their `groups` first), lint reports no
error about the file's structure (the loader's RB0xx and RB801). Run on the fixtures in tests/alert_rules/ (one
per class of difference from our strict YAML) and on the shared real rule files when ../shared is there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, Project
from generator.alerting.rules import RULE_SUFFIXES, load_rule_files, rule_file_paths
from generator.config import load_config

FIXTURES = Path(__file__).parent / "alert_rules"
SHARED_RULES = REPO.parent / "shared" / "data" / "real" / "alert-rules"


def structural(findings) -> list:
    return [f for f in findings if f.code.startswith("RB0") or f.code == "RB801"]


class _NoDuplicateKeys(yaml.SafeLoader):
    """Kubernetes refuses a manifest with a key twice, so the unpacked groups must not hide one."""

    def construct_mapping(self, node, deep=False):
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value != "<<"]
        if len(keys) != len(set(keys)):
            raise yaml.constructor.ConstructorError(None, None, "duplicate key", node.start_mark)
        return super().construct_mapping(node, deep)


def promtool(path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`promtool check rules` on a rule file, or on the groups of the PrometheusRule objects in a manifest."""
    try:
        documents = list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=_NoDuplicateKeys))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return subprocess.CompletedProcess([], 1, "", f"not YAML: {exc}")
    objects = [d for d in documents if isinstance(d, dict) and d.get("kind") == "PrometheusRule"]
    target = path
    if objects:
        groups = [g for d in objects for g in ((d.get("spec") or {}).get("groups") or [])]
        target = tmp_path / f"{path.name}.groups.yaml"
        target.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False), encoding="utf-8")
    return subprocess.run(["promtool", "check", "rules", str(target)], capture_output=True, text=True)


@pytest.fixture
def need_promtool():
    if shutil.which("promtool") is None:
        pytest.skip("promtool (Debian's prometheus package) is not installed")


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.name.endswith(RULE_SUFFIXES))


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_promtool_accepts_each_fixture_and_lint_finds_no_structural_error(path, tmp_path, need_promtool):
    checked = promtool(path, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert structural(load_rule_files([path]).findings) == []


def test_a_folder_counts_rules_and_alerts_files_and_every_class_reads_as_prometheus_reads_it():
    paths = rule_file_paths(load_config(REPO), [FIXTURES])
    assert {p.name for p in paths} >= {"legacy.rules", "service.alerts", "spaces-in-names.yml", "merge-keys.yaml"}
    rule_files = load_rule_files(paths, url_annotations=("runbook_url", "runbook"))
    assert rule_files.findings == []
    rules = {rule.name: rule for rule in rule_files.rules}
    assert {"Elasticsearch ILM errors in production", "Too many 5xx: api", "App pods crash looping", "503"} <= set(rules)
    # merge keys: the rule's own keys win, the merged ones fill in
    assert rules["DiskFull"].labels == {"severity": "critical", "team": "storage", "on": "call"}
    assert rules["DiskFull"].runbook_url == "https://runbooks.example.com/disk"
    assert rules["DiskReadOnly"].expr.startswith("node_filesystem_avail_bytes /")
    assert rules["DiskReadOnly"].annotations["summary"] == "filesystem {{ $labels.mountpoint }} is read-only"
    assert rules["DiskAlmostFullAgain"].labels == rules["DiskAlmostFull"].labels
    assert rules["DiskAlmostFullAgain"].expr == rules["DiskAlmostFull"].expr
    assert rules["AppDown"].labels == {"severity": "critical", "tier": "2"}
    # numbers and YAML 1.1 words are their text, as Prometheus reads them into strings
    assert rules["503"].labels == {"priority": "1", "ratio": "0.25", "mode": "0750", "page": "yes", "enabled": "true",
                                   "since": "2024-01-01"}
    assert rules["503"].annotations == {"threshold": "90", "empty": ""}
    # GitLab's `runbook` annotation, when configured
    assert rules["Elasticsearch ILM errors in production"].runbook_url == "docs/elastic/README.md"
    assert rules["Elasticsearch ILM errors in production"].link_annotation == "runbook"
    assert load_rule_files([FIXTURES / "service.alerts"]).rules[0].runbook_url is None  # not configured: no link


def test_the_fixtures_through_runbook_lint(tmp_path):
    project = Project(tmp_path)
    shutil.copytree(FIXTURES, tmp_path / "monitoring")
    (tmp_path / "docs" / "elastic").mkdir(parents=True)
    (tmp_path / "docs" / "elastic" / "README.md").write_text("# Elastic\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nalert-rules = ["monitoring/*"]\n'
                                             'runbook-url-annotations = ["runbook_url", "runbook"]\n', encoding="utf-8")
    result = project.run("lint", "--format", "json")
    found = json.loads(result.stdout)["findings"]
    assert structural_codes(found) == []
    # the repository-relative link resolves against the project; the missing one is named
    broken = [f for f in found if f["code"] == "RB803"]
    assert [(Path(f["path"]).name, f["line"]) for f in broken] == [("service.alerts", 7)]
    assert "docs/service/latency.md names no file of the project" in broken[0]["message"]
    assert not any(f["code"] == "RB802" and "Elasticsearch" in f["message"] for f in found)


def structural_codes(found: list[dict]) -> list[str]:
    return [f["code"] for f in found if f["code"].startswith("RB0") or f["code"] == "RB801"]


def test_promtool_and_lint_agree_on_the_shared_rule_files(tmp_path, need_promtool):
    if not SHARED_RULES.is_dir():
        pytest.skip(f"{SHARED_RULES} is absent (a clone without ../shared)")
    files = sorted(p for p in SHARED_RULES.rglob("*") if p.is_file() and p.name.endswith(RULE_SUFFIXES))
    accepted = 0
    problems = {}
    for path in files:
        if promtool(path, tmp_path).returncode != 0:
            continue
        accepted += 1
        found = structural(load_rule_files([path]).findings)
        if found:
            problems[str(path.relative_to(SHARED_RULES))] = [f.line_text() for f in found]
    assert accepted >= len(files) * 0.9, f"promtool accepted only {accepted} of {len(files)}"
    assert problems == {}
