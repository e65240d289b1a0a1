"""The first line of every runbook `runbook new` and `runbook import` write: `# yaml-language-server: $schema=...`.

The reference must resolve on every clone of the project (a teammate's laptop, CI), so it is always a
path relative to the runbook file, never an absolute `file://` path into one machine's install folder:

- inside a checkout of this tool (its own `schemas/` is under the project root): the relative path to it;
- otherwise: `schemas/runbook.schema.json` at the project root, a copy of the installed tool's schema
  written there (committed with the runbooks, so editors complete and check them offline, at the version
  of the format the runbooks were written for). A copy the tool wrote carries a `$comment` that says so,
  and is refreshed when a newer tool writes a runbook; a schema of the project's own is never touched.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from . import __version__
from .schema import SCHEMA_FILES, load_schema, schema_dir

PREFIX = "# yaml-language-server: $schema="
_COPY_NOTE = ("Copied by runbook {version} from its package so that editors find the format on any clone; "
              "`runbook new` and `runbook import` refresh it. Do not edit.")
_COPY_MARK = "Copied by runbook "


def schema_reference(folder: Path, root: Path, write_copy: bool = True) -> str:
    """The `$schema=` value for a runbook written into `folder` of the project at `root` (writing the
    project's copy of the schema when it needs one, unless `write_copy` is false: YAML printed to
    standard output writes no file, and refers to where `runbook import` or `runbook new` put the copy)."""
    folder, root = folder.resolve(), root.resolve()
    if not (folder == root or root in folder.parents):
        root = folder  # written outside the project: the output folder carries its own copy
    schema = (schema_dir() / SCHEMA_FILES["runbook"]).resolve()
    if not (root in schema.parents):
        schema = _project_copy(root) if write_copy else root / "schemas" / SCHEMA_FILES["runbook"]
    return os.path.relpath(schema, folder).replace(os.sep, "/")


def modeline(folder: Path, root: Path, write_copy: bool = True) -> str:
    return f"{PREFIX}{schema_reference(folder, root, write_copy)}"


def _project_copy(root: Path) -> Path:
    target = root / "schemas" / SCHEMA_FILES["runbook"]
    text = _copy_text()
    try:
        current = target.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current is None or (current != text and _COPY_MARK in current[:400]):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError:
            pass  # a read-only project: the runbook's own write fails next, and says so in one line
    return target


@lru_cache(maxsize=1)  # a folder import compares hundreds of times with the one text
def _copy_text() -> str:
    schema = load_schema("runbook")
    copy = {"$comment": _COPY_NOTE.format(version=__version__), **{k: v for k, v in schema.items() if k != "$comment"}}
    # `$schema` (the JSON Schema dialect) stays the first key, as editors and people expect
    ordered = {k: copy[k] for k in ("$schema", "$comment") if k in copy} | copy
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
