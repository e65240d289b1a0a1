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
MATERIAL_SEARCH = "material/search"
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


class _NoMaterialIndex:
    """Stands in for Material's search index when Pagefind indexes the site. Material's search plugin stays
    listed (its header box is the one search.js answers) but would read every page a second time and write
    an index of the whole site that no page loads (12 MB at 2,000 runbooks)."""

    def add_entry_from_context(self, page) -> None:
        pass

    def generate_search_index(self, previous) -> str:
        return "{}"


def leave_out_material_index(plugins) -> None:
    """Call once Material's search plugin has set up (its on_config), before the pages are rendered."""
    material = plugins.get(MATERIAL_SEARCH)
    if material is not None and hasattr(material, "search_index"):
        material.search_index = _NoMaterialIndex()


def remove_material_index(site_dir: Path) -> None:
    """Delete the placeholder Material's plugin wrote in place of its index (search/search_index.json)."""
    index = site_dir / "search" / "search_index.json"
    index.unlink(missing_ok=True)
    try:
        index.parent.rmdir()
    except OSError:  # the folder holds other files, or is gone
        pass
