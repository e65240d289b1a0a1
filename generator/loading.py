"""Strict YAML loading: one parse (libyaml's C parser) gives both the data and the positions.

The file is composed into a node tree by libyaml, then turned into plain Python data here, so that
every YAML pitfall (duplicate keys, alias bombs, custom tags, YAML 1.1 booleans and octals) becomes a
finding with a line instead of a silent surprise. The node tree is kept: a JSON pointer is turned
into `line:col` only when a finding needs it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .findings import Finding, register

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
ALIAS_BUDGET = 20  # enough for real reuse; a "billion laughs" file needs far more
MAX_DEPTH = 64
DATE_KEYS = frozenset({"last_reviewed"})  # keys where a bare YYYY-MM-DD is what is meant

TAG = "tag:yaml.org,2002:"
_YAML11_BOOL_TEXT = re.compile(r"^(yes|no|on|off|y|n)$", re.IGNORECASE)
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_OCTAL_LOOKING = re.compile(r"^[-+]?0[0-9_]+$")

SYNTAX = register("RB001", "yaml-syntax", "error", "The file is not valid YAML.",
                  "The YAML parser stopped at this position. Fix the syntax (indentation, quotes, colons) at the line shown.")
TABS = register("RB002", "yaml-tab", "error", "A tab is used for indentation.",
                "YAML indents with spaces only. Replace the tab at the start of the line with spaces.")
DUPLICATE_KEY = register("RB003", "yaml-duplicate-key", "error", "A mapping has the same key twice.",
                         "YAML parsers silently keep the last of two equal keys, so half of what the author wrote is lost. Remove or rename one of them.")
ALIASES = register("RB004", "yaml-aliases", "error", "Too many or recursive aliases.",
                   f"Anchors and aliases (`&a`, `*a`) are allowed up to {ALIAS_BUDGET} uses per file and never recursively: an alias bomb (\"billion laughs\") would otherwise expand to gigabytes. Write the values out.")
TAGS = register("RB005", "yaml-tag", "error", "A custom or unsafe YAML tag, or a merge key.",
                "Runbooks are plain data: tags such as `!!python/object`, `!custom`, `!!binary` and merge keys (`<<`) are refused. Remove the tag and write the value plainly.")
YAML11_BOOL = register("RB006", "yaml-1.1-boolean", "error", "An unquoted yes/no/on/off.",
                       "YAML 1.1 reads unquoted `yes`, `no`, `on`, `off`, `y` and `n` as booleans while YAML 1.2 reads them as text, so tools disagree. Write `true`/`false`, or quote the word if text is meant.")
YAML11_NUMBER = register("RB007", "yaml-1.1-number", "error", "An octal-looking or sexagesimal number.",
                         "YAML 1.1 reads `0777` as octal 511 and `1:30` as 90. Quote the value if it is text (a mode, a time, a version), or write the plain decimal number.")
BARE_DATE = register("RB008", "yaml-bare-date", "warning", "An unquoted date or timestamp in a text field.",
                     "An unquoted `2024-01-01` is a date to YAML, not text. Quote it where text is meant; only date fields such as `last_reviewed` take a bare date.")
EMPTY = register("RB009", "empty-file", "error", "The file is empty.",
                 "A runbook file must hold one YAML mapping with at least `kind` and `id`. Delete the file or fill it in.")
MULTI_DOC = register("RB010", "multiple-documents", "error", "The file holds several YAML documents.",
                     "Each document lives in its own file, named after its id. Split the file at the `---` line shown.")
NOT_MAPPING = register("RB011", "top-level-not-mapping", "error", "The top level is not a mapping.",
                       "A document is a mapping of keys (`kind:`, `id:`, ...), not a list or a single value.")
ENCODING = register("RB012", "encoding", "error", "The file is not UTF-8.",
                    "Runbooks are UTF-8 text. Re-save the file as UTF-8.")
NUL_BYTE = register("RB013", "nul-byte", "error", "The file contains a NUL byte.",
                    "A NUL byte means the file is binary or corrupt. Remove it.")
TOO_LARGE = register("RB014", "file-too-large", "error", "The file is over the size limit.",
                     "Runbooks are small documents; a file over the limit (`max-file-size` in `[tool.runbook.lint]`) is refused before parsing so that lint stays fast. Split the file or raise the limit.")
UNREADABLE = register("RB015", "unreadable", "error", "The path cannot be read as a file.",
                      "The path does not exist, is a directory named like a file, or cannot be read (permissions). Fix the path.")
TOO_DEEP = register("RB016", "yaml-too-deep", "error", "The YAML is nested too deeply.",
                    f"Runbooks never nest more than a few levels; more than {MAX_DEPTH} levels is refused.")


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
        for token in _split_pointer(pointer):
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


def _split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]


def load_file(path: str | os.PathLike, display: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
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
    return load_bytes(raw, shown, source)


def load_bytes(raw: bytes, path: str, source: Source | None = None) -> Source:
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
    return load_text(text, path, source)


def load_text(text: str, path: str = "<string>", source: Source | None = None) -> Source:
    source = source or Source(path)
    source.text = text
    if not source.sha256:
        source.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    deep = _too_deep(text)
    if deep is not None:
        source.findings.append(source.finding(TOO_DEEP, f"nested more than {MAX_DEPTH} levels deep", deep.line + 1, deep.column + 1))
        return source
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark
        if "single document" in (exc.context or "") + (exc.problem or ""):
            source.findings.append(source.finding(MULTI_DOC, "a second YAML document starts here; put each document in its own file", mark.line + 1, mark.column + 1))
        else:
            source.findings.append(_syntax_finding(source, exc))
        return source
    except yaml.MarkedYAMLError as exc:
        source.findings.append(_syntax_finding(source, exc))
        return source
    except yaml.YAMLError as exc:  # errors without a position (for example a reader error)
        source.findings.append(source.finding(SYNTAX, str(exc).splitlines()[0], 1, 1))
        return source
    finally:
        loader.dispose()
    if root is None:
        what = "holds only comments" if text.strip() else "is empty"
        source.findings.append(source.finding(EMPTY, f"the file {what}; a document needs at least `kind:` and `id:`", 1, 1))
        return source
    source.root = root
    if not isinstance(root, yaml.MappingNode):
        what = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        mark = root.start_mark
        source.findings.append(source.finding(NOT_MAPPING, f"the top level is {what}; a document is a mapping of keys such as `kind:` and `id:`", mark.line + 1, mark.column + 1))
        return source
    builder = _Builder(source)
    try:
        data = builder.build(root, None, None, 0)
    except _Abort:
        return source
    source.data = data
    return source


# libyaml's composer recurses once per nesting level in C: tens of thousands of `[` crash the whole
# process (a segfault, not an exception). Nesting needs an opening `[`/`{`, a `- `/`? ` entry or one more
# column of indentation per level, so a text with few of those cannot be deep; only a text with many is
# checked first with the parser's (iterative) event stream.
_DEEP_SUSPECT = 5_000


def _too_deep(text: str):
    if len(text) <= _DEEP_SUSPECT:
        return None
    # Counting single characters is fast; the exact openers are counted only when those are many.
    if text.count("[") + text.count("{") + text.count("-") + text.count("?") > _DEEP_SUSPECT:
        openers = text.count("[") + text.count("{") + text.count("- ") + text.count("? ") + text.count("-\t") + text.count("?\t")
    else:
        openers = 0
    if openers <= _DEEP_SUSPECT and " " * _DEEP_SUSPECT not in text:
        return None
    parser = yaml.CSafeLoader(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return None
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH + 1:  # the top-level mapping is depth 0 for the builder
                    return event.start_mark
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # the composer reports it, with its position
    finally:
        parser.dispose()


def _syntax_finding(source: Source, exc: yaml.MarkedYAMLError) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    if "maximum nesting depth" in problem:  # PyYAML >= 6.0.4 stops deep nesting itself, at 1,000 levels
        return source.finding(TOO_DEEP, f"nested more than {MAX_DEPTH} levels deep", line, column)
    text_line = source.text.splitlines()[line - 1] if 0 < line <= len(source.text.splitlines()) else ""
    if "\t" in text_line[: len(text_line) - len(text_line.lstrip())] or "'\\t'" in problem:
        return source.finding(TABS, "tab character used for indentation; indent with spaces", line, column)
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    if context and exc.context_mark and exc.context_mark.line + 1 != line:
        # "while parsing a flow sequence" alone does not say which one: name where it started.
        context = f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
    return source.finding(SYNTAX, f"YAML syntax error: {problem}{context}", line, column)


def _short_tag(tag: str) -> str:
    """`!!python/object`, as the author wrote it, rather than the expanded `tag:yaml.org,2002:python/object`."""
    return "!!" + tag[len(TAG):] if tag.startswith(TAG) else tag


class _Abort(Exception):
    """Construction stopped: the finding is already recorded."""


_T_STR, _T_INT, _T_FLOAT, _T_BOOL, _T_NULL, _T_TIMESTAMP, _T_MERGE, _T_SEQ, _T_MAP = (
    TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "seq", "map"))
_T_SEQ_MAP = {"seq": _T_SEQ, "map": _T_MAP}
_KEY_TAGS = frozenset({_T_STR, _T_INT, _T_FLOAT, _T_BOOL, _T_NULL, _T_TIMESTAMP})
_RESOLVED: dict[str, str] = {}  # plain scalar text -> its implicit tag (the same for every file)


class _Loader(yaml.CSafeLoader):
    """libyaml's parser with a memoised resolver.

    The C composer calls back into Python's regex-based resolver for every scalar; runbooks repeat the
    same keys and words thousands of times, so the tag of each plain text is looked up once. The safe
    loader has no path resolvers, so descending and ascending track nothing.
    """

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _T_STR
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = yaml.CSafeLoader.resolve(self, kind, value, implicit)
                if len(_RESOLVED) < 50_000 and len(value) < 200:
                    _RESOLVED[value] = tag
            return tag
        # No path resolvers: a collection without a tag is a plain sequence or mapping.
        return _T_SEQ if kind is yaml.SequenceNode else _T_MAP


_SAFE = yaml.SafeLoader("")  # only its scalar constructors are used, for ints and floats


def _pointer(path) -> str:
    """The JSON pointer of a path chain `(parent, token)`; built only when a finding needs it."""
    tokens = []
    while path is not None:
        path, token = path
        tokens.append(str(token).replace("~", "~0").replace("/", "~1"))
    return "".join("/" + token for token in reversed(tokens))


_SCALAR, _SEQUENCE, _MAPPING = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_ANCHOR = re.compile(r"&[^\s&>]")  # starts with a literal: the regex engine jumps from `&` to `&`


def _has_anchor(text: str) -> bool:
    return any(m.start() == 0 or text[m.start() - 1] in " \t\n[{,:-" for m in _ANCHOR.finditer(text))


class _Builder:
    """Plain data from the node tree, with a finding for each YAML pitfall.

    This runs once per node of every file, so it is written for speed: paths are `(parent, token)` chains
    turned into JSON pointers only for a finding, and a text without an anchor (so without aliases) skips
    the alias bookkeeping.
    """

    def __init__(self, source: Source):
        self.source = source
        self.aliases = 0
        # An alias needs an anchor (`&name`) before it; `&&`, `2>&1` and `&>` in commands are not anchors.
        self.track = "&" in source.text and _has_anchor(source.text)
        self.built: dict[int, Any] = {}
        self.in_progress: set[int] = set()

    def _add(self, rule, message: str, node, path) -> None:
        mark = node.start_mark
        self.source.findings.append(self.source.finding(rule, message, mark.line + 1, mark.column + 1, _pointer(path)))

    def build(self, node, path, parent_key: str | None, depth: int) -> Any:
        if self.track:
            ident = id(node)
            if ident in self.built or ident in self.in_progress:
                self.aliases += 1
                if ident in self.in_progress:
                    self._add(ALIASES, "recursive alias: the value contains itself", node, path)
                    raise _Abort
                if self.aliases > ALIAS_BUDGET:
                    self._add(ALIASES, f"more than {ALIAS_BUDGET} alias uses (an alias bomb?); write the values out", node, path)
                    raise _Abort
                return self.built[ident]
        if depth > MAX_DEPTH:
            self._add(TOO_DEEP, f"nested more than {MAX_DEPTH} levels deep", node, path)
            raise _Abort
        cls = node.__class__
        if cls is _SCALAR:
            value = self._scalar(node, path, parent_key)
        else:
            if self.track:
                self.in_progress.add(ident)
            if cls is _SEQUENCE:
                if node.tag != _T_SEQ:
                    self._add(TAGS, f"tag {_short_tag(node.tag)!r} is not allowed; remove it", node, path)
                depth += 1
                build = self.build
                value = [item.value if item.__class__ is _SCALAR and item.tag == _T_STR and not self.track else build(item, (path, index), None, depth)
                         for index, item in enumerate(node.value)]
            else:
                if node.tag != _T_MAP:
                    self._add(TAGS, f"tag {_short_tag(node.tag)!r} is not allowed; remove it", node, path)
                value = self._mapping(node, path, depth)
            if self.track:
                self.in_progress.discard(ident)
        if self.track:
            self.built[ident] = value
        return value

    def _mapping(self, node, path, depth: int) -> dict:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        build = self.build
        depth += 1
        for key_node, value_node in node.value:
            if key_node.__class__ is not _SCALAR:
                self._add(SYNTAX, "a mapping key must be plain text, not a list or mapping", key_node, path)
                continue
            key, tag = key_node.value, key_node.tag
            if tag != _T_STR:
                if tag == _T_MERGE:
                    self._add(TAGS, "merge keys (`<<`) are not supported; write the keys out", key_node, path)
                    continue
                if tag == _T_BOOL and _YAML11_BOOL_TEXT.match(key):
                    self._add(YAML11_BOOL, f"key {key!r} is a boolean in YAML 1.1; quote it", key_node, path)
                elif tag not in _KEY_TAGS:
                    self._add(TAGS, f"tag {_short_tag(tag)!r} is not allowed on a key", key_node, path)
            if key in first_line:
                self._add(DUPLICATE_KEY, f"duplicate key {key!r} (first defined on line {first_line[key]}); remove one", key_node, (path, key))
                continue
            first_line[key] = key_node.start_mark.line + 1
            if value_node.__class__ is _SCALAR and value_node.tag == _T_STR and not self.track:
                result[key] = value_node.value  # the common case, without a call
            else:
                result[key] = build(value_node, (path, key), key, depth)
        return result

    def _scalar(self, node, path, parent_key: str | None) -> Any:
        tag, text = node.tag, node.value
        if tag == _T_STR:
            return text
        if tag == _T_NULL:
            return None
        if tag == _T_BOOL:
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            self._add(YAML11_BOOL, f"unquoted {text!r} is a boolean in YAML 1.1 and text in YAML 1.2; write true/false or quote it", node, path)
            return text
        if tag == _T_INT:
            if _SEXAGESIMAL.match(text) or _OCTAL_LOOKING.match(text):
                self._add(YAML11_NUMBER, f"unquoted {text!r} is read as a YAML 1.1 number; quote it if it is text", node, path)
                return text
            return _SAFE.construct_yaml_int(node)
        if tag == _T_FLOAT:
            if _SEXAGESIMAL.match(text):
                self._add(YAML11_NUMBER, f"unquoted {text!r} is read as a YAML 1.1 sexagesimal number; quote it", node, path)
                return text
            return _SAFE.construct_yaml_float(node)
        if tag == _T_TIMESTAMP:
            if parent_key not in DATE_KEYS:
                self._add(BARE_DATE, f"unquoted {text!r} is a date to YAML; quote it if text is meant", node, path)
            return text
        self._add(TAGS, f"tag {_short_tag(tag)!r} is not allowed; runbooks hold plain data", node, path)
        return None


def load_stream(path: str | os.PathLike, display: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Source]:
    """Every YAML document of a file, for formats that allow several (Kubernetes manifests, rule files).

    Each document is a Source of its own sharing the file's text, with the same strict checks as
    `load_file`; positions are the file's lines. A file with one document gives one Source.
    """
    first = load_file(path, display, max_bytes)
    if not any(f.code == MULTI_DOC.code for f in first.findings):
        return [first]
    sources: list[Source] = []
    loader = _Loader(first.text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _T_NULL and not node.value):
                continue  # an empty document (`---` twice, or a trailing `---`)
            source = Source(first.path, text=first.text, sha256=first.sha256, root=node)
            sources.append(source)
            if not isinstance(node, yaml.MappingNode):
                mark = node.start_mark
                source.findings.append(source.finding(NOT_MAPPING, "this document is not a mapping of keys", mark.line + 1, mark.column + 1))
                continue
            try:
                source.data = _Builder(source).build(node, None, None, 0)
            except _Abort:
                pass
    except yaml.MarkedYAMLError as exc:
        broken = Source(first.path, text=first.text, sha256=first.sha256)
        broken.findings.append(_syntax_finding(broken, exc))
        sources.append(broken)
    finally:
        loader.dispose()
    return sources
