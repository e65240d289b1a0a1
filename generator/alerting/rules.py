"""Alerting rules from Prometheus rule files and Kubernetes PrometheusRule objects, with positions.

    groups: [{name, rules: [{alert, expr, for, labels, annotations}]}]          # a Prometheus rule file
    apiVersion: monitoring.coreos.com/v1, kind: PrometheusRule, spec: {groups}  # the same, in Kubernetes

A file may hold several YAML documents (Kubernetes manifests do); documents of other kinds are
skipped, and so are the other files a monitoring folder holds (promtool's rule tests, Prometheus' and
Alertmanager's configuration). Recording rules (`record:`) are read past: only alerts link to runbooks.

Rule files belong to Prometheus (and Thanos, Mimir), so they are read the way Prometheus reads them, not
with the strict rules of our own documents: merge keys (`<<: *defaults`) are merged, an alert name is
any label value (`Elasticsearch ILM errors in production`), label and annotation values may be numbers or
booleans (their text is the value), an empty file or group holds no rules. `promtool check rules` is the
peer: what it accepts gives no RB801 (tests/test_alert_rules_peer.py).
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import Config, ConfigError
from ..codes import RULES
from ..findings import Finding
from ..lint.positions import node_at
from ..loading import DEFAULT_MAX_BYTES, Source, load_stream
from ..project import YAML_SUFFIXES, discover, display_path

RULE_FILE = RULES["RB801"]
TEMPLATE = RULES["RB808"]
# A line of Go template code (Helm): `{{- if .Values.monitoring }}`, `{{ include "x" . }}`, `{{- end }}`.
_TEMPLATE_LINE = re.compile(r"^\s*(-\s+)?\{\{-?\s*(if|else|end|with|range|define|include|template|toYaml|\.|\$|/\*)", re.MULTILINE)
EMPTY_FILE = RULES["RB009"]
NOT_MAPPING = RULES["RB011"]

# Rule files go by these names too (Prometheus 2 examples, kube-prometheus' mixins, GitLab's runbooks repository).
RULE_SUFFIXES = YAML_SUFFIXES + (".rules", ".alerts")
DEFAULT_URL_ANNOTATIONS = ("runbook_url",)
# Prometheus reads rule files of any size; generated ones (SLO rules, mixins) outgrow a runbook's max-file-size.
RULE_FILE_MAX_BYTES = 64 * 1024 * 1024
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


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
    expr: str = field(default="", compare=False, hash=False)
    # The annotation that holds the runbook link (the first of `runbook-url-annotations` the rule has);
    # None: the rule has none of them.
    link_annotation: str | None = field(default=None, compare=False, hash=False)

    @property
    def runbook_url(self) -> str | None:
        value = self.annotations.get(self.link_annotation) if self.link_annotation else None
        return value if value else None

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
    url_annotations: tuple[str, ...] = DEFAULT_URL_ANNOTATIONS
    root: Path | None = None  # the project, against which repository-relative links are resolved

    @property
    def names(self) -> set[str]:
        return {rule.name for rule in self.rules}


def rule_file_paths(config: Config, given: list[Path] = ()) -> list[Path]:
    """The configured globs (relative to the project root) and the paths given on the command line."""
    paths: list[Path] = []
    for pattern in config.alert_rules:
        matches = sorted(glob.glob(str(config.root / pattern), recursive=True))
        files = discover([Path(m) for m in matches], RULE_SUFFIXES)
        files = [f for f in files if f.is_file() and f.name.endswith(RULE_SUFFIXES)]
        if not files:
            raise ConfigError(f"{config.pyproject or 'pyproject.toml'}: [tool.runbook] alert-rules: {pattern!r} matches no "
                              f"rule file ({', '.join('*' + s for s in RULE_SUFFIXES)}) under {config.root}; fix the glob or remove it")
        paths.extend(files)
    for path in given:
        if not path.exists():
            raise ConfigError(f"--alert-rules {path}: no such file or folder")
        paths.extend(discover([path], RULE_SUFFIXES))
    return list(dict.fromkeys(p.resolve() for p in paths))


def load_rule_files(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES,
                    url_annotations: tuple[str, ...] = DEFAULT_URL_ANNOTATIONS, root: Path | None = None) -> RuleFiles:
    """Every alerting rule of these files; `url_annotations` name the annotations that hold runbook links."""
    result = RuleFiles(files=len(paths), url_annotations=tuple(url_annotations), root=root)
    for path in paths:
        shown = display_path(path)
        sources = load_stream(path, shown, max(max_bytes, RULE_FILE_MAX_BYTES), foreign=True)
        if _template(sources):
            line = sources[0].text.count("\n", 0, _TEMPLATE_LINE.search(sources[0].text).start()) + 1
            result.findings.append(Finding(shown, line, 1, TEMPLATE.code, TEMPLATE.severity,
                                           "a Helm or Go template (`{{ ... }}` around the YAML), not a rule file yet; "
                                           "render it (`helm template`) and check the output"))
            continue
        for index, source in enumerate(sources):
            # An empty, comment-only or `null` rule file holds no rules; Prometheus loads it.
            source.findings = [f for f in source.findings
                               if f.code != EMPTY_FILE.code and not (f.code == NOT_MAPPING.code and _null_document(source))]
            result.sources.append(source)
            result.findings.extend(source.findings)
            if source.ok and isinstance(source.data, dict):
                _document(source, result, first=index == 0)
    return result


def _template(sources: list[Source]) -> bool:
    """A file that is not YAML because Go template code (Helm's) wraps or fills it."""
    failed = any(f.severity == "error" and f.code.startswith("RB0") for source in sources for f in source.findings)
    return failed and bool(sources) and _TEMPLATE_LINE.search(sources[0].text or "") is not None


def _null_document(source: Source) -> bool:
    """A file that is one `null` (or `~`) document, as jsonnet writes an empty rule set."""
    try:
        node = yaml.compose(source.text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return False
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _document(source: Source, result: RuleFiles, first: bool = True) -> None:
    data = source.data
    if not data:
        return  # `{}`: no groups, which Prometheus loads as no rules
    if not first and "kind" not in data and "groups" not in data:
        return  # Prometheus reads a rule file's first document only; a later one that is no rule file is not its business
    if "groups" not in data and _other_tool(data):
        return  # promtool's unit tests, Prometheus' or Alertmanager's configuration next to the rule files
    kind = data.get("kind")
    if kind is not None and "groups" not in data:
        if kind != "PrometheusRule":
            return  # another Kubernetes object in the same manifest
        spec = data.get("spec")
        if spec is None or (isinstance(spec, dict) and spec.get("groups") is None):
            return  # `groups` is optional in the PrometheusRule resource: no groups, no rules
        if not isinstance(spec, dict) or not isinstance(spec.get("groups"), list):
            _problem(source, result, "/spec" if isinstance(spec, dict) else "", "a PrometheusRule needs `spec.groups`, a list of rule groups")
            return
        groups, base = spec["groups"], "/spec/groups"
    elif isinstance(data.get("groups"), list) or ("groups" in data and data["groups"] is None):
        groups, base = data["groups"] or [], "/groups"
    else:
        _problem(source, result, "", "not a Prometheus rule file: expected `groups:` (a list of rule groups) "
                                     "or a Kubernetes PrometheusRule with `spec.groups`")
        return
    for g, group in enumerate(groups):
        where = f"{base}/{g}"
        if not isinstance(group, dict) or not isinstance(group.get("rules") or [], list):
            _problem(source, result, where, "a rule group is a mapping with `name` and a list of `rules`")
            continue
        for r, rule in enumerate(group.get("rules") or []):
            _rule(source, result, f"{where}/rules/{r}", rule)


# Top-level keys of the other files a monitoring folder holds beside its rule files: promtool's rule tests
# (`rule_files`, `tests`), Prometheus' configuration (`scrape_configs`...), Alertmanager's (`route`,
# `receivers`). Prometheus never reads them as rule files, so neither does a folder given to lint.
_OTHER_TOOLS = (frozenset({"rule_files", "tests", "evaluation_interval", "group_eval_order"}),
                frozenset({"scrape_configs", "global", "alerting", "remote_write", "remote_read", "storage"}),
                frozenset({"route", "receivers", "inhibit_rules", "templates", "time_intervals",
                           "mute_time_intervals"}))


def _other_tool(data: dict) -> bool:
    """Is this document another tool's file: all its keys belong to one of them, and a key only it has is there?"""
    keys = {str(key) for key in data}
    return any(keys <= known and keys & (known - {"global", "templates"}) for known in _OTHER_TOOLS) or \
        bool(keys & {"rule_files", "scrape_configs", "receivers"}) and "rules" not in keys


def _rule(source: Source, result: RuleFiles, pointer: str, rule) -> None:
    if not isinstance(rule, dict) or ("alert" not in rule and "record" not in rule):
        _problem(source, result, pointer, "a rule is a mapping with `alert` (an alerting rule) or `record` (a recording rule)")
        return
    if "alert" not in rule:
        return
    name = _text(source, f"{pointer}/alert", rule["alert"])
    if name is None or not name:
        _problem(source, result, f"{pointer}/alert", "an alert name is text, and not empty")
        return
    expr = _text(source, f"{pointer}/expr", rule.get("expr"))
    if not expr:
        _problem(source, result, pointer, f"alert {name} has no `expr`")
    texts = {}
    for key in ("labels", "annotations"):
        value = rule.get(key) or {}
        if not isinstance(value, dict):
            _problem(source, result, f"{pointer}/{key}", f"`{key}` of alert {name} must map names to values")
            value = {}
        values = {}
        for item, raw in value.items():
            text = _text(source, f"{pointer}/{key}/{item}", raw)
            if text is None:
                _problem(source, result, f"{pointer}/{key}/{item}", f"`{key}.{item}` of alert {name} must be one value, not a list or mapping")
            elif not _LABEL_NAME.match(str(item)):
                _problem(source, result, f"{pointer}/{key}", f"{str(item)!r} in `{key}` of alert {name} is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)")
            else:
                values[str(item)] = text
        texts[key] = values
    link = next((a for a in result.url_annotations if texts["annotations"].get(a)), None)
    line, column = source.locate(f"{pointer}/alert")
    result.rules.append(AlertRule(name, source.path, line, column, pointer, texts["labels"], texts["annotations"], source,
                                  expr or "", link))


def _text(source: Source, pointer: str, value) -> str | None:
    """A scalar as Prometheus reads it into a string: its text as written (`5`, `0.5`, `yes`), `""` for null;
    None for a list or mapping."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return None
    node = node_at(source, pointer)  # the text as written, not Python's spelling of the number
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(value, bool):  # merged in from an anchor: no node at this pointer
        return "true" if value else "false"
    return str(value)


def _problem(source: Source, result: RuleFiles, pointer: str, message: str) -> None:
    line, column = source.locate(pointer)
    result.findings.append(Finding(source.path, line, column, RULE_FILE.code, RULE_FILE.severity, message, pointer))
