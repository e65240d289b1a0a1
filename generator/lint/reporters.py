"""Reporters only format findings: text, json, github (workflow commands) and sarif, chosen by name."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Callable

from .. import __version__
from ..codes import RULES, lookup
from ..findings import SEVERITY_RANK, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "runbookLintFinding/v1"
_LINE_IN_MESSAGE = re.compile(r"\blines? \d+")


def summary(findings: list[Finding], files: int) -> dict:
    counts = {severity: 0 for severity in ("error", "warning", "info")}
    for finding in findings:
        counts[finding.severity] += 1
    return {"files": files, "findings": len(findings), **counts}


def summary_line(findings: list[Finding], files: int) -> str:
    counts = summary(findings, files)
    if not findings:
        return f"{files} file(s) checked, no findings"
    parts = ", ".join(f"{counts[s]} {s}(s)" for s in ("error", "warning", "info") if counts[s])
    return f"{files} file(s) checked, {len(findings)} finding(s): {parts}"


def use_colour(stream) -> bool:
    """Colour only on a terminal, not with a non-empty NO_COLOR (https://no-color.org): the rule exec uses."""
    from ..colour import wanted

    return wanted(stream)


def text(findings: list[Finding], files: int, root: Path, colour: bool = False) -> str:
    lines = [f.line_text(colour) for f in findings]
    lines.append(summary_line(findings, files))
    return "\n".join(lines) + "\n"


def as_json(findings: list[Finding], files: int, root: Path, colour: bool = False) -> str:
    document = {
        "findings": [
            {"code": f.code, "name": lookup(f.code).name if lookup(f.code) else f.code, "severity": f.severity,
             "path": f.path, "line": f.line, "column": f.column, "pointer": f.pointer, "message": f.message}
            for f in findings
        ],
        "summary": summary(findings, files),
    }
    return json.dumps(document, indent=2) + "\n"


def escape_data(value: str) -> str:
    # As @actions/core's escapeData: % first, then CR and LF.
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    # As @actions/core's escapeProperty: data escapes plus ':' and ','.
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: list[Finding], files: int, root: Path, colour: bool = False) -> str:
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in findings:
        props = [f"file={escape_property(f.path)}"]
        if f.line:
            props += [f"line={f.line}", f"col={f.column}"]
        props.append(f"title={escape_property(f.code)}")
        lines.append(f"::{command[f.severity]} {','.join(props)}::{escape_data(f.message)}")
    lines.append(summary_line(findings, files))
    return "\n".join(lines) + "\n"


def _uri(path: str, root: Path) -> tuple[str, str | None]:
    """A repository-relative URI with %SRCROOT%, or an absolute file URI for files outside the repository."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(root.resolve()).as_posix(), "%SRCROOT%"
    except ValueError:
        return absolute.as_uri(), None


def _folder_uri(root: Path) -> str:
    """A base URI ends with a slash (SARIF 3.14.14); the file system root already has one."""
    uri = root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _sarif_level(severity: str) -> str:
    return {"error": "error", "warning": "warning", "info": "note"}[severity]


def sarif(findings: list[Finding], files: int, root: Path, colour: bool = False) -> str:
    codes = sorted(set(RULES) | {f.code for f in findings if lookup(f.code)})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        rule = lookup(code)
        rules.append({
            "id": rule.code,
            "name": "".join(part.capitalize() for part in rule.name.split("-")),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.explanation},
            "help": {"text": f"{rule.summary}\n\n{rule.explanation}\n\nExplain: runbook lint --explain {rule.code}",
                     "markdown": f"**{rule.summary}**\n\n{rule.explanation}\n\n`runbook lint --explain {rule.code}`"},
            "defaultConfiguration": {"level": _sarif_level(rule.severity)},
            "properties": {"tags": ["runbook"]},
        })
    results = []
    seen: dict[str, int] = {}
    for f in findings:
        uri, base = _uri(f.path, root)
        location: dict = {"uri": uri}
        if base:
            location["uriBaseId"] = base
        physical: dict = {"artifactLocation": location}
        if f.line:
            physical["region"] = {"startLine": f.line, "startColumn": max(f.column, 1)}
        # Stable across edits elsewhere in the file: code, file, JSON pointer and message, not the line number
        # (nor a line number inside the message, "first defined on line 3").
        message = _LINE_IN_MESSAGE.sub("line", f.message)
        key = hashlib.sha256(f"{f.code}\0{uri}\0{f.pointer}\0{message}".encode()).hexdigest()[:32]
        seen[key] = seen.get(key, 0) + 1
        result = {
            "ruleId": f.code,
            "level": _sarif_level(f.severity),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": physical}],
            # Our own key: `primaryLocationLineHash` is GitHub's, which upload-sarif recomputes from the
            # file's text and warns about when a tool sends a different value.
            "partialFingerprints": {FINGERPRINT_KEY: f"{key}:{seen[key]}"},
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "runbook-lint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/", "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _folder_uri(root)}},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


REPORTERS: dict[str, Callable[..., str]] = {"text": text, "json": as_json, "github": github, "sarif": sarif}


def pick(name: str) -> str:
    """`auto`: GitHub annotations inside GitHub Actions, text elsewhere."""
    if name == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return name


def failing(findings: list[Finding], fail_on: str) -> bool:
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in findings)
