"""`runbook build`, `runbook serve` and `runbook render`: MkDocs with the project's mkdocs.yml.

Each returns an exit code: 0 built, 1 the runbooks have errors or MkDocs failed (strict warnings
included), 2 no usable mkdocs.yml.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from ..config import ConfigError, load_config
from ..errors import UserError

_log_handler: logging.Handler | None = None


def _mkdocs_file() -> Path:
    """The project's mkdocs.yml, or a default one when the project has none (another repository)."""
    from .defaults import default_mkdocs_file

    config = load_config()
    path = config.root / "mkdocs.yml"
    if path.is_file():
        return path
    if not config.runbooks.is_dir():
        raise ConfigError(f"{config.runbooks}: no runbooks folder here; set [tool.runbook] runbooks in pyproject.toml")
    return default_mkdocs_file(config)


def _show_mkdocs_log(level: int = logging.WARNING) -> None:
    """MkDocs reports through `logging`; print its warnings and errors as the mkdocs command does."""
    global _log_handler
    logger = logging.getLogger("mkdocs")
    if _log_handler is None:
        _log_handler = logging.StreamHandler(sys.stderr)
        _log_handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(_log_handler)
        logger.propagate = False
    _log_handler.setLevel(level)
    logger.setLevel(min(level, logging.INFO))


class _ConfigErrors(logging.Filter):
    """MkDocs logs each configuration error, then aborts with a general message: keep the errors (and do not
    print them), so that the CLI prints them once, on one line, in its own words."""

    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            self.messages.append(record.getMessage())
            return False
        return True


def _load_mkdocs_config(config_file: Path, **overrides):
    """MkDocs' configuration; a wrong value in mkdocs.yml (a plugin option included) is a ConfigError naming it."""
    from mkdocs import exceptions
    from mkdocs.config import load_config as mkdocs_load_config

    logger = logging.getLogger("mkdocs.config")
    errors = _ConfigErrors()
    logger.addFilter(errors)
    try:
        return mkdocs_load_config(config_file=str(config_file), **overrides)
    except exceptions.ConfigurationError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    except exceptions.Abort as exc:
        raise ConfigError(f"{config_file}: {'; '.join(errors.messages) or exc}") from None
    finally:
        logger.removeFilter(errors)


def _with_offline_plugin(config_file: Path) -> list:
    """The mkdocs.yml's plugins plus Material's offline plugin (a site that works from file://)."""
    from .render import read_mkdocs_yml

    plugins = list(read_mkdocs_yml(config_file).get("plugins") or [])
    names = {next(iter(p)) if isinstance(p, dict) else p for p in plugins}
    if not names & {"offline", "material/offline"}:
        plugins.append("offline")
    return plugins


def run_build(strict: bool, site_dir: Path | None, offline: bool = False) -> int:
    from mkdocs import exceptions
    from mkdocs.commands.build import build

    config_file = _mkdocs_file()
    _show_mkdocs_log()
    site = site_dir or load_config().site_dir
    overrides = {"plugins": _with_offline_plugin(config_file)} if offline else {}
    mk_config = _load_mkdocs_config(config_file, strict=strict, site_dir=str(Path(site).resolve()), **overrides)
    try:
        build(mk_config)
    except (exceptions.Abort, exceptions.BuildError) as exc:
        # The runbooks' findings or the strict-mode warnings were logged above; this is the summary.
        raise UserError(f"build failed: {exc}", exit_code=1) from None
    click.echo(f"built {site}" + (f"; open {Path(site) / 'index.html'} in a browser, no server needed" if offline else ""))
    return 0


def run_serve(dev_addr: str) -> int:
    from mkdocs import exceptions
    from mkdocs.commands.serve import serve

    config_file = _mkdocs_file()
    _show_mkdocs_log(logging.INFO)
    _load_mkdocs_config(config_file)  # a wrong setting is one line and exit 2, before the server starts
    try:
        # Dirty rebuilds: with the plugin's cache folder (live.py) a saved runbook rebuilds its own pages only.
        serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True, build_type="dirty", watch=[])
    except (exceptions.Abort, exceptions.BuildError) as exc:
        raise UserError(f"serve failed: {exc}", exit_code=1) from None
    except exceptions.ConfigurationError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    return 0


def run_render(out_dir: Path) -> int:
    from .catalog import CatalogErrors
    from .render import render_project

    config_file = _mkdocs_file()
    _load_mkdocs_config(config_file)  # a wrong setting is one line and exit 2, as for build
    try:
        written = render_project(config_file, out_dir)
    except CatalogErrors as exc:
        click.echo(str(exc), err=True)  # lint's lines, one per finding
        raise UserError("the runbooks have errors; nothing written", exit_code=1) from None
    click.echo(f"wrote {written} pages to {out_dir / 'docs'} and {out_dir / 'mkdocs.yml'}")
    return 0
