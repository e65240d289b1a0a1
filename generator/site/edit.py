"""Where a generated page is edited: its YAML file in the repository, not a Markdown file in docs/.

The plugin and `runbook render` both write the address into the page's front matter
(`runbook_edit_url`), so the page text is the same either way and the rendered project needs no plugin:
the theme override links "Generated from ..." to it, and the plugin also sets Material's edit button.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import urljoin


def edit_base(repo_url: str | None, edit_uri: str | None, docs_dir: Path, project_root: Path,
              override: str | None = None) -> str | None:
    """The address that project-relative paths are appended to, or None when the site has no repo_url.

    `edit_uri` is MkDocs' (it ends with the docs folder, as in `edit/main/docs/`); the docs folder is
    taken off its end. `override` (the plugin's own `edit_uri`) is used as it is.
    """
    if not repo_url:
        return None
    uri = override
    if uri is None:
        uri = edit_uri or ""
        try:
            docs_part = docs_dir.resolve().relative_to(project_root.resolve()).as_posix() + "/"
        except ValueError:
            docs_part = ""
        if docs_part and uri.endswith(docs_part):
            uri = uri[: -len(docs_part)]
    if uri and not uri.endswith("/"):
        uri += "/"
    return urljoin(repo_url.rstrip("/") + "/", uri)


def edit_url(base: str | None, project_root: Path, source: str) -> str | None:
    """The edit address of the YAML file `source`, or None (no repo_url, or a file outside the project)."""
    if base is None:
        return None
    try:
        relative = Path(source).resolve().relative_to(project_root.resolve()).as_posix()
    except ValueError:
        return None
    return urljoin(base, posixpath.normpath(relative))
