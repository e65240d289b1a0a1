"""`runbook render OUT_DIR`: the site as a plain MkDocs project, with no plugin of ours.

OUT_DIR/docs holds the hand-written pages (markers expanded) and the generated ones, OUT_DIR/site-overrides
the theme overrides, and OUT_DIR/mkdocs.yml the project's configuration without the `runbooks` plugin and
with the generated navigation. `mkdocs build -f OUT_DIR/mkdocs.yml` then builds the same site, and so can
other engines that read mkdocs.yml (Zensical).

Edit links: each generated page carries its YAML file's address in its front matter (`runbook_edit_url`),
which the "Generated from ..." line of the theme override links to. Plain MkDocs has no per-page edit
URL, so Material's own edit button (feature `content.action.edit`, off in the shipped mkdocs.yml) would
still point at docs/*.md in a rendered project; under the plugin it points at the YAML.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from .catalog import load_site_source
from .edit import edit_base
from .pages import SiteRenderer

PLUGIN = "runbooks"


def read_mkdocs_yml(config_file: Path) -> dict:
    from mkdocs.utils.yaml import yaml_load

    with config_file.open(encoding="utf-8") as stream:
        return yaml_load(stream) or {}


def _without_plugin(plugins):
    kept = []
    for entry in plugins or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if name != PLUGIN:
            kept.append(entry)
    return kept


def _plugin_options(plugins) -> dict:
    for entry in plugins or []:
        if isinstance(entry, dict) and PLUGIN in entry:
            return entry[PLUGIN] or {}
    return {}


def render_project(config_file: Path, out_dir: Path) -> int:
    """Write the project; returns the number of Markdown pages written. Raises CatalogErrors."""
    root = config_file.resolve().parent
    settings = read_mkdocs_yml(config_file)
    options = _plugin_options(settings.get("plugins"))
    source = load_site_source(root, options.get("runbooks"), options.get("review_interval"))
    # The edit links go into the pages' front matter, as with the plugin (MkDocs' own edit_uri
    # default for GitHub and GitLab included, hence its config loader).
    from mkdocs.config import load_config as mkdocs_load_config

    mk_config = mkdocs_load_config(config_file=str(config_file))
    base = edit_base(mk_config.repo_url, mk_config.edit_uri, Path(mk_config.docs_dir), root, options.get("edit_uri"))
    renderer = SiteRenderer(source.catalog, source.folder, source.review_interval, edit_base=base, project_root=root,
                            history=source.history, scenario_coverage=source.scenario_coverage)

    docs_in = root / settings.get("docs_dir", "docs")
    docs_out = out_dir / "docs"
    if docs_out.exists():
        shutil.rmtree(docs_out)
    docs_out.mkdir(parents=True)
    handwritten = []
    if docs_in.is_dir():
        for path in sorted(docs_in.rglob("*")):
            if not path.is_file():
                continue
            uri = path.relative_to(docs_in).as_posix()
            target = docs_out / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".md":
                handwritten.append(uri)
                target.write_text(renderer.expand_markers(path.read_text(encoding="utf-8"), uri), encoding="utf-8")
            else:
                shutil.copy2(path, target)
    pages = renderer.pages()
    for page in pages:
        target = docs_out / page.uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")

    theme = dict(settings.get("theme") or {})
    custom_dir = theme.get("custom_dir")
    if custom_dir:
        overrides_out = out_dir / "site-overrides"
        if overrides_out.exists():
            shutil.rmtree(overrides_out)
        shutil.copytree(root / custom_dir, overrides_out)
        theme["custom_dir"] = "site-overrides"
    settings.update(theme=theme, docs_dir="docs", site_dir="site", plugins=_without_plugin(settings.get("plugins")))
    if options.get("nav", True) and not settings.get("nav"):
        settings["nav"] = renderer.nav(sorted(handwritten))
        # The pages the generated navigation leaves out on purpose (alert pages, further index pages).
        patterns = [line for line in str(settings.get("not_in_nav") or "").splitlines() if line.strip()]
        settings["not_in_nav"] = "\n".join([*patterns, *(p for p in renderer.not_in_nav() if p not in patterns)]) + "\n"
    (out_dir / "mkdocs.yml").write_text(
        "# Written by `runbook render`: the runbook site as a plain MkDocs project (no runbooks plugin).\n"
        + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return len(pages) + len(handwritten)
