"""Project settings from `[tool.runbook]` in the nearest pyproject.toml."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from .errors import UserError
from .loading import DEFAULT_MAX_BYTES


class ConfigError(UserError):
    """A setting is wrong; the message says which and how to fix it (exit code 2)."""


@dataclass(frozen=True)
class LintConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    destructive_patterns: tuple[str, ...] = ()
    review_interval: str = "180d"
    drill_interval: str | None = None  # RB503: a successful run or drill is due within it; None: not checked
    max_file_size: int = DEFAULT_MAX_BYTES
    # Alert rule label `severity` -> finding severity for an alert without runbook_url ("*": any other).
    runbook_url_severity: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Config:
    root: Path
    runbooks: Path
    transcripts: Path
    site_dir: Path
    pyproject: Path | None = None
    lint: LintConfig = field(default_factory=LintConfig)
    alert_rules: tuple[str, ...] = ()  # globs of Prometheus rule files, relative to root
    site_url: str | None = None  # where the site is published (`site-url`, else mkdocs.yml's site_url)
    # Rule annotations that hold an alert's runbook link, first found wins (GitLab writes `runbook`).
    runbook_url_annotations: tuple[str, ...] = ("runbook_url",)


CACHE_DIR = ".runbook"  # where `runbook build` writes its default mkdocs.yml; never a project root itself


def find_project(start: Path) -> tuple[Path, Path | None, dict[str, Any]]:
    """The project root, its pyproject.toml (when that has [tool.runbook]) and that table.

    The root is the nearest folder, from `start` upwards (as git and ruff find theirs), that holds a
    pyproject.toml with [tool.runbook], a mkdocs.yml or a runbooks/ folder; `start` itself when none does,
    so that `runbook new` in an empty folder starts a project there.
    """
    for folder in (start, *start.parents):
        if folder.name == CACHE_DIR:
            continue
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _runbook_table(pyproject)
            if table is not None:
                return folder, pyproject, table
        if (folder / "mkdocs.yml").is_file() or (folder / "runbooks").is_dir():
            return folder, None, {}
    return start, None, {}


def _runbook_table(pyproject: Path) -> dict[str, Any] | None:
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read [tool.runbook]: {exc}") from None
    tool = document.get("tool", {})
    table = tool.get("runbook") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.runbook] must be a table")
    return table


def load_config(start: Path | None = None) -> Config:
    start = (start or Path.cwd()).resolve()
    root, pyproject, table = find_project(start)
    lint_table = table.get("lint", {})
    known = {"runbooks", "transcripts", "site-dir", "lint", "alert-rules", "site-url", "runbook-url-annotations"}
    _check_keys(pyproject, "tool.runbook", table, known)
    _check_keys(pyproject, "tool.runbook.lint", lint_table,
                {"select", "ignore", "per-file-ignores", "severity", "destructive-patterns", "review-interval", "max-file-size",
                 "runbook-url-severity", "drill-interval"})
    lint = LintConfig(
        select=tuple(_str_list(pyproject, "lint.select", lint_table.get("select", []))),
        ignore=tuple(_str_list(pyproject, "lint.ignore", lint_table.get("ignore", []))),
        per_file_ignores=tuple((glob, tuple(_str_list(pyproject, f"lint.per-file-ignores.{glob}", codes)))
                               for glob, codes in _table(pyproject, "lint.per-file-ignores", lint_table.get("per-file-ignores", {})).items()),
        severity=tuple((code, _severity(pyproject, code, value))
                       for code, value in _table(pyproject, "lint.severity", lint_table.get("severity", {})).items()),
        destructive_patterns=tuple(_str_list(pyproject, "lint.destructive-patterns", lint_table.get("destructive-patterns", []))),
        review_interval=_duration(pyproject, lint_table.get("review-interval", "180d")),
        drill_interval=(check_review_interval(lint_table["drill-interval"], _where(pyproject, "lint.drill-interval"))
                        if "drill-interval" in lint_table else None),
        max_file_size=_positive_int(pyproject, "lint.max-file-size", lint_table.get("max-file-size", DEFAULT_MAX_BYTES)),
        runbook_url_severity=tuple((label, _severity(pyproject, f"runbook-url-severity.{label}", value)) for label, value in
                                   _table(pyproject, "lint.runbook-url-severity", lint_table.get("runbook-url-severity", {})).items()),
    )
    return Config(
        root=root,
        runbooks=root / _str(pyproject, "runbooks", table.get("runbooks", "runbooks")),
        transcripts=root / _str(pyproject, "transcripts", table.get("transcripts", "transcripts")),
        site_dir=root / _str(pyproject, "site-dir", table.get("site-dir", "site")),
        pyproject=pyproject,
        lint=lint,
        alert_rules=tuple(_str_list(pyproject, "alert-rules", table.get("alert-rules", []))),
        site_url=_str(pyproject, "site-url", table["site-url"]) if "site-url" in table else _mkdocs_site_url(root),
        runbook_url_annotations=_annotation_names(pyproject, table.get("runbook-url-annotations", ["runbook_url"])),
    )


def _where(pyproject: Path | None, key: str) -> str:
    return f"{pyproject or 'pyproject.toml'}: [tool.runbook] {key}"


def _check_keys(pyproject, section: str, table: Any, known: set[str]) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [{section}] must be a table")
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown setting {unknown[0]!r} in [{section}]; known: {', '.join(sorted(known))}")


def _str(pyproject, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{_where(pyproject, key)} must be a non-empty string")
    return value


def _str_list(pyproject, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{_where(pyproject, key)} must be a list of strings")
    return value


def _annotation_names(pyproject, value: Any) -> tuple[str, ...]:
    names = _str_list(pyproject, "runbook-url-annotations", value)
    bad = [name for name in names if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", name)]
    if not names or bad:
        what = f"{bad[0]!r} is not an annotation name" if bad else "is empty"
        raise ConfigError(f"{_where(pyproject, 'runbook-url-annotations')}: {what}; "
                          'list the annotations that hold runbook links, such as ["runbook_url", "runbook"]')
    return tuple(dict.fromkeys(names))


def _table(pyproject, key: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{_where(pyproject, key)} must be a table")
    return value


def _severity(pyproject, code: str, value: Any) -> str:
    if value not in ("error", "warning", "info", "off"):
        key = "lint." + code if code.startswith("runbook-url-severity.") else "lint.severity." + code
        raise ConfigError(f"{_where(pyproject, key)} must be error, warning, info or off")
    return value


def check_review_interval(value: Any, where: str) -> str:
    """A review interval such as "180d" or "26w"; `where` names the setting in the error."""
    if not isinstance(value, str) or not re.fullmatch(r"[1-9][0-9]*(d|w)", value):
        raise ConfigError(f"{where} must be a number of days or weeks such as \"180d\", not {value!r}")
    return value


def _duration(pyproject, value: Any) -> str:
    return check_review_interval(value, _where(pyproject, "lint.review-interval"))


def _positive_int(pyproject, key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{_where(pyproject, key)} must be a positive integer")
    return value


def _mkdocs_site_url(root: Path) -> str | None:
    """`site_url` from mkdocs.yml, read leniently (MkDocs files carry tags such as `!ENV` that we do not resolve)."""
    import yaml

    path = root / "mkdocs.yml"
    if not path.is_file():
        return None

    class Lenient(yaml.SafeLoader):
        pass

    Lenient.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Lenient)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # MkDocs reports a broken mkdocs.yml itself
    value = data.get("site_url") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None
