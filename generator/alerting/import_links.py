"""Alerts stay linked through a migration: which alerting rules already point at the Markdown files being
imported, and what each imported runbook gets from them (`alerts`, and `label:` on its variables).

A rule points at an imported file when its runbook link (the first of `runbook-url-annotations` it carries)
is one of:

- a repository-relative path (GitLab's `runbook: docs/patroni/README.md`) whose parts end the file's path;
- a repository blob address ending in the file's path
  (`https://github.com/openshift/runbooks/blob/master/alerts/cluster-etcd-operator/etcdNoLeader.md`);
- a published page whose last part is the file's name, case-insensitively and without extension
  (`https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping`; a README or index
  page is published under its folder's name);

and, for a rule whose link names none of the files, when another annotation about runbooks (`runbook`,
`playbook`: a team's own, not yet in `runbook-url-annotations`) names one, or else when the alert's name is a
file's stem. Where several
files fit a page address, the one whose folders also match the address wins; a tie is reported, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..codes import RULES
from ..findings import Finding
from .rules import AlertRule

UNRESOLVED = RULES["RB806"]
NOT_LISTABLE = RULES["RB807"]

# What the runbook schema accepts in `alerts` (schemas/runbook.schema.json; tests/test_alert_links.py compares them).
LISTABLE_PATTERN = r"^\S(.*\S)?$"
_LISTABLE = re.compile(LISTABLE_PATTERN)
_LABEL_TEMPLATE = re.compile(r"\{\{-?\s*(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)\s*-?\}\}")
_INDEX_STEMS = ("readme", "index", "_index")
_PAGE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
_URL_IN_TEMPLATE = re.compile(r"https?://[^\s{}\"'<>]+")
_BY = re.compile(r"\bby\s*\(([^)]*)\)")
_RUNBOOK_ANNOTATION = re.compile(r"runbook|playbook", re.IGNORECASE)
_LABEL_REF = re.compile(r"\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)|\.Labels\.([a-zA-Z_][a-zA-Z0-9_]*)")


@dataclass(frozen=True)
class Link:
    """A runbook link taken apart: what kind of address it is and the path parts that name the file."""

    kind: str  # path (repository-relative), blob (a file in a repository host), page (a published page)
    parts: tuple[str, ...]
    origin: str  # the site or repository it belongs to, to tell a broken link from one to elsewhere

    @property
    def page_name(self) -> str:
        """The name a published page goes by: its last part without extension; an index page takes its folder's."""
        parts = [p for p in self.parts if p]
        while parts and _stem(parts[-1]).lower() in _INDEX_STEMS:
            parts.pop()
        return _stem(parts[-1]) if parts else ""


def parse_link(link: str) -> Link | None:
    """None for a link that names no file (empty, or templated beyond recovery)."""
    link = link.strip()
    if "{{" in link or "{%" in link:
        found = _URL_IN_TEMPLATE.search(link)  # `{{ if ... }}https://.../x.md{{ end }}`: the address inside
        if not found:
            return None
        link = found.group(0)
    parts = urlsplit(link)
    segments = tuple(unquote(p) for p in parts.path.split("/") if p and p != ".")
    if not parts.scheme and not parts.netloc:
        return Link("path", segments, "repository") if segments else None
    if parts.scheme not in ("http", "https") or not segments:
        return None
    host = parts.netloc.lower()
    if host == "raw.githubusercontent.com" and len(segments) > 3:  # owner/repo/ref/path
        return Link("blob", segments[3:], f"{host}/{'/'.join(segments[:2])}")
    for marker in ("blob", "tree", "raw", "src"):  # GitHub, GitLab (`/-/blob/`), Gitea, Bitbucket (`/src/`)
        if marker in segments[2:-1]:
            at = segments.index(marker, 2)
            repo = "/".join(s for s in segments[:at] if s != "-")
            return Link("blob", segments[at + 2:], f"{host}/{repo}")
    return Link("page", segments, host)


