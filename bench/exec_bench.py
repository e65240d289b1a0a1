"""`runbook exec --yes` on 200 trivial read-only steps vs bash running the same 200 commands.

Both sides start one bash process per command (`bash -c CMD`); the executor also writes and fsyncs
two transcript events a step and streams the output through its redactor. Target: the executor
within 2x of plain bash, measured in the same run. Prints both times and the overhead per step.

    python bench/exec_bench.py [--steps 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def runbook_text(steps: int) -> str:
    lines = ["kind: runbook", "id: bench", "title: Bench", "summary: Trivial steps.", "owner: platform-team",
             "variables:", "  SECRET:", "    description: A secret, so the redactor works", "    secret: true",
             "    default: not-printed", "steps:"]
    for n in range(steps):
        lines.append(f"  - {{id: step-{n}, title: Step {n}, run: echo {n}}}")
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
        commands = [f"echo {n}" for n in range(args.steps)]
        script = root / "commands.sh"
        script.write_text("".join(f"bash -c {c!r}\n" for c in commands))
        bash_times, script_times, exec_times = [], [], []
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
        bash, script, run = min(bash_times), min(script_times), min(exec_times)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
