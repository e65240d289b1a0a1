"""`runbook lint --changed`: the runbooks a change touches, plus the documents that refer to them.

Cross-file rules (unknown references, duplicate ids) must stay right when only part of a large
repository is linted, so a changed catalog pulls in every runbook that points into it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .config import ConfigError
from .model import Document, Runbook, SeverityLevels, Templates
from .project import YAML_SUFFIXES, Catalog

DEFAULT_BASES = ("origin/main", "origin/master", "main", "master")


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ConfigError("--changed needs git, which is not installed") from None
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise ConfigError(f"--changed: git {' '.join(args[:2])}: {message}")
    return done.stdout


def changed_files(root: Path, base: str | None) -> tuple[list[Path], list[Path]]:
    """(changed or added YAML files that exist, deleted YAML files) against the merge base with `base`."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    if base is None:
        for candidate in DEFAULT_BASES:
            probe = subprocess.run(["git", "rev-parse", "--verify", "--quiet", candidate + "^{commit}"],
                                   cwd=root, capture_output=True, text=True, check=False)
            if probe.returncode == 0:
                base = candidate
                break
        else:
            raise ConfigError("--changed: no base branch found (tried " + ", ".join(DEFAULT_BASES) + "); pass --base REF")
    merge_base = _git(root, "merge-base", base, "HEAD").strip()
    names = set(_git(root, "diff", "--name-only", "--no-renames", merge_base).splitlines())
    names |= set(_git(root, "ls-files", "--others", "--exclude-standard").splitlines())
    existing, deleted = [], []
    for name in sorted(names):
        if not name.endswith(YAML_SUFFIXES):
            continue
        path = top / name
        (existing if path.exists() else deleted).append(path)
    return existing, deleted


def defined_ids(doc: Document) -> set[str]:
    """Ids a document makes available to others: its own, and its levels' or templates' ids."""
    ids = {doc.id}
    if isinstance(doc, SeverityLevels):
        ids |= {level.id for level in doc.levels}
    if isinstance(doc, Templates):
        ids |= {template.id for template in doc.templates}
    return ids


def referenced_ids(doc: Document) -> set[str]:
    if not isinstance(doc, Runbook):
        return set()
    ids = set(doc.related) | {doc.severity, doc.escalation} | {step.template for step in doc.steps}
    ids |= {step.called[0] for step in doc.steps if step.uses}  # a caller is checked again when its callee changes
    return ids - {None}


def select_changed(catalog: Catalog, changed: list[Path], deleted: list[Path]) -> list[Path]:
    """The changed files that live in the catalog's folders, plus every document referring to them."""
    changed_resolved = {p.resolve() for p in changed}
    touched_ids = {p.stem for p in deleted}
    for doc in catalog.lintable:
        if Path(doc.path).resolve() in changed_resolved:
            touched_ids |= defined_ids(doc)
    in_catalog = {Path(s.path).resolve() for s in catalog.sources}  # once: not every source per changed file
    selected = {p.resolve(): p for p in changed if p.resolve() in in_catalog}
    for doc in catalog.lintable:
        if referenced_ids(doc) & touched_ids:
            selected.setdefault(Path(doc.path).resolve(), Path(doc.path))
    return [selected[key] for key in sorted(selected)]
