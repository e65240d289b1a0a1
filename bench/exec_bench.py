"""`runbook exec --yes` on 200 trivial read-only steps vs bash running the same 200 commands.

Both sides start one bash process per command (`bash -c CMD`); the executor also writes and fsyncs
two transcript events a step and streams the output through its redactor. Target: the executor
within 2x of plain bash, measured in the same run. Prints both times and the overhead per step.

Second case: the same steps, each with a `when` condition (`[ -n "$SECRET" ]`, true), which the
executor runs in a bash of its own before the step; its peer is bash running the condition and then
the command, two processes a step (`bash -c COND && bash -c CMD`).

    python bench/exec_bench.py [--steps 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


CONDITION = '[ -n "$SECRET" ]'


def runbook_text(steps: int, when: bool = False, runbook_id: str = "bench") -> str:
    lines = ["kind: runbook", f"id: {runbook_id}", "title: Bench", "summary: Trivial steps.", "owner: platform-team",
             "variables:", "  SECRET:", "    description: A secret, so the redactor works", "    secret: true",
             "    default: not-printed", "steps:"]
    for n in range(steps):
        condition = f", when: '{CONDITION}'" if when else ""
        lines.append(f"  - {{id: step-{n}, title: Step {n}, run: echo {n}{condition}}}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="runbook-bench-") as folder:
        root = Path(folder)
        (root / "runbooks").mkdir()
        (root / "runbooks" / "bench.yaml").write_text(runbook_text(args.steps))
        (root / "runbooks" / "bench-when.yaml").write_text(runbook_text(args.steps, when=True, runbook_id="bench-when"))
        commands = [f"echo {n}" for n in range(args.steps)]
        script = root / "commands.sh"
        script.write_text("".join(f"bash -c {c!r}\n" for c in commands))
        when_script = root / "when.sh"
        when_script.write_text("".join(f"bash -c {CONDITION!r} && bash -c {c!r}\n" for c in commands))
        bash_times, script_times, exec_times = [], [], []
        when_script_times, when_exec_times = [], []
        env = {**os.environ, "SECRET": "not-printed"}
        for attempt in range(args.repeat):
            start = time.perf_counter()
            subprocess.run(["bash", str(script)], stdout=subprocess.DEVNULL, check=True)
            script_times.append(time.perf_counter() - start)

            start = time.perf_counter()
            for command in commands:
                subprocess.run(["bash", "-c", command], stdout=subprocess.DEVNULL, check=True)
            bash_times.append(time.perf_counter() - start)

            transcript = root / f"t{attempt}.jsonl"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from generator.cli import main; main()", "exec", "bench", "--yes",
                            "--transcript", str(transcript)], cwd=root, stdout=subprocess.DEVNULL, check=True,
                           stdin=subprocess.DEVNULL)
            exec_times.append(time.perf_counter() - start)
            lines = transcript.read_text().count("\n")
            assert lines == 2 * args.steps + 2, lines

            start = time.perf_counter()
            subprocess.run(["bash", str(when_script)], stdout=subprocess.DEVNULL, check=True, env=env)
            when_script_times.append(time.perf_counter() - start)

            transcript = root / f"w{attempt}.jsonl"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from generator.cli import main; main()", "exec", "bench-when", "--yes",
                            "--transcript", str(transcript)], cwd=root, stdout=subprocess.DEVNULL, check=True,
                           stdin=subprocess.DEVNULL)
            when_exec_times.append(time.perf_counter() - start)
            text = transcript.read_text()
            assert text.count("\n") == 2 * args.steps + 2 and text.count('"status": "succeeded"') == args.steps
        bash, script, run = min(bash_times), min(script_times), min(exec_times)
        when_script, when_run = min(when_script_times), min(when_exec_times)
    print(f"steps: {args.steps}, best of {args.repeat}")
    print(f"bash -c x{args.steps} from a bash script: {script:7.3f} s  ({script / args.steps * 1000:.2f} ms/step)")
    print(f"bash -c x{args.steps} from Python:        {bash:7.3f} s  ({bash / args.steps * 1000:.2f} ms/step)")
    print(f"runbook exec --yes:              {run:7.3f} s  ({run / args.steps * 1000:.2f} ms/step, "
          f"{2 * args.steps + 2} fsynced transcript lines)")
    slow = max(bash, script)
    print(f"overhead per step:               {(run - slow) / args.steps * 1000:7.2f} ms  (vs the slower bash baseline; "
          f"interpreter start-up and loading included, spread over the steps)")
    print(f"ratio:                           {run / script:7.2f}x vs the bash script, {run / bash:.2f}x vs Python's loop "
          f"(target: within 2x)")
    print(f"with `when` on every step:")
    print(f"  bash -c COND && bash -c CMD x{args.steps}: {when_script:7.3f} s  ({when_script / args.steps * 1000:.2f} ms/step)")
    print(f"  runbook exec --yes:              {when_run:7.3f} s  ({when_run / args.steps * 1000:.2f} ms/step)")
    print(f"  ratio:                           {when_run / when_script:7.2f}x vs bash running both, "
          f"{when_run / script:.2f}x vs the one-process-a-step bash script")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
