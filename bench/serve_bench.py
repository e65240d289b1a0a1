"""Benchmark save-to-page: from saving a runbook to the changed page showing in the browser.

    python bench/serve_bench.py [--counts 50 500] [--rounds 5] [--edits step title summary service owner tags]

For each COUNT, a temporary project like bench/site_bench.py's (the shipped site configuration, the
catalogs and COUNT generated runbooks) is served three ways, one after the other on loopback:

- `runbook serve` (the plugin), editing the runbook's YAML file;
- plain `mkdocs serve` of `runbook render`'s output (the same pages), editing the page's Markdown;
- plain `mkdocs serve --dirty` of the same, editing the same Markdown.

Headless Chromium (Debian's /usr/bin/chromium via Playwright) keeps the runbook's page open; MkDocs'
livereload reloads it after each rebuild. Each round changes one step title to a new word and times
from the file's write to the word showing in the page. Prints the median and the worst of ROUNDS.
Target (issues 12 and 17): `runbook serve` under 1.5 s on 500 runbooks, for every kind of edit.

With --edits, `runbook serve` also gets edits of the runbook's title, summary, service, owner and tags
(issue 17: these change the navigation and the index pages, not just the page): each round writes a new
word into that field and waits for it in the page. `owner` moves the runbook to a new team (a new section
in the navigation of every page of its folder), `owner-existing` to another of the project's teams.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from site_bench import RUNBOOK_CLI, make_project  # noqa: E402
from site_browser import chromium  # noqa: E402

RUNBOOK_ID = "auth-0"  # the first generated runbook (make_project's seed is fixed)
TITLE = "Check part 3 of auth-0"
# edit -> (the text replaced in the YAML file, its replacement with the new word, where the word shows)
EDITS = {
    "step": (TITLE, lambda word: f"{TITLE} {word}", "article h3"),
    "title": ("title: Auth 0 service", lambda word: f"title: Auth 0 service {word}", "article h1"),
    "summary": ("summary: Use when", lambda word: f"summary: {word} Use when", "article .rb-summary"),
    "service": ("service: auth-0\n", lambda word: f"service: auth-0-{word.lower()}\n", "article .rb-facts"),
    # A team that owns no runbook yet: a new section of the navigation, in every page of the folder.
    "owner": ("owner: team-0", lambda word: f"owner: team-{word.lower()}", "article .rb-facts"),
    # Another of the generated project's twenty teams (the word is that team's name).
    "owner-existing": ("owner: team-0", lambda word: f"owner: {word}", "article .rb-facts"),
    "tags": ("tags: [", lambda word: f"tags: [{word.lower()}, ", "article .md-tags"),
}
# edit -> the word of round n, where a new random word will not do
WORDS = {"owner-existing": lambda n: f"team-{1 + n % 19}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_served(url: str, server: subprocess.Popen, timeout: float = 1200) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped:\n{server.stderr.read()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} not served after {timeout:.0f} s")


def measure(command: list[str], cwd: Path, edited: Path, page_path: str, rounds: int, edit: str = "step") -> list[float]:
    """Start the server, open the page, then time each edit of `edited` until the page shows it."""
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([*command, "-a", f"127.0.0.1:{port}"], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    times = []
    try:
        url = f"http://127.0.0.1:{port}/{page_path}"
        wait_until_served(url, server)
        with chromium() as browser:
            page = browser.new_page()
            page.goto(url)
            page.locator("article h3", has_text=TITLE).wait_for()
            original = edited.read_text(encoding="utf-8")
            old, new, where = EDITS[edit]
            for n in range(rounds):
                time.sleep(1.5)  # let the watcher settle after the previous rebuild
                word = WORDS[edit](n) if edit in WORDS else f"Edited{n}x{int(time.time())}"
                assert old in original, old
                text = original.replace(old, new(word), 1)
                start = time.perf_counter()
                edited.write_text(text, encoding="utf-8")
                shown = re.compile(rf"{re.escape(word)}(?![\w-])", re.I)  # team-1, not team-10
                page.locator(where, has_text=shown).first.wait_for(timeout=600_000)
                times.append(time.perf_counter() - start)
            edited.write_text(original, encoding="utf-8")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        server.stderr.close()
    return times


def report(name: str, times: list[float]) -> None:
    print(f"  {name:32} median {statistics.median(times):6.2f} s   worst {max(times):6.2f} s   "
          f"({', '.join(f'{t:.2f}' for t in times)})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--edits", nargs="+", choices=list(EDITS), default=["step"],
                        help="what each round edits (`runbook serve` only for edits other than step)")
    parser.add_argument("--servers", nargs="+", choices=["runbook", "mkdocs", "mkdocs-dirty"],
                        default=["runbook", "mkdocs", "mkdocs-dirty"], help="which servers to measure (default: all)")
    args = parser.parse_args()
    for count in args.counts:
        folder = Path(tempfile.mkdtemp(prefix="serve-bench-"))
        try:
            make_project(folder, count)
            if {"mkdocs", "mkdocs-dirty"} & set(args.servers):  # the plain MkDocs servers serve the rendered project
                subprocess.run([*RUNBOOK_CLI, "render", str(folder / "out")], cwd=folder, check=True, capture_output=True)
            yaml_file = folder / "runbooks" / "services" / f"{RUNBOOK_ID}.yaml"
            markdown = folder / "out" / "docs" / "runbooks" / f"{RUNBOOK_ID}.md"
            page_path = f"runbooks/{RUNBOOK_ID}/"
            print(f"{count} runbooks: save-to-page, {args.rounds} edits each", flush=True)
            mkdocs = [sys.executable, "-m", "mkdocs", "serve", "-f", str(folder / "out" / "mkdocs.yml")]
            if "runbook" in args.servers:
                for edit in args.edits:
                    report(f"runbook serve ({edit} edit, YAML)",
                           measure([*RUNBOOK_CLI, "serve"], folder, yaml_file, page_path, args.rounds, edit))
            if "mkdocs" in args.servers and "step" in args.edits:
                report("mkdocs serve (rendered, Markdown)", measure(mkdocs, folder / "out", markdown, page_path, args.rounds))
            if "mkdocs-dirty" in args.servers and "step" in args.edits:
                report("mkdocs serve --dirty (rendered)", measure([*mkdocs, "--dirty"], folder / "out", markdown, page_path, args.rounds))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
