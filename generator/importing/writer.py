"""The runbook mapping -> readable YAML, checked against the schema before anyone sees it.

PyYAML writes it: block scalars (`|`) for multi-line text, no aliases, unicode as is, and the keys in the
order the schema lists its properties (the order of the format reference). The text is then read back
with the project's strict loader and validated; an import that does not pass is a bug and fails loudly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..findings import Finding
from ..loading import load_text
from ..codes import RULES
from ..config import find_project
from ..modeline import modeline
from ..schema import load_schema, validate


class InvalidImport(Exception):
    """The written YAML did not pass the loader or the schema: a bug in the importer, never hidden."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f.line_text() for f in findings))
        self.findings = findings


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True

    def increase_indent(self, flow=False, indentless=False):
        # `steps:` followed by `  - id: ...`, as people write it, rather than PyYAML's flush-left lists
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        # block scalars cannot hold trailing spaces on a line; they carry no meaning in Markdown or bash here
        value = "\n".join(line.rstrip() for line in value.split("\n"))
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


@lru_cache(maxsize=None)
def _orders() -> dict[str, list[str]]:
    schema = load_schema("runbook")
    defs = schema["$defs"]
    return {"runbook": list(schema["properties"]), "step": list(defs["step"]["properties"]),
            "phase": list(defs["phase"]["properties"]), "variable": list(defs["variable"]["properties"]),
            "expect": list(defs["expect"]["properties"])}


def _ordered(mapping: dict, kind: str) -> dict:
    order = _orders()[kind]
    rank = {key: i for i, key in enumerate(order)}
    return {key: mapping[key] for key in sorted(mapping, key=lambda k: rank.get(k, len(order)))}


def ordered_runbook(data: dict) -> dict:
    out = _ordered(data, "runbook")
    if "variables" in out:
        out["variables"] = {name: _ordered(v, "variable") for name, v in out["variables"].items()}
    if "steps" in out:
        out["steps"] = [_ordered(s, "step") for s in out["steps"]]
    if "phases" in out:
        out["phases"] = [{**_ordered(p, "phase"), "steps": [_ordered(s, "step") for s in p["steps"]]}
                         for p in (_ordered(p, "phase") for p in out["phases"])]
    return out


def dump(data: dict, target: Path | None, display: str, project_root: Path | None = None) -> str:
    """YAML text with the modeline, validated; raises InvalidImport if it does not pass.

    The modeline points at the schema relative to `target` (standard output: the current folder) inside
    the project at `project_root` (default: the project around the current folder); see modeline.py."""
    try:
        body = yaml.dump(ordered_runbook(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000,
                         default_flow_style=False, indent=2)
    except (yaml.YAMLError, TypeError, ValueError) as exc:  # an importer bug: this file's finding, not a traceback
        rule = RULES["RB712"]
        raise InvalidImport([Finding(display, 1, 1, rule.code, rule.severity, f"the YAML could not be written: {exc}")])
    folder = target.parent if target is not None else Path.cwd()
    root = project_root or find_project(Path.cwd().resolve())[0]
    text = f"{modeline(folder, root, write_copy=target is not None)}\n{body}"
    source = load_text(text, display)
    problems = [f for f in source.findings if f.severity in ("error", "warning")]
    if source.data is not None and not problems:
        problems = validate(source)
    if problems:
        raise InvalidImport(problems)
    return text
