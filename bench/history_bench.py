"""Run history over a transcripts folder: `read_history` (what `runbook history`, the site and RB503 use) vs the
full transcript reader (`read_events`, what `runbook transcript` uses) on the same files, for growing counts.

Each transcript is a session of 20 steps, each with a step-start, one retried attempt and a step-end carrying
2 KB of output, written in the writer's own format. `read_history` parses only session-start/resume/end and
step-end lines; the peer parses every line. Both read each file once, so both grow linearly with the number of
transcripts: the figures show the per-transcript cost staying flat.

    python bench/history_bench.py [--counts 250 1000 4000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.execute.transcript import read_events  # noqa: E402
from generator.history import read_history, transcript_files  # noqa: E402

STEPS = 20
OUTPUT = ("line of output from the command\n" * 64)[:2048]


def write_transcripts(folder: Path, count: int) -> None:
    for n in range(count):
        day = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}"
        lines = [{"event": "session-start", "time": f"{day}T10:00:00.000Z", "runbook": f"runbook-{n % 50}",
                  "sha256": "0" * 64, "user": "ana", "host": "box", "variables": {"NAMESPACE": "staging"},
                  "drill": n % 3 == 0, "title": "Bench", "steps": STEPS}]
        for s in range(STEPS):
            at = f"{day}T10:{s:02d}:00.000Z"
            lines.append({"event": "step-start", "time": at, "step": f"step-{s}", "index": s + 1, "total": STEPS,
                          "title": f"Step {s}", "risk": "read-only", "phase": None})
            lines.append({"event": "step-attempt", "time": at, "step": f"step-{s}", "status": "failed",
                          "retry": "automatic", "output": OUTPUT, "attempt": 1, "attempts": 2})
            lines.append({"event": "step-end", "time": at, "step": f"step-{s}", "decision": "run", "command": "echo x",
                          "status": "failed" if s == n % STEPS else "succeeded", "exit_code": 0, "duration": 0.01,
                          "attempt": 2, "output": OUTPUT, "output_cut": False})
        lines.append({"event": "session-end", "time": f"{day}T11:00:00.000Z", "status": "completed",
                      "steps_run": STEPS, "steps_skipped": 0, "steps_failed": 1})
        (folder / f"{n:06d}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[250, 1000, 4000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'transcripts':>11}  {'MB':>6}  {'read_history':>12}  {'per file':>9}  {'read_events (peer)':>18}  {'per file':>9}")
    for count in args.counts:
        with tempfile.TemporaryDirectory(prefix="history-bench-") as tmp:
            folder = Path(tmp)
            write_transcripts(folder, count)
            size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            history = read_history(folder)
            assert len(history.runs) == count and not history.unreadable
            ours = best(lambda: read_history(folder), args.repeat)
            peer = best(lambda: [read_events(p) for p in transcript_files(folder)], args.repeat)
            print(f"{count:>11}  {size:>6.1f}  {ours:>11.3f}s  {1000 * ours / count:>7.3f}ms  {peer:>17.3f}s  "
                  f"{1000 * peer / count:>7.3f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
