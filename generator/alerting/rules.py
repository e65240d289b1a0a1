"""Alerting rules from Prometheus rule files and Kubernetes PrometheusRule objects, with positions.

    groups: [{name, rules: [{alert, expr, for, labels, annotations}]}]          # a Prometheus rule file
    apiVersion: monitoring.coreos.com/v1, kind: PrometheusRule, spec: {groups}  # the same, in Kubernetes

A file may hold several YAML documents (Kubernetes manifests do); documents of other kinds are
skipped. Recording rules (`record:`) are read past: only alerts link to runbooks.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, ConfigError
from ..codes import RULES
from ..findings import Finding
from ..loading import DEFAULT_MAX_BYTES, Source, load_stream
from ..project import YAML_SUFFIXES, discover, display_path

RULE_FILE = RULES["RB801"]

_ALERT_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


@dataclass(frozen=True)
class AlertRule:
    name: str
    path: str
    line: int  # of the `alert:` value
    column: int
    pointer: str  # JSON pointer of the rule inside its document
    labels: dict = field(compare=False, hash=False)
    annotations: dict = field(compare=False, hash=False)
    source: Source = field(compare=False, hash=False, repr=False)

    @property
    def runbook_url(self) -> str | None:
        value = self.annotations.get("runbook_url")
        return value if isinstance(value, str) else None

    @property
    def severity(self) -> str:
        value = self.labels.get("severity")
        return value if isinstance(value, str) else ""

    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class RuleFiles:
    sources: list[Source] = field(default_factory=list)
    rules: list[AlertRule] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0

    @property
    def names(self) -> set[str]:
        return {rule.name for rule in self.rules}


def rule_file_paths(config: Config, given: list[Path] = ()) -> list[Path]:
    """The configured globs (relative to the project root) and the paths given on the command line."""
    paths: list[Path] = []
    for pattern in config.alert_rules:
        matches = sorted(glob.glob(str(config.root / pattern), recursive=True))
        files = [Path(m) for m in matches if Path(m).is_file() and m.endswith(YAML_SUFFIXES)]
        if not files:
            raise ConfigError(f"{config.pyproject or 'pyproject.toml'}: [tool.runbook] alert-rules: {pattern!r} matches no "
                              f"YAML file under {config.root}; fix the glob or remove it")
        paths.extend(files)
    for path in given:
        if not path.exists():
            raise ConfigError(f"--alert-rules {path}: no such file or folder")
        paths.extend(discover([path]))
    return list(dict.fromkeys(p.resolve() for p in paths))


def load_rule_files(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> RuleFiles:
    result = RuleFiles(files=len(paths))
    for path in paths:
        shown = display_path(path)
        for source in load_stream(path, shown, max_bytes):
            result.sources.append(source)
            result.findings.extend(source.findings)
            if source.ok and isinstance(source.data, dict):
                _document(source, result)
    return result


def _document(source: Source, result: RuleFiles) -> None:
    data = source.data
    kind = data.get("kind")
    if kind is not None and "groups" not in data:
        if kind != "PrometheusRule":
            return  # another Kubernetes object in the same manifest
        spec = data.get("spec")
        if not isinstance(spec, dict) or not isinstance(spec.get("groups"), list):
            _problem(source, result, "/spec" if isinstance(spec, dict) else "", "a PrometheusRule needs `spec.groups`, a list of rule groups")
            return
        groups, base = spec["groups"], "/spec/groups"
    elif isinstance(data.get("groups"), list):
        groups, base = data["groups"], "/groups"
    else:
        _problem(source, result, "", "not a Prometheus rule file: expected `groups:` (a list of rule groups) "
                                     "or a Kubernetes PrometheusRule with `spec.groups`")
        return
    for g, group in enumerate(groups):
        where = f"{base}/{g}"
        if not isinstance(group, dict) or not isinstance(group.get("rules", []), list):
            _problem(source, result, where, "a rule group is a mapping with `name` and a list of `rules`")
            continue
        for r, rule in enumerate(group.get("rules", [])):
            _rule(source, result, f"{where}/rules/{r}", rule)


def _rule(source: Source, result: RuleFiles, pointer: str, rule) -> None:
    if not isinstance(rule, dict) or ("alert" not in rule and "record" not in rule):
        _problem(source, result, pointer, "a rule is a mapping with `alert` (an alerting rule) or `record` (a recording rule)")
        return
    if "alert" not in rule:
        return
    name = rule["alert"]
    if not isinstance(name, str) or not _ALERT_NAME.match(name):
        _problem(source, result, f"{pointer}/alert", f"alert name {name!r} is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
        return
    if not isinstance(rule.get("expr"), (str, int, float)) or isinstance(rule.get("expr"), bool):
        _problem(source, result, pointer, f"alert {name} has no `expr`")
    texts = {}
    for key in ("labels", "annotations"):
        value = rule.get(key, {}) or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            _problem(source, result, f"{pointer}/{key}", f"`{key}` of alert {name} must map names to text (quote numbers)")
            value = {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}
        texts[key] = value
    line, column = source.locate(f"{pointer}/alert")
    result.rules.append(AlertRule(name, source.path, line, column, pointer, texts["labels"], texts["annotations"], source))


def _problem(source: Source, result: RuleFiles, pointer: str, message: str) -> None:
    line, column = source.locate(pointer)
    result.findings.append(Finding(source.path, line, column, RULE_FILE.code, RULE_FILE.severity, message, pointer))
