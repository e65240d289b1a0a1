"""Migration figures: real Markdown runbooks imported next to the rule files that link them, with `runbook import
--alert-rules`; how many of the alerts whose runbook link points at an imported page end up listed by that page's
runbook.

    python bench/migration_links.py [--shared ../shared/data/real] [--json]

The denominator is decided here, independently of the linking code: a kube-prometheus `runbook_url`
`https://runbooks.prometheus-operator.dev/runbooks/<folder>/<name>` points at an imported page when
`content/runbooks/<folder>/<Name>.md` exists (Hugo publishes lower-case names); an OpenShift link
`https://github.com/openshift/runbooks/blob/<ref>/<path>.md` when `<path>.md` exists in the imported tree.
The numerator: those alerts listed in `alerts` of the runbook imported from that very file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.alerting.rules import load_rule_files, rule_file_paths  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.importing.text import runbook_id_for  # noqa: E402

PROMETHEUS_OPERATOR_PAGE = re.compile(r"https://runbooks\.prometheus-operator\.dev/runbooks/([^/]+)/([^/?#{}\s]+)/?")
OPENSHIFT_BLOB = re.compile(r"https://github\.com/openshift/runbooks/blob/[^/]+/([^?#{}\s]+\.md)")


def prometheus_operator_page(markdown: Path):
    pages = {(p.parent.name.lower(), p.stem.lower()): p for p in (markdown / "content" / "runbooks").rglob("*.md")}

    def page(url: str) -> Path | None:
        found = PROMETHEUS_OPERATOR_PAGE.fullmatch(url.strip())
        return pages.get((found.group(1).lower(), found.group(2).lower())) if found else None
    return page


def openshift_page(markdown: Path):
    def page(url: str) -> Path | None:
        found = OPENSHIFT_BLOB.search(url)
        path = markdown / found.group(1) if found else None
        return path if path is not None and path.is_file() else None
    return page


SETS = [
    ("prometheus-operator/runbooks + kube-prometheus", "prometheus-operator__runbooks",
     ["prometheus-operator__kube-prometheus"], prometheus_operator_page),
    ("openshift/runbooks + OpenShift operators", "openshift__runbooks",
     ["openshift__cluster-etcd-operator", "openshift__cluster-kube-apiserver-operator",
      "openshift__cluster-monitoring-operator", "openshift__machine-config-operator", "red-hat-storage__ocs-operator"],
     openshift_page),
]


def measure(shared: Path, label: str, markdown_name: str, rule_names: list[str], page_of) -> dict:
    markdown = shared / "markdown" / markdown_name
    rule_dirs = [shared / "alert-rules" / name for name in rule_names]
    page = page_of(markdown)
    config = dataclasses.replace(load_config(REPO), alert_rules=())  # only the rule files named here
    rules = load_rule_files(rule_file_paths(config, rule_dirs)).rules
    pointing: dict[str, Path] = {}  # alert -> the imported page its runbook_url points at
    for rule in rules:
        target = page(rule.runbook_url) if rule.runbook_url else None
        if target is not None:
            pointing.setdefault(rule.name, target)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "runbooks"
        args = [sys.executable, "-c", "from generator.cli import main; main()", "import", str(markdown), "-o", str(out)]
        for folder in rule_dirs:
            args += ["--alert-rules", str(folder)]
        started = time.perf_counter()
        run = subprocess.run(args, cwd=tmp, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        said = [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("linked ")]
        listed: dict[Path, list[str]] = {}
        for alert, source in pointing.items():
            relative = source.relative_to(markdown)
            runbook_id = runbook_id_for(source.stem, source.parent.name)
            output = out / relative.parent / f"{runbook_id}.yaml"
            if output not in listed:
                data = yaml.safe_load(output.read_text(encoding="utf-8")) if output.is_file() else {}
                listed[output] = (data or {}).get("alerts", [])
    linked = sorted(alert for alert, source in pointing.items()
                    if alert in listed[out / source.relative_to(markdown).parent / f"{runbook_id_for(source.stem, source.parent.name)}.yaml"])
    missing = sorted(set(pointing) - set(linked))
    return {"set": label, "markdown_files": sum(1 for _ in markdown.rglob("*.md")), "rule_files": len(rule_file_paths(config, rule_dirs)),
            "alerting_rules": len(rules), "alerts_pointing_at_imported_pages": len(pointing), "linked": len(linked),
            "share": len(linked) / len(pointing) if pointing else 0.0, "not_linked": missing,
            "import_exit_code": run.returncode, "import_said": said, "import_seconds": round(seconds, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data" / "real")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    if not (options.shared / "markdown").is_dir():
        print(f"{options.shared}: no shared real data here; pass --shared", file=sys.stderr)
        return 2
    results = [measure(options.shared, *entry) for entry in SETS]
    if options.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'set':<48} {'md':>4} {'rule files':>10} {'alerts -> imported page':>24} {'linked':>7} {'share':>7} {'import s':>9}")
    for r in results:
        print(f"{r['set']:<48} {r['markdown_files']:>4} {r['rule_files']:>10} {r['alerts_pointing_at_imported_pages']:>24} "
              f"{r['linked']:>7} {r['share']:>7.1%} {r['import_seconds']:>9}")
        for line in r["import_said"]:
            print(f"    runbook import said: {line}")
        if r["not_linked"]:
            print(f"    not linked: {', '.join(r['not_linked'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
