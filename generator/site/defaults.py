"""A site for projects without a mkdocs.yml of their own.

`runbook build` in another repository needs only `[tool.runbook]`: the default configuration below is
written to `<project>/.runbook/` (a cache folder that ignores itself in git, as pytest's does) so that
MkDocs still finds pyproject.toml above it, and the theme overrides come from the installed package.
"""

from __future__ import annotations

from pathlib import Path

from ..config import CACHE_DIR, Config

CACHE = CACHE_DIR

DEFAULT_HOME = """\
---
title: Home
search:
  exclude: true
---

# Runbooks

Search for a service, an alert name, a symptom or a command, or browse [all runbooks](runbooks/index.md)
and [alerts](alerts/index.md). Run one from your shell with `runbook exec <id>`.

<!-- runbooks:severity-matrix -->

## Services

<!-- runbooks:services -->
"""

DEFAULT_MKDOCS = """\
# Written by `runbook build` because the project has no mkdocs.yml; add one to customise the site.
site_name: {site_name}
docs_dir: {docs_dir}
theme:
  name: material
  custom_dir: {overrides}
  font: false
  features: [content.code.copy, navigation.instant, navigation.tracking, navigation.indexes,
             navigation.sections, navigation.prune, search.highlight, search.suggest, search.share]
extra_css: [assets/stylesheets/runbooks.css]
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc: {{permalink: true}}
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.superfences
  - pymdownx.tasklist: {{custom_checkbox: true}}
plugins:
  - search:
      separator: '[\\s\\-,;:!=\\[\\]()"`/|<>&$]+|\\.(?!\\d)'
  - tags
  - runbooks
"""


def overrides_dir() -> Path:
    """The Material overrides: inside the installed package (wheel), else the checkout's site-overrides/."""
    packaged = Path(__file__).parent / "overrides"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "site-overrides"


def default_mkdocs_file(config: Config) -> Path:
    """Write (or refresh) the default mkdocs.yml for `config`'s project and return its path."""
    cache = config.root / CACHE
    docs = config.root / "docs"
    if not docs.is_dir():
        docs = cache / "docs"
        docs.mkdir(parents=True, exist_ok=True)
        (docs / "index.md").write_text(DEFAULT_HOME, encoding="utf-8")
    cache.mkdir(exist_ok=True)
    (cache / ".gitignore").write_text("*\n", encoding="utf-8")
    path = cache / "mkdocs.yml"
    text = DEFAULT_MKDOCS.format(site_name=_quote(f"{config.root.name} runbooks"), docs_dir=_quote(str(docs)),
                                 overrides=_quote(str(overrides_dir())))
    path.write_text(text, encoding="utf-8")
    return path


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
