"""Benchmark `runbook import` on the shared corpus of real Markdown runbooks: files per second.

    python bench/import_bench.py [--corpus DIR] [--runs 3]

The corpus defaults to ../shared/data/real/markdown (prometheus-operator, OpenShift and KubeVirt runbooks).
`runbook import CORPUS -o TMP` runs as its own process, the way a person runs it, `--runs` times; the best
wall time counts (start-up included). Beside it, for scale, the same files only parsed by markdown-it-py
(the Markdown parser the importer uses) in one process: the floor no importer built on it can beat.
Target (issue 16): above 150 files per second.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "real" / "markdown"


def import_once(corpus: Path) -> tuple[float, str]:
    out = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        start = time.perf_counter()
        command = [sys.executable, "-c", "from generator.cli import main; main()", "import", str(corpus), "-o", str(out / "rb")]
        result = subprocess.run(command, cwd=out, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        summary = next((line for line in result.stderr.splitlines() + result.stdout.splitlines()
                        if line.startswith("imported ") and " of " in line), f"exit {result.returncode}")
        if result.returncode not in (0, 1):
            sys.exit(f"runbook import failed ({result.returncode}):\n{result.stderr[-2000:]}")
        return elapsed, summary
    finally:
        shutil.rmtree(out, ignore_errors=True)


def parse_only(files: list[Path]) -> float:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table")
    start = time.perf_counter()
    for path in files:
        parser.parse(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"{args.corpus}: no such folder (the shared corpus is ../shared/data/real/markdown)", file=sys.stderr)
        return 2
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file() and p.suffix.lower() in (".md", ".markdown"))
    best, summary = min(import_once(args.corpus) for _ in range(max(1, args.runs)))
    floor = parse_only(files)
    print(f"corpus: {args.corpus} ({len(files)} Markdown files)")
    print(f"runbook import (one process, best of {args.runs}): {best:.2f} s, {len(files) / best:.0f} files/s  [{summary}]")
    print(f"markdown-it-py parse only (in process):  {floor:.2f} s, {len(files) / floor:.0f} files/s")
    print(f"target: above 150 files/s -> {'ok' if len(files) / best > 150 else 'BELOW TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
