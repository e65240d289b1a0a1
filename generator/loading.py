"""Reading a runbook file: bytes checked (size, NUL, UTF-8), then YAML with positions, then plain data.

One parse (libyaml's C parser) gives both the data and the positions: yaml_nodes.py composes the node
tree, yaml_data.py turns it into plain Python data with a finding for every YAML pitfall. The node tree
is kept on the Source: a JSON pointer is turned into `line:col` only when a finding needs it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import pointers
from .codes import RULES
from .findings import Finding
from .yaml_data import build_data
from .yaml_nodes import MULTI_DOC, compose, compose_stream

DEFAULT_MAX_BYTES = 2 * 1024 * 1024

ENCODING = RULES["RB012"]
NUL_BYTE = RULES["RB013"]
TOO_LARGE = RULES["RB014"]
UNREADABLE = RULES["RB015"]


@dataclass
class Source:
    """One file as read: its text, its data (None if it could not be loaded) and its positions."""

    path: str
    text: str = ""
    data: Any = None
    sha256: str = ""
    findings: list[Finding] = field(default_factory=list)
    root: Any = None  # the yaml node tree, for positions

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(f.severity == "error" for f in self.findings)

    def finding(self, rule, message: str, line: int = 0, column: int = 0, pointer: str = "") -> Finding:
        return Finding(self.path, line, column, rule.code, rule.severity, message, pointer)

    def locate(self, pointer: str, key: bool = False) -> tuple[int, int]:
        """Return 1-based (line, column) of the value at a JSON pointer, or of its key when `key`."""
        node = self.root
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for token in pointers.split(pointer):
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == token:
                        mark = key_node.start_mark if key else value_node.start_mark
                        node = value_node
                        break
                else:
                    return (mark.line + 1, mark.column + 1)
            elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
                node = node.value[int(token)]
                mark = node.start_mark
            else:
                break
        return (mark.line + 1, mark.column + 1)


def load_file(path: str | os.PathLike, display: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
              foreign: bool = False) -> Source:
    shown = display or str(path)
    source = Source(shown)
    p = Path(path)
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            source.findings.append(source.finding(UNREADABLE, "is a directory, not a YAML file; pass the folder without the .yaml name or rename it"))
            return source
        if not stat.S_ISREG(info.st_mode):
            # Reading a FIFO would block forever, a device could be endless: only regular files are read.
            source.findings.append(source.finding(UNREADABLE, "is not a regular file (a FIFO, socket or device); pass a YAML file"))
            return source
        size = info.st_size
        if size > max_bytes:
            source.findings.append(source.finding(
                TOO_LARGE, f"file is {size:,} bytes, over the limit of {max_bytes:,}; split it or raise max-file-size in [tool.runbook.lint]"))
            return source
        raw = p.read_bytes()
    except OSError as exc:
        if p.is_symlink() and not p.exists():
            source.findings.append(source.finding(UNREADABLE, f"is a broken symbolic link (to {os.readlink(p)}); fix or remove it"))
            return source
        source.findings.append(source.finding(UNREADABLE, f"cannot read: {exc.strerror or exc}"))
        return source
    return load_bytes(raw, shown, source, foreign)


def load_bytes(raw: bytes, path: str, source: Source | None = None, foreign: bool = False) -> Source:
    source = source or Source(path)
    source.sha256 = hashlib.sha256(raw).hexdigest()
    nul = raw.find(b"\0")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        source.findings.append(source.finding(NUL_BYTE, "contains a NUL byte; the file is binary or corrupt", line, nul - raw.rfind(b"\n", 0, nul)))
        return source
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        source.findings.append(source.finding(ENCODING, f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; re-save the file as UTF-8", line, column))
        return source
    return load_text(text, path, source, foreign)


def load_text(text: str, path: str = "<string>", source: Source | None = None, foreign: bool = False) -> Source:
    """`foreign`: read as another tool's file (merge keys merged, no YAML 1.1 findings; see yaml_data.build_data)."""
    source = source or Source(path)
    source.text = text
    if not source.sha256:
        source.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    root = compose(source)
    if root is None:
        return source
    source.root = root
    source.data = build_data(source, root, foreign)
    return source


def load_stream(path: str | os.PathLike, display: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                foreign: bool = False) -> list[Source]:
    """Every YAML document of a file, for formats that allow several (Kubernetes manifests, rule files).

    Each document is a Source of its own sharing the file's text, with the same strict checks as
    `load_file`; positions are the file's lines. A file with one document gives one Source.
    """
    first = load_file(path, display, max_bytes, foreign)
    if not any(f.code == MULTI_DOC.code for f in first.findings):
        return [first]
    sources: list[Source] = []
    for root, failure in compose_stream(first.text):
        source = Source(first.path, text=first.text, sha256=first.sha256, root=root)
        sources.append(source)
        if failure is not None:
            failure(source)
        elif root is not None:
            source.data = build_data(source, root, foreign)
    return sources
