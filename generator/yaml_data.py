"""libyaml's node tree to plain Python data, with a finding for each YAML pitfall.

Duplicate keys, alias bombs, custom tags and YAML 1.1 booleans, octals and bare dates each become a
finding with a line instead of a silent surprise; the value is still built where it can be (the first
of two equal keys, the text of an unquoted `yes`), so that the rest of the document is checked too.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from . import pointers
from .codes import RULES
from .yaml_nodes import MAX_DEPTH, SYNTAX, TAG, TOO_DEEP

ALIAS_BUDGET = 20  # enough for real reuse; a "billion laughs" file needs far more
DATE_KEYS = frozenset({"last_reviewed"})  # keys where a bare YYYY-MM-DD is what is meant
# Mappings whose values are words where an unquoted `yes` means the word (a scenario's `answers`: yes, skip,
# quit); the text is kept and both YAML versions' readers agree on what the author meant.
WORD_MAPPINGS = frozenset({"answers"})
# Where the format wants text that the shell will see (a `with` value, a scenario's variables, probe values and
# command output), an unquoted number or boolean is kept as the author wrote it: `with: {REPLICAS: 3}` passes "3",
# `output: 3.10` prints "3.10" (not "3.1"), `variables: {PORT: 08080}` is "08080". Values of these mappings, and of
# each step's mapping under `target_changes`; and the value of an `output` key.
TEXT_MAPPINGS = frozenset({"with", "variables", "target"})
TEXT_KEYS = frozenset({"output"})

_YAML11_BOOL_TEXT = re.compile(r"^(yes|no|on|off|y|n)$", re.IGNORECASE)
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_OCTAL_LOOKING = re.compile(r"^[-+]?0[0-9_]+$")

DUPLICATE_KEY = RULES["RB003"]
ALIASES = RULES["RB004"]
TAGS = RULES["RB005"]
YAML11_BOOL = RULES["RB006"]
YAML11_NUMBER = RULES["RB007"]
BARE_DATE = RULES["RB008"]


FOREIGN_ALIAS_BUDGET = 10_000  # rule files reuse `<<: *defaults` in every rule; still no bomb


def build_data(source, root, foreign: bool = False) -> Any:
    """The plain data of a mapping node; None when building had to stop (the finding is recorded).

    `foreign`: a file that belongs to another tool (a Prometheus rule file) is read the way that tool's YAML
    reader (go-yaml) reads it: merge keys (`<<: *defaults`) are merged, and YAML 1.1 look-alikes (`yes`,
    `0777`, bare dates) are text without a finding. Duplicate keys, alias bombs and custom tags stay errors.
    """
    try:
        return _Builder(source, foreign).build(root, None, None, 0)
    except _Abort:
        return None


def _in_word_mapping(path) -> bool:
    """The value is in `answers: {step: yes}`, or a list item of one (`answers: {step: [yes, skip]}`)."""
    for _ in range(2):
        if path is None or path[0] is None:
            return False
        path = path[0]
        if path[1] in WORD_MAPPINGS:
            return True
    return False


def _in_text_position(path, parent_key) -> bool:
    """The scalar is a value the shell sees as text (TEXT_MAPPINGS, TEXT_KEYS)."""
    if parent_key in TEXT_KEYS:
        return True
    parent = path[0] if path is not None else None
    if parent is None:
        return False
    if parent[1] in TEXT_MAPPINGS:
        return True
    grandparent = parent[0]
    return grandparent is not None and grandparent[1] == "target_changes"


def _short_tag(tag: str) -> str:
    """`!!python/object`, as the author wrote it, rather than the expanded `tag:yaml.org,2002:python/object`."""
    return "!!" + tag[len(TAG):] if tag.startswith(TAG) else tag


class _Abort(Exception):
    """Construction stopped: the finding is already recorded."""


_T_STR, _T_INT, _T_FLOAT, _T_BOOL, _T_NULL, _T_TIMESTAMP, _T_MERGE, _T_SEQ, _T_MAP = (
    TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "seq", "map"))
_TEXT_TAGS = frozenset({_T_INT, _T_FLOAT, _T_BOOL, _T_TIMESTAMP})
_KEY_TAGS = frozenset({_T_STR, _T_INT, _T_FLOAT, _T_BOOL, _T_NULL, _T_TIMESTAMP})
_SAFE = yaml.SafeLoader("")  # only its scalar constructors are used, for ints and floats


def _pointer(path) -> str:
    """The JSON pointer of a path chain `(parent, token)`; built only when a finding needs it."""
    tokens = []
    while path is not None:
        path, token = path
        tokens.append(token)
    return pointers.join(reversed(tokens))


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

    def __init__(self, source, foreign: bool = False):
        self.source = source
        self.foreign = foreign
        self.alias_budget = FOREIGN_ALIAS_BUDGET if foreign else ALIAS_BUDGET
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
                if self.aliases > self.alias_budget:
                    self._add(ALIASES, f"more than {self.alias_budget} alias uses (an alias bomb?); write the values out", node, path)
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
        merged: list[dict] = []
        for key_node, value_node in node.value:
            if key_node.__class__ is not _SCALAR:
                self._add(SYNTAX, "a mapping key must be plain text, not a list or mapping", key_node, path)
                continue
            key, tag = key_node.value, key_node.tag
            if tag != _T_STR:
                if tag == _T_MERGE:
                    if self.foreign:
                        merged.extend(self._merge(value_node, path, depth))
                    else:
                        self._add(TAGS, "merge keys (`<<`) are not supported; write the keys out", key_node, path)
                    continue
                if tag == _T_BOOL and _YAML11_BOOL_TEXT.match(key) and not self.foreign:
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
        for mapping in merged:  # keys written in the mapping win over merged ones, earlier merges over later
            for key, value in mapping.items():
                result.setdefault(key, value)
        return result

    def _merge(self, node, path, depth: int) -> list[dict]:
        """The mappings a merge key brings in: one mapping, or a list of them (YAML's merge key type)."""
        sources = node.value if node.__class__ is _SEQUENCE else [node]
        mappings = []
        for item in sources:
            value = self.build(item, path, None, depth)
            if not isinstance(value, dict):
                self._add(SYNTAX, "a merge key (`<<`) takes a mapping or a list of mappings", item, path)
                continue
            mappings.append(value)
        return mappings

    def _scalar(self, node, path, parent_key: str | None) -> Any:
        tag, text = node.tag, node.value
        if tag == _T_STR:
            return text
        if tag == _T_NULL:
            return None
        if tag in _TEXT_TAGS and not self.foreign and _in_text_position(path, parent_key):
            return text  # a number or boolean where text is meant: its text as written
        if tag == _T_BOOL:
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            if self.foreign or _in_word_mapping(path):
                return text
            self._add(YAML11_BOOL, f"unquoted {text!r} is a boolean in YAML 1.1 and text in YAML 1.2; write true/false or quote it", node, path)
            return text
        if tag == _T_INT:
            if _SEXAGESIMAL.match(text) or _OCTAL_LOOKING.match(text):
                if self.foreign:
                    return text
                self._add(YAML11_NUMBER, f"unquoted {text!r} is read as a YAML 1.1 number; quote it if it is text", node, path)
                return text
            return _SAFE.construct_yaml_int(node)
        if tag == _T_FLOAT:
            if _SEXAGESIMAL.match(text):
                if self.foreign:
                    return text
                self._add(YAML11_NUMBER, f"unquoted {text!r} is read as a YAML 1.1 sexagesimal number; quote it", node, path)
                return text
            return _SAFE.construct_yaml_float(node)
        if tag == _T_TIMESTAMP:
            if parent_key not in DATE_KEYS and not self.foreign:
                self._add(BARE_DATE, f"unquoted {text!r} is a date to YAML; quote it if text is meant", node, path)
            return text
        self._add(TAGS, f"tag {_short_tag(tag)!r} is not allowed; runbooks hold plain data", node, path)
        return None
