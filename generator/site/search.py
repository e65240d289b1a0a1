"""The site's search index with Pagefind, for `runbook build`.

Material's search ships one index of the whole site that each visitor's browser loads and builds before
the first answer: 1.3 s at 500 runbooks, 5 s at 2,000 (bench/search_bench.py). Pagefind writes the index
in chunks (site/pagefind/) and the browser fetches only the chunks of the words typed, from the site
itself. Its indexer is multi-threaded (both cores). The binary comes from the `pagefind[bin]` wheel.

Where Pagefind is not used, Material's search stays: `runbook build --offline` (a site opened from
file://, where the browser may not fetch the chunks), `runbook serve` (each rebuild would index again),
and `runbook render`'s engine-neutral project. With Pagefind the plugin puts `pagefind_theme/` in front of the
theme (partials/search.html, assets/javascripts/search.js) and sets `config.extra.runbooks_search`, which
site-overrides/main.html reads to mark what Pagefind indexes and to load search.js.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

MODE_KEY = "runbooks_search"
THEME_DIR = Path(__file__).parent / "pagefind_theme"
PAGEFIND = "pagefind"


class SearchIndexError(Exception):
    """Pagefind failed; the message says why."""


def pagefind_executable() -> Path | None:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except FileNotFoundError:
        return None


def index_site(site_dir: Path) -> None:
    """Write site_dir/pagefind/ from the built pages (those whose content says `data-pagefind-body`)."""
    executable = pagefind_executable()
    if executable is None:
        raise SearchIndexError("the Pagefind binary is missing: pip install 'pagefind[bin]'")
    # The headings' permalinks (¶) are not words of the page.
    result = subprocess.run([str(executable), "--site", str(site_dir), "--output-subdir", "pagefind", "--silent",
                             "--exclude-selectors", ".headerlink"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed: {(result.stderr or result.stdout).strip()[-2000:]}")
