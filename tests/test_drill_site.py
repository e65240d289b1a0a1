"""Runs reach the built site, and nothing secret does: a secret that went through a real run appears nowhere in
the built site. (The drill against a real redis-server is in test_drill_redis.py: redis-cli does not run under
the faketime pass of .ci/run, which repeats this file.)"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from site_browser import pagefind_contents

REPO = Path(__file__).resolve().parent.parent

MKDOCS = """\
site_name: Drill test
theme:
  name: material
  custom_dir: site-overrides
markdown_extensions: [admonition, attr_list, md_in_html, tables, pymdownx.superfences]
plugins: [search, tags, runbooks]
"""


def _site_project(root: Path, shipped_runbooks: bool) -> None:
    shutil.copytree(REPO / "site-overrides", root / "site-overrides")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Runbooks\n")
    (root / "mkdocs.yml").write_text(MKDOCS)
    if shipped_runbooks:
        shutil.rmtree(root / "runbooks")
        shutil.copytree(REPO / "runbooks", root / "runbooks")


def _build(project, site: Path) -> None:
    result = project.run("build", "--strict", "--site-dir", str(site), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _panel(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index('<div class="admonition info rb-freshness"')
    return text[start:text.index("</div>", start)]


SECRET_RUNBOOK = """
    kind: runbook
    id: token-check
    title: Token check
    summary: Calls the API with a token.
    owner: platform-team
    variables:
      API_TOKEN: {description: API token, secret: true, required: true}
      REGION: {description: Region, default: eu-west-1}
    steps:
      - id: call
        title: Call the API
        run: 'echo "calling $REGION with $API_TOKEN"; echo "denied for $API_TOKEN" >&2; exit 5'
        on_failure: continue
      - id: log
        title: Log the token's fingerprint
        run: 'printf "%s" "$API_TOKEN" | sha256sum'
    """


def test_a_secret_that_went_through_a_real_run_is_nowhere_in_the_built_site(project, tmp_path):
    _site_project(project.root, shipped_runbooks=False)
    project.runbook(SECRET_RUNBOOK)
    secret = "tok-9f8e7d6c5b4a-SECRET"
    result = project.run("exec", "token-check", "--yes", env={"API_TOKEN": secret})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "calling eu-west-1 with ***" in result.stdout  # the command really got the value, and it was masked
    transcript = next((project.root / "transcripts").glob("*-token-check.jsonl"))
    assert secret not in transcript.read_text() and "denied for ***" in transcript.read_text()

    site = tmp_path / "site"
    _build(project, site)
    # The run reached the page: its failed step is listed there.
    panel = _panel(site / "runbooks" / "token-check" / "index.html")
    assert '<a href="#step-call"><code>call</code></a> (1×, last on 2026-12-02)' in panel
    # The panel is left out of the search index: "drill" on every page would bury what a search is for.
    indexed = pagefind_contents(site)["/runbooks/token-check/"]
    assert "Call the API" in indexed and "Last drill" not in indexed and "Rehearse it against staging" not in indexed
    assert not (site / "search" / "search_index.json").exists()  # Material's index: Pagefind's replaces it
    needles = {secret.encode(), html.escape(secret).encode(), secret.encode("utf-16-le")}
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 20  # the whole site: pages, search index, sitemap, assets
    leaked = [str(p.relative_to(site)) for p in files for n in needles if n in p.read_bytes()]
    assert leaked == []


def test_the_page_says_how_its_scenario_files_test_it(project, tmp_path):
    """`runbook test`'s step coverage on the built page: one scenario that runs one of the two steps."""
    _site_project(project.root, shipped_runbooks=False)
    project.runbook("""
        kind: runbook
        id: tick
        title: Tick
        summary: Checks and restarts.
        owner: platform-team
        steps:
          - {id: check, title: Check, run: 'true'}
          - {id: restart, title: Restart, run: 'true', risk: mutating}
        """)
    (project.root / "runbooks" / "tick.test.yaml").write_text(
        "kind: runbook-test\nrunbook: tick\nscenarios:\n"
        "  - name: the check passes and the operator skips the restart\n"
        "    results: {check: {}}\n"
        "    answers: {restart: skip}\n")
    site = tmp_path / "site"
    _build(project, site)
    panel = html.unescape(_panel(site / "runbooks" / "tick" / "index.html"))
    assert "1 scenario(s) run 1 of 2 steps (50%)" in panel, panel
