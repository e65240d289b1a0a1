"""Benchmark `runbook build` at the size of a real organisation, beside plain `mkdocs build` of `runbook render`.

    python bench/site_bench.py [--counts 500 1000 2000 5000] [--rounds 1] [--plain-up-to 1000] [--keep DIR]

For each COUNT, the project is a temporary copy of this repository's site configuration (mkdocs.yml,
site-overrides, docs, the catalogs) plus COUNT generated runbooks (one service each, twenty teams).
`runbook build` (plugin: lint, load, render, build) runs ROUNDS times; up to --plain-up-to runbooks,
`mkdocs build -f OUT/mkdocs.yml` of `runbook render OUT`'s output runs beside it. Prints per count the
best build time, the site size, the average runbook page (runbooks/<id>/index.html) and the largest
navigation of a runbook page (links in the primary sidebar), then the growth from the smallest count to
each larger one (issue 17: time(2000)/time(500) <= 4.6, size(2000)/size(500) <= 4.4, 5,000 under 1 GB).
With --one-core-too, `runbook build` also runs with the plugin's `parallel: false` (pages written by one
process, see generator/site/parallel.py), to show what the second core brings; RUNBOOK_SITE_WORKERS=2
makes the parallel build use two writers even when the machine's load average says the cores are busy.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
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


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], cwd: Path, cpu: list[float] | None = None) -> float:
    """Wall time of the command; with `cpu`, its processes' CPU time (user + system) is appended to it: a figure
    the other work on a shared machine moves far less than the wall time."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start, start_cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    if cpu is not None:
        cpu.append(children_cpu() - start_cpu)
    return elapsed


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


NAV_LINK = re.compile(r'class="md-nav__link')


def runbook_pages(site: Path) -> tuple[int, float, int]:
    """(count, average size, most navigation links) of the runbook pages (runbooks/<id>/index.html)."""
    sizes, links = [], 0
    for page in site.glob("runbooks/*/index.html"):
        text = page.read_text(encoding="utf-8")
        sizes.append(len(text.encode()))
        primary = text.split('md-nav--primary', 1)[-1].split('md-sidebar--secondary', 1)[0]
        links = max(links, len(NAV_LINK.findall(primary.split('md-nav--secondary', 1)[0])))
    return len(sizes), sum(sizes) / max(1, len(sizes)), links


def set_parallel(folder: Path, parallel: bool) -> None:
    config = folder / "mkdocs.yml"
    text = config.read_text().replace("  - runbooks:\n      parallel: false\n", "  - runbooks\n")
    config.write_text(text if parallel else text.replace("  - runbooks\n", "  - runbooks:\n      parallel: false\n"))


def measure(count: int, rounds: int, plain: bool, folder: Path, one_core: bool) -> dict:
    make_project(folder, count)
    figures: dict = {"count": count}
    builds, serial, cpu = [], [], []
    for _ in range(rounds):  # alternating, so that the machine's load weighs on both alike
        if one_core:
            set_parallel(folder, False)
            serial.append(timed([*RUNBOOK_CLI, "build", "--site-dir", str(folder / "site")], folder))
            set_parallel(folder, True)
        builds.append(timed([*RUNBOOK_CLI, "build", "--site-dir", str(folder / "site")], folder, cpu))
    figures["build"], figures["cpu"] = min(builds), min(cpu)
    if serial:
        figures["serial"] = min(serial)
    figures["size"] = size(folder / "site")
    figures["pages"], figures["page"], figures["nav_links"] = runbook_pages(folder / "site")
    pagefind, material = folder / "site" / "pagefind", folder / "site" / "search" / "search_index.json"
    figures["search"] = size(pagefind) if pagefind.is_dir() else material.stat().st_size if material.exists() else 0
    if plain:
        figures["render"] = timed([*RUNBOOK_CLI, "render", str(folder / "out")], folder)
        figures["plain"] = min(timed([*MKDOCS_CLI, "build", "-q", "-f", str(folder / "out" / "mkdocs.yml")],
                                     folder / "out") for _ in range(rounds))
        figures["plain_size"] = size(folder / "out" / "site")
        figures["plain_page"] = runbook_pages(folder / "out" / "site")[1]
    return figures


def report(f: dict) -> None:
    line = (f"{f['count']:>6} runbooks | runbook build {f['build']:7.1f} s ({f['cpu']:6.1f} s CPU) | site {f['size'] / 1e6:7.1f} MB | "
            f"runbook page {f['page'] / 1e3:5.1f} KB, {f['nav_links']} nav links | search index {f['search'] / 1e6:5.2f} MB")
    if "serial" in f:
        line += f" | one core {f['serial']:7.1f} s"
    if "plain" in f:
        line += (f" || render {f['render']:5.1f} s + mkdocs build {f['plain']:6.1f} s | site {f['plain_size'] / 1e6:7.1f} MB"
                 f" | page {f['plain_page'] / 1e3:5.1f} KB")
    print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--plain-up-to", type=int, default=1000, help="build the render output too up to this count")
    parser.add_argument("--keep", type=Path, help="build in this folder (one sub-folder per count) and keep it")
    parser.add_argument("--one-core-too", action="store_true", help="also build with the pages written by one process")
    args = parser.parse_args()
    results = []
    for count in args.counts:
        folder = (args.keep / str(count)) if args.keep else Path(tempfile.mkdtemp(prefix=f"site-bench-{count}-"))
        if folder.exists() and args.keep:
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            results.append(measure(count, args.rounds, count <= args.plain_up_to, folder, args.one_core_too))
            report(results[-1])
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    first = results[0]
    for f in results[1:]:
        print(f"{f['count']}/{first['count']}: time x{f['build'] / first['build']:.2f} (CPU x{f['cpu'] / first['cpu']:.2f}),"
              f" size x{f['size'] / first['size']:.2f}"
              f" (linear: x{f['count'] / first['count']:.1f})")
    for f in results:
        if f["size"] >= 1e9:
            print(f"{f['count']} runbooks: the site is {f['size'] / 1e9:.2f} GB, over GitHub Pages' 1 GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
