"""Benchmark `runbook build` against plain `mkdocs build` of the same site, on 500 generated runbooks.

    python bench/site_bench.py [--count 500] [--rounds 2] [--keep DIR]

The project is a temporary copy of this repository's site configuration (mkdocs.yml, site-overrides,
docs, the catalogs) plus COUNT generated runbooks. `runbook build` (plugin: lint, load, render, build)
and `mkdocs build -f OUT/mkdocs.yml` on `runbook render OUT`'s output run as separate processes,
alternating, ROUNDS times each; the best time of each is compared. Target: ratio <= 1.15.
Also prints the site size and the search index size.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNBOOK_CLI = [sys.executable, "-c", "from generator.cli import main; main()"]
MKDOCS_CLI = [sys.executable, "-m", "mkdocs"]

SERVICES = ["payment", "auth", "search", "checkout", "inventory", "billing", "gateway", "catalog", "orders", "ledger"]
READ_ONLY = [
    'kubectl get pods -n "$NAMESPACE" -l app="$SERVICE" -o wide',
    'kubectl logs deployment/"$SERVICE" -n "$NAMESPACE" --since=15m | grep -i error | tail -n 50',
    'curl -fsS --max-time 10 "$SERVICE_URL/health"',
    'kubectl rollout history deployment/"$SERVICE" -n "$NAMESPACE"',
    'kubectl get events -n "$NAMESPACE" --sort-by=.lastTimestamp | tail -n 30',
]


def runbook_yaml(index: int, rng: random.Random) -> str:
    service = f"{rng.choice(SERVICES)}-{index}"
    steps = []
    for n in range(8):
        steps.append(f"""  - id: check-{n}
    title: Check part {n} of {service}
    description: Look at the output for errors and compare it with the dashboard baseline.
    run: {rng.choice(READ_ONLY)!r}
    timeout: 60""")
    steps.append("""  - id: restart
    title: Restart the service
    risk: destructive
    confirm: Drops in-flight requests while the pods restart; still right when the service hangs.
    run: 'kubectl rollout restart deployment/"$SERVICE" -n "$NAMESPACE"'
    rollback: 'kubectl rollout undo deployment/"$SERVICE" -n "$NAMESPACE"'""")
    steps.append("""  - id: verify
    title: Verify recovery
    checklist: [Error rates back to baseline, No alerts firing]""")
    camel = "".join(part.capitalize() for part in service.split("-"))
    return f"""kind: runbook
id: {service}
title: {service.replace('-', ' ').capitalize()} service
summary: Use when {service} is down, slow or failing.
service: {service}
owner: team-{index % 20}
severity: sev{1 + index % 4}
escalation: escalation-policy
tags: [{rng.choice(SERVICES)}, generated]
alerts: [{camel}Down, {camel}ErrorRateHigh]
last_reviewed: "2026-0{1 + index % 9}-01"
variables:
  NAMESPACE: {{description: Kubernetes namespace, default: production}}
  SERVICE: {{description: Deployment name, default: {service}}}
  SERVICE_URL: {{description: Base URL of the service, example: "http://{service}"}}
steps:
""" + "\n".join(steps) + "\n"


def make_project(folder: Path, count: int) -> None:
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "site-overrides", folder / "site-overrides")
    shutil.copytree(ROOT / "docs", folder / "docs", ignore=shutil.ignore_patterns("images"))
    (folder / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n')
    shutil.copytree(ROOT / "runbooks" / "catalogs", folder / "runbooks" / "catalogs")
    generated = folder / "runbooks" / "services"
    generated.mkdir(parents=True)
    rng = random.Random(42)
    for index in range(count):
        text = runbook_yaml(index, rng)
        runbook_id = text.split("\nid: ", 1)[1].split("\n", 1)[0]
        (generated / f"{runbook_id}.yaml").write_text(text)


def timed(args: list[str], cwd: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="site-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        make_project(folder, args.count)
        render_time = timed([*RUNBOOK_CLI, "render", str(folder / "out")], folder)
        plugin_times, plain_times = [], []
        for _ in range(args.rounds):
            plugin_times.append(timed([*RUNBOOK_CLI, "build", "--site-dir", str(folder / "site")], folder))
            plain_times.append(timed([*MKDOCS_CLI, "build", "-q", "-f", str(folder / "out" / "mkdocs.yml")], folder / "out"))
        plugin, plain = min(plugin_times), min(plain_times)
        pages = len(list((folder / "site").rglob("*.html")))
        print(f"runbooks:                 {args.count} generated + the shipped catalogs, {pages} HTML pages")
        print(f"runbook build (plugin):   {plugin:.2f} s  (rounds: {', '.join(f'{t:.2f}' for t in plugin_times)})")
        print(f"mkdocs build (rendered):  {plain:.2f} s  (rounds: {', '.join(f'{t:.2f}' for t in plain_times)})")
        print(f"ratio:                    {plugin / plain:.3f}  (target <= 1.15)")
        print(f"runbook render:           {render_time:.2f} s")
        print(f"site size:                {size(folder / 'site') / 1e6:.1f} MB")
        print(f"search index:             {(folder / 'site' / 'search' / 'search_index.json').stat().st_size / 1e6:.2f} MB")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
