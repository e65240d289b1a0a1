"""`runbook test` on 1,000 scenarios of 20 steps each (goal: under 5 s), beside one real `runbook exec` session.

The corpus: 50 runbooks of 20 steps (a retry that succeeds on its second attempt, a capture, a pure-bash `when`,
a destructive step checked against the target, a checklist, the rest plain commands) and 20 scenarios each,
every scenario running all 20 steps. The figure is `runbook test` end to end in a fresh process (loading the
files, running every scenario through the session engine, the report). The peer, in the same run, is what a
rehearsal replaces: one real session of the same 20 steps with `runbook exec --yes --allow-destructive`, each
command an `echo` (retry interval 0), so bash starts for each command, condition and probe.

    python bench/test_bench.py [--runbooks 50] [--scenarios 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-c", "from generator.cli import main; main()"]
STEPS = 20


def runbook_text(runbook_id: str) -> str:
    steps = [
        "  - {id: step-0, title: Check, run: 'echo ok', timeout: 30}",
        "  - {id: step-1, title: Wait, run: 'echo rolled out', expect: {output: rolled out}, retry: {attempts: 3, interval: 0}, timeout: 30}",
        "  - {id: step-2, title: Count, run: 'echo 3', capture: COUNT, expect: {output: '^[0-9]+$'}, timeout: 30}",
        "  - {id: step-3, title: Scale, run: 'echo scaled', risk: mutating, when: '[ -n \"$COUNT\" ] && [ \"$COUNT\" -gt 1 ]', timeout: 30}",
        "  - {id: step-4, title: Drop, run: 'echo dropped', risk: destructive, confirm: Drops the cache., timeout: 30}",
        "  - {id: step-5, title: Verify, checklist: [It works, Nobody complains]}",
    ]
    steps += [f"  - {{id: step-{n}, title: Step {n}, run: 'echo {n}', timeout: 30, on_failure: continue}}"
              for n in range(6, STEPS)]
    return "\n".join([
        "kind: runbook", f"id: {runbook_id}", "title: Bench", "summary: Twenty steps.", "owner: platform-team",
        f"service: {runbook_id}", "target:", "  - {name: context, run: echo prod}", "steps:", *steps]) + "\n"


def scenarios_text(runbook_id: str, count: int) -> str:
    results = ["      step-0: {output: ok}",
               "      step-1: [{exit: 1, output: waiting}, {output: rolled out}]",
               "      step-2: {output: '3'}",
               "      step-3: {output: scaled}",
               "      step-4: {output: dropped}"]
    results += [f"      step-{n}: {{output: '{n}'}}" for n in range(6, STEPS)]
    ran = ", ".join(f"step-{n}" for n in range(STEPS) if n != 5)
    out = ["kind: runbook-test", f"runbook: {runbook_id}", "scenarios:"]
    for n in range(count):
        out += [f"  - name: scenario {n}", "    target: {context: prod}", "    results:", *results,
                "    expect:", "      outcome: completed", f"      ran: [{ran}]", "      attempts: {step-1: 2}",
                "      variables: {COUNT: '3'}"]
    return "\n".join(out) + "\n"


def timed(args: list[str], cwd: Path, env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the child, result). The CPU figure does not grow when other work shares the
    machine's cores; the wall figure does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runbooks", type=int, default=50)
    parser.add_argument("--scenarios", type=int, default=20, help="scenarios per runbook")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    total = args.runbooks * args.scenarios
    env = {**os.environ, "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory(prefix="runbook-test-bench-") as folder:
        root = Path(folder)
        (root / "runbooks").mkdir()
        for n in range(args.runbooks):
            runbook_id = f"bench-{n}"
            (root / "runbooks" / f"{runbook_id}.yaml").write_text(runbook_text(runbook_id))
            (root / "runbooks" / f"{runbook_id}.test.yaml").write_text(scenarios_text(runbook_id, args.scenarios))
        rehearsals, rehearsal_cpu, sessions = [], [], []
        for _ in range(args.repeat):
            seconds, cpu, result = timed([*CLI, "test"], root, env)
            if result.returncode != 0 or f"{total} passed" not in result.stdout.splitlines()[-1]:
                print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
                return 1
            rehearsals.append(seconds)
            rehearsal_cpu.append(cpu)
            seconds, _, result = timed([*CLI, "exec", "bench-0", "--yes", "--allow-destructive",
                                     "--transcript", str(root / f"t-{len(sessions)}.jsonl")], root, env)
            if result.returncode != 0:
                print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
                return 1
            sessions.append(seconds)
    best, session = min(rehearsals), min(sessions)
    print(f"runbook test, {total:,} scenarios of {STEPS} steps ({args.runbooks} runbooks), fresh process: "
          f"{best:.2f} s wall, {min(rehearsal_cpu):.2f} s CPU (best of {args.repeat}; goal under 5 s) = "
          f"{best / total * 1000:.2f} ms a scenario; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peer: runbook exec --yes of one {STEPS}-step session for real (bash per command, condition, probe): "
          f"{session:.2f} s; a rehearsal is {session / (best / total):,.0f}x faster per session and starts no process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