def _stem(name: str) -> str:
    lower = name.lower()
    for suffix in _PAGE_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def page_key(name: str) -> str:
    """Names compared across spellings: `KubePodCrashLooping`, `kubepodcrashlooping`, `kube-pod-crash-looping`."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def link_names_runbook(link: str, runbook_id: str) -> bool:
    """Does an old runbook link lead to the page this runbook was imported from? (Its name is the runbook's id.)"""
    parsed = parse_link(link)
    return parsed is not None and bool(parsed.page_name) and page_key(parsed.page_name) == page_key(runbook_id)


@dataclass(frozen=True)
class _File:
    path: Path
    parts: tuple[str, ...]  # of the absolute path
    page_name: str  # the stem, or the folder's name for README/index
    stem: str  # the name without `.md` (and without Middleman's `.html` and `.erb`)


def carried_labels(rule: AlertRule) -> set[str]:
    """The labels a firing alert of this rule carries: its own `labels`, the `by (...)` of its expression,
    and the `$labels.x` its annotations use."""
    labels = set(rule.labels)
    for group in _BY.findall(rule.expr):
        labels.update(name.strip() for name in group.split(",") if name.strip())
    for value in rule.annotations.values():
        for match in _LABEL_REF.finditer(value):
            labels.add(match.group(1) or match.group(2))
    labels.discard("severity")  # a routing label, not a value any command takes
    return labels


def _stands_for(variable: str, label: str) -> bool:
    """NAMESPACE stands for `namespace`, POD_NAME for `pod`, CONTAINER_NAME for `container_name`."""
    name, label = variable.lower(), label.lower()
    return name == label or name.removesuffix("_name") == label.removesuffix("_name")


@dataclass
class AlertLinks:
    """Rules matched to the files of one import; `apply` writes them into each runbook's data."""

    rules: list[AlertRule]
    files: list[Path]
    by_file: dict[Path, list[tuple[AlertRule, str]]] = field(default_factory=dict)  # file -> (rule, how)
    findings: list[Finding] = field(default_factory=list)
    elsewhere: dict[str, int] = field(default_factory=dict)  # origin -> rules linking there (not imported)
    linked: dict[str, set[str]] = field(default_factory=dict)  # alert -> the ids of the runbooks that list it, by `apply`
    rule_files: int = 0
    other_annotations: set[str] = field(default_factory=set)  # annotations outside runbook-url-annotations that linked
    applied: set[Path] = field(default_factory=set)  # the linked files that were imported

    def __post_init__(self) -> None:
        files = _Files([_file(path) for path in self.files])
        resolved_origins: set[str] = set()
        unresolved: list[tuple[AlertRule, Link | None, str]] = []
        for rule in self.rules:
            target, how, link, why = self._target(rule, files)
            if target is None:
                if rule.runbook_url:
                    unresolved.append((rule, link, why))
                continue
            if link is not None and how != "name":
                resolved_origins.add(link.origin)
            if not _LISTABLE.match(rule.name) or len(rule.name) > 200:
                self.findings.append(_finding(rule, NOT_LISTABLE, f"alert {rule.name!r} links {target.path.name}, but a "
                                              "runbook's `alerts` takes names of one line, up to 200 characters, without "
                                              "spaces at either end; link it by hand"))
                continue
            self.by_file.setdefault(target.path, []).append((rule, how))
        # A link into a site or repository that other links resolved into is broken; one elsewhere is only counted.
        for rule, link, why in unresolved:
            if link is not None and link.origin in resolved_origins:
                reason = why or "names none of the imported files"
                self.findings.append(_finding(rule, UNRESOLVED, f"alert {rule.name}: {rule.runbook_url} {reason}"))
            else:
                origin = link.origin if link else "(templated)" if "{{" in rule.runbook_url else "(no address)"
                self.elsewhere[origin] = self.elsewhere.get(origin, 0) + 1

    def _target(self, rule: AlertRule, files: "_Files") -> tuple[_File | None, str, Link | None, str]:
        """(file, how, the link that named it, why none did) for one rule."""
        link = parse_link(filled(rule.runbook_url, rule)) if rule.runbook_url else None
        target, why = files.match(link) if link else (None, "")
        if target is not None:
            return target, link.kind, link, ""
        # A team's own annotation for runbooks (GitLab's `runbook`) not yet in runbook-url-annotations:
        # the link is still the team's word on which page handles the alert.
        for name, value in rule.annotations.items():
            if name == rule.link_annotation or not _RUNBOOK_ANNOTATION.search(name):
                continue
            other = parse_link(filled(value, rule))
            found = files.match(other)[0] if other else None
            if found is not None:
                self.other_annotations.add(name)
                return found, other.kind, other, ""
        named = files.by_stem.get(rule.name, [])
        if len(named) == 1:
            return named[0], "name", None, ""
        return None, "", link, why

    def apply(self, markdown: Path, data: dict) -> list[str]:
        """Add the alerts that link `markdown` to the runbook `data` it was imported as, and `label:` to the
        variables that stand for a label those alerts carry. Returns the alert names added."""
        matched = self.by_file.get(markdown.resolve(), [])
        if not matched:
            return []
        self.applied.add(markdown.resolve())
        alerts = list(data.get("alerts", []))
        for rule, _how in matched:
            if rule.name not in alerts:
                alerts.append(rule.name)
            self.linked.setdefault(rule.name, set()).add(data.get("id", ""))
        data["alerts"] = alerts
        labels = set().union(*(carried_labels(rule) for rule, _ in matched))
        for name, variable in (data.get("variables") or {}).items():
            if isinstance(variable, dict) and "label" not in variable:
                fitting = sorted(label for label in labels if _stands_for(name, label))
                if fitting:
                    variable["label"] = min(fitting, key=lambda label: (label.lower() != name.lower(), label))
        return [rule.name for rule, _ in matched]


def filled(link: str, rule: AlertRule) -> str:
    """`docs/{{ $labels.type }}/README.md` with the rule's own `type: patroni` label is `docs/patroni/README.md`;
    a label the rule does not set stays a template (known only when the alert fires)."""
    if "{{" not in link:
        return link
    return _LABEL_TEMPLATE.sub(lambda m: rule.labels.get(m.group(1), m.group(0)), link)


def report(links: AlertLinks) -> list[Finding]:
    """The findings to show after the import: links that resolved to nothing, and links to files that matched
    but were not imported (the file failed), whose alerts are therefore not linked."""
    missed = [_finding(rule, UNRESOLVED, f"alert {rule.name}: {rule.runbook_url or rule.name} names {path.name}, "
                                         "which was not imported (see above); link it once the file imports")
              for path, matched in links.by_file.items() if path not in links.applied for rule, _how in matched]
    return links.findings + missed


def _file(path: Path) -> _File:
    from ..importing.text import markdown_stem

    absolute = path.resolve()
    stem = markdown_stem(absolute)  # `router-errors.html.md` is published as `router-errors.html`
    name = absolute.parent.name if stem.lower() in _INDEX_STEMS else stem
    return _File(absolute, absolute.parts, name, stem)


def _ends_with(whole: tuple[str, ...], tail: tuple[str, ...], fold: bool = False) -> bool:
    if not tail or len(tail) > len(whole):
        return False
    end = whole[-len(tail):]
    return end == tail or (fold and tuple(p.lower() for p in end) == tuple(p.lower() for p in tail))


class _Files:
    """The imported files, indexed by the names links end in, so each link looks at a few candidates."""

    def __init__(self, files: list[_File]):
        self.by_name: dict[str, list[_File]] = {}  # file name, lower case: `readme.md`
        self.by_folder: dict[str, list[_File]] = {}  # README/index files by their folder's name, lower case
        self.by_page: dict[str, list[_File]] = {}  # published page name, lower case: `kubepodcrashlooping`
        self.by_key: dict[str, list[_File]] = {}  # the same without separators: `kube-pod-crash-looping` finds it too
        self.by_stem: dict[str, list[_File]] = {}  # exact stem, for alert names
        for item in files:
            self.by_name.setdefault(item.path.name.lower(), []).append(item)
            if item.page_name != item.stem:
                self.by_folder.setdefault(item.page_name.lower(), []).append(item)
            self.by_page.setdefault(item.page_name.lower(), []).append(item)
            self.by_key.setdefault(page_key(item.page_name), []).append(item)
            self.by_stem.setdefault(item.stem, []).append(item)

    def match(self, link: Link) -> tuple[_File | None, str]:
        """The imported file a link names, or (None, why not)."""
        if link.kind in ("path", "blob"):
            return self._path(link.parts)
        return self._page(link)

    def _path(self, tail: tuple[str, ...]) -> tuple[_File | None, str]:
        if not tail:
            return None, "names none of the imported files"
        for fold in (False, True):  # the exact path first; a host that ignores case second
            hits = [f for f in self.by_name.get(tail[-1].lower(), []) if _ends_with(f.parts, tail, fold)]
            if not hits and not Path(tail[-1]).suffix:  # a folder: its README or index
                hits = [f for f in self.by_folder.get(tail[-1].lower(), []) if _ends_with(f.parts[:-1], tail, fold)]
            if len(hits) == 1:
                return hits[0], ""
            if len(hits) > 1:
                return None, f"fits {len(hits)} imported files ({', '.join(_short(h) for h in hits[:3])})"
        # The files were imported from elsewhere than the link's repository layout (a copy, a sub-folder): the
        # file of that name whose folders agree most with the link's, when one agrees more than the others.
        # A README names nothing by itself: its folder has to agree.
        index = _stem(tail[-1]).lower() in _INDEX_STEMS
        return self._best(self.by_name.get(tail[-1].lower(), []), tail, minimum=1 if index else 0)

    def _best(self, candidates: list[_File], parts: tuple[str, ...], minimum: int = 0) -> tuple[_File | None, str]:
        """The candidate whose trailing folders agree most with the link's (at least `minimum` of them)."""
        if not candidates:
            return None, "names none of the imported files"
        if len(candidates) == 1 and not minimum:
            return candidates[0], ""

        def agreement(item: _File) -> int:  # trailing folders the file and the link share
            folders = [p.lower() for p in item.parts[:-1]]
            path = [p.lower() for p in parts[:-1]]
            count = 0
            while count < min(len(folders), len(path)) and folders[-1 - count] == path[-1 - count]:
                count += 1
            return count

        scored = sorted(((agreement(c), c) for c in candidates), key=lambda pair: -pair[0])
        if scored[0][0] < minimum:
            return None, "names none of the imported files"
        if len(scored) == 1 or scored[0][0] > scored[1][0]:
            return scored[0][1], ""
        return None, f"fits {len(candidates)} imported files ({', '.join(_short(c) for _, c in scored[:3])})"

    def _page(self, link: Link) -> tuple[_File | None, str]:
        # Several files of that name (`alertmanager/_index.md`, `node/_index.md`): the folders decide.
        candidates = self.by_page.get(link.page_name.lower()) or self.by_key.get(page_key(link.page_name), [])
        return self._best(candidates, link.parts)


def _short(item: _File) -> str:
    return f"{item.path.parent.name}/{item.path.name}"


def _finding(rule: AlertRule, code, message: str) -> Finding:
    pointer = f"{rule.pointer}/annotations/{rule.link_annotation}" if rule.link_annotation else f"{rule.pointer}/alert"
    line, column = rule.source.locate(pointer)
    return Finding(rule.path, line, column, code.code, code.severity, message, pointer)


def links_for_import(config, given: list[Path], markdown_files: list[Path]) -> tuple[AlertLinks | None, list[Finding]]:
    """The rule files of `--alert-rules` (default: `alert-rules` in [tool.runbook]) matched to the files being
    imported; None when there are no rule files. The second value: problems reading the rule files."""
    from .rules import load_rule_files, rule_file_paths

    if not given and not config.alert_rules:
        return None, []
    paths = rule_file_paths(config, given)
    rule_files = load_rule_files(paths, config.lint.max_file_size, config.runbook_url_annotations, config.root)
    links = AlertLinks(rule_files.rules, markdown_files, rule_files=len(paths))
    return links, [f for f in rule_files.findings if f.severity == "error"]


def summary(links: AlertLinks) -> list[str]:
    """What the import says about the links: how many alerts it linked, and the links it could not resolve."""
    runbooks = len(set().union(*links.linked.values()))  # one alert name whose rules link two pages counts both
    lines = [f"linked {len(links.linked)} alert(s) to {runbooks} runbook(s) from "
             f"{links.rule_files} rule file(s)"]
    if links.other_annotations:
        names = ", ".join(f'"{name}"' for name in sorted(links.other_annotations))
        lines.append(f"some alerts were linked through the annotation(s) {names}: add them to runbook-url-annotations in "
                     "[tool.runbook] so that lint and `runbook alerts` read those links too")
    unresolved = len(report(links))
    if unresolved:
        lines.append(f"{unresolved} alert link(s) could not be resolved (RB806, RB807 above)")
    if links.elsewhere:
        shown = ", ".join(f"{origin} ({count})" for origin, count in sorted(links.elsewhere.items(), key=lambda kv: -kv[1]))
        lines.append(f"alerts linking elsewhere, left as they are: {shown}")
    return lines
