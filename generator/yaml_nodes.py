"""YAML text to libyaml's node tree, with a finding for every way the text fails to be one mapping.

The tree keeps every position (`start_mark`); yaml_data.py turns it into plain data.
"""

from __future__ import annotations

import yaml

from .codes import RULES
from .findings import Finding

MAX_DEPTH = 64
TAG = "tag:yaml.org,2002:"
T_STR, T_SEQ, T_MAP = TAG + "str", TAG + "seq", TAG + "map"

SYNTAX = RULES["RB001"]
TABS = RULES["RB002"]
EMPTY = RULES["RB009"]
MULTI_DOC = RULES["RB010"]
NOT_MAPPING = RULES["RB011"]
TOO_DEEP = RULES["RB016"]


def compose(source):
    """The node tree of `source.text`, a mapping; None (with the finding recorded on the source) otherwise."""
    text = source.text
    deep = _too_deep(text)
    if deep is not None:
        source.findings.append(source.finding(TOO_DEEP, f"nested more than {MAX_DEPTH} levels deep", deep.line + 1, deep.column + 1))
        return None
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark
        if "single document" in (exc.context or "") + (exc.problem or ""):
            source.findings.append(source.finding(MULTI_DOC, "a second YAML document starts here; put each document in its own file", mark.line + 1, mark.column + 1))
        else:
            source.findings.append(_syntax_finding(source, exc))
        return None
    except yaml.MarkedYAMLError as exc:
        source.findings.append(_syntax_finding(source, exc))
        return None
    except yaml.YAMLError as exc:  # errors without a position (for example a reader error)
        source.findings.append(source.finding(SYNTAX, str(exc).splitlines()[0], 1, 1))
        return None
    finally:
        loader.dispose()
    if root is None:
        what = "holds only comments" if text.strip() else "is empty"
        source.findings.append(source.finding(EMPTY, f"the file {what}; a document needs at least `kind:` and `id:`", 1, 1))
        return None
    if not isinstance(root, yaml.MappingNode):
        what = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        mark = root.start_mark
        source.findings.append(source.finding(NOT_MAPPING, f"the top level is {what}; a document is a mapping of keys such as `kind:` and `id:`", mark.line + 1, mark.column + 1))
        return None
    return root


def compose_stream(text: str):
    """(node, failure) for each non-empty document of a multi-document text. `failure` is None, or a
    function that records on a Source why this document gives no data (not a mapping, a syntax error
    that ends the stream)."""
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == TAG + "null" and not node.value):
                continue  # an empty document (`---` twice, or a trailing `---`)
            if not isinstance(node, yaml.MappingNode):
                mark = node.start_mark
                yield node, lambda source, mark=mark: source.findings.append(
                    source.finding(NOT_MAPPING, "this document is not a mapping of keys", mark.line + 1, mark.column + 1))
                continue
            yield node, None
    except yaml.MarkedYAMLError as exc:
        yield None, lambda source, exc=exc: source.findings.append(_syntax_finding(source, exc))
    finally:
        loader.dispose()


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


def _syntax_finding(source, exc: yaml.MarkedYAMLError) -> Finding:
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
                return T_STR
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = yaml.CSafeLoader.resolve(self, kind, value, implicit)
                if len(_RESOLVED) < 50_000 and len(value) < 200:
                    _RESOLVED[value] = tag
            return tag
        # No path resolvers: a collection without a tag is a plain sequence or mapping.
        return T_SEQ if kind is yaml.SequenceNode else T_MAP
