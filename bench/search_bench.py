"""Benchmark search: how long after typing the first result shows, in headless Chromium on a cold page.

    python bench/search_bench.py [--counts 500 2000] [--rounds 5] [--keep DIR]

For each COUNT, bench/site_bench.py's generated project (the shipped site configuration, the catalogs and
COUNT runbooks) is built with `runbook build` and served on loopback. Each round opens a new browser
context (empty cache) on the home page and, as soon as the page has loaded, puts the whole query into the
search box at once (as a paste: nothing loads while keys are typed), and times from there to the first
result in the list. The queries are an alert of one generated runbook and words every runbook has. Prints
the median and the worst per count, and the size of the search index (Pagefind's, else Material's).
Target (issue 17): at most 1 s at 2,000 runbooks.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from site_bench import RUNBOOK_CLI, make_project, timed  # noqa: E402
from site_browser import chromium, serve  # noqa: E402

# (query, a page that must be among the results): generated runbook auth-0 exists at every count; an
# alert name, then words that every runbook has (the most results to rank).
QUERIES = [("Auth0Down", "runbooks/auth-0/"), ("Auth0ErrorRateHigh", "runbooks/auth-0/"),
           ("rollout restart", "runbooks/"), ("dashboard baseline", "runbooks/")]


def first_result(browser, base: str, query: str, expected: str) -> float:
    """Seconds from the last typed key to the first result, on a fresh page with an empty cache."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(base)
        box = page.locator("input.md-search__input")
        box.click()
        start = time.perf_counter()
        box.fill(query)
        page.locator(".md-search-result__item").first.wait_for(state="attached", timeout=60_000)
        elapsed = time.perf_counter() - start
        hrefs = page.locator(".md-search-result__item a").evaluate_all("links => links.map(a => a.href)")
        if not any(expected in href for href in hrefs):
            sys.exit(f"{query!r}: no result under {expected} ({hrefs[:5]})")
        return elapsed
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--rounds", type=int, default=2, help="times each query is measured")
    parser.add_argument("--keep", type=Path, help="build in this folder (one sub-folder per count) and keep it")
    args = parser.parse_args()
    for count in args.counts:
        folder = (args.keep / str(count)) if args.keep else Path(tempfile.mkdtemp(prefix=f"search-bench-{count}-"))
        try:
            site = folder / "site"
            if not (site / "index.html").exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                make_project(folder, count)
                timed([*RUNBOOK_CLI, "build", "--site-dir", str(site)], folder)
            pagefind = site / "pagefind"
            index = (sum(p.stat().st_size for p in pagefind.rglob("*") if p.is_file()) if pagefind.is_dir()
                     else (site / "search" / "search_index.json").stat().st_size)
            per_query: dict[str, list[float]] = {query: [] for query, _ in QUERIES}
            with serve(site) as base, chromium() as browser:
                first_result(browser, base, *QUERIES[0])  # the browser's own start-up, not measured
                for _ in range(args.rounds):
                    for query, expected in QUERIES:
                        per_query[query].append(first_result(browser, base, query, expected))
            times = [t for found in per_query.values() for t in found]
            print(f"{count:>6} runbooks: first result median {statistics.median(times):5.2f} s, worst {max(times):5.2f} s"
                  f" ({len(times)} searches; {'Pagefind' if pagefind.is_dir() else 'Material'} index {index / 1e6:.2f} MB)", flush=True)
            for query, found in per_query.items():
                print(f"        {query!r:24} {', '.join(f'{t:.2f}' for t in found)} s")
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
