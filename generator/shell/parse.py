"""A bash command read by tree-sitter-bash: which `$NAME`s it expands, which names it sets, how each offset is quoted.

tree-sitter gives node types and byte offsets for the whole language (quotes, `$'...'`, here documents with
quoted or unquoted delimiters, command substitutions, comments), so none of that is re-implemented here.
Offsets returned are string (character) offsets into the command, as lint's columns and the importer's
rewrites need.

Only `$` expansions count as uses (`$X`, `${X}`, `${X:-d}`, `${#X}`, `${X[i]}`); a bare name inside `$(( ))`
does not. Parsing is lazy and memoised by the command's text (runbooks repeat commands: a check before and
after, one query in many files): a question the text alone answers exactly (no `$`, no `#` starting a word,
nothing that can hide a `$`; see `used_names`) never reaches the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# How text at an offset is read by bash.
UNQUOTED = "unquoted"
DOUBLE = "double"  # inside "..." or an unquoted here document: `$X` expands, no word splitting
SINGLE = "single"  # inside '...': nothing expands
ANSI = "ansi"  # inside $'...': nothing expands, backslash escapes are decoded
LITERAL = "literal"  # the body of a here document with a quoted delimiter (<<'EOF'): nothing expands
COMMENT = "comment"

_QUOTING_NODES = {"string": DOUBLE, "translated_string": DOUBLE, "raw_string": SINGLE, "ansi_c_string": ANSI,
                  "comment": COMMENT}
# A command substitution inside double quotes starts a new, unquoted context: "$(echo $x)" splits $x.
_NEW_CONTEXT = frozenset({"command_substitution", "process_substitution", "arithmetic_expansion"})
_SETTERS = frozenset({"read", "mapfile", "readarray", "getopts", "printf"})
_READ_VALUE_OPTIONS = "adinNptu"  # read's options that take a value (-a NAME fills an array)
_MAPFILE_VALUE_OPTIONS = "dnOsuCc"


@dataclass(frozen=True)
class Use:
    """One `$NAME` expansion: `offset` is the `$`, `end` the end of the whole expansion (after `}`)."""

    name: str
    offset: int
    end: int = 0
    quoting: str = UNQUOTED  # UNQUOTED or DOUBLE
    braced: bool = False  # ${NAME...}
    operator: str = ""  # `:-` in ${NAME:-default}
    argument: str = ""  # `default` in ${NAME:-default}, as written


@dataclass(frozen=True)
class _Parsed:
    tree: object
    data: bytes
    to_char: tuple[int, ...] | None  # byte offset -> character offset, None when the text is ASCII


@lru_cache(maxsize=1)
def _parser():
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


@lru_cache(maxsize=4096)
def _parse(command: str) -> _Parsed:
    data = command.encode("utf-8")
    to_char = None
    if len(data) != len(command):
        table: list[int] = []
        for index, char in enumerate(command):
            table.extend([index] * len(char.encode("utf-8")))
        table.append(len(command))
        to_char = tuple(table)
    return _Parsed(_parser().parse(data), data, to_char)


def parsed_tree(command: str):
    """(the root node, the size in bytes) of the command's parse."""
    parsed = _parse(command)
    return parsed.tree.root_node, len(parsed.data)


def _char(parsed: _Parsed, byte: int) -> int:
    return byte if parsed.to_char is None else parsed.to_char[byte]


def _text(parsed: _Parsed, node) -> str:
    return parsed.data[node.start_byte:node.end_byte].decode("utf-8", "replace")


def _walk(node):
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _heredoc_is_literal(body) -> bool:
    start = next((c for c in body.parent.children if c.type == "heredoc_start"), None) if body.parent else None
    return start is not None and any(mark in start.text.decode("utf-8", "replace") for mark in "'\"\\")


def _quoting_of(node) -> str:
    """How bash reads the text of `node`: the nearest enclosing quote, comment or here document decides."""
    while node is not None:
        kind = node.type
        if kind in _QUOTING_NODES:
            return _QUOTING_NODES[kind]
        if kind == "heredoc_body":
            return LITERAL if _heredoc_is_literal(node) else DOUBLE
        if kind in _NEW_CONTEXT:
            return UNQUOTED
        node = node.parent
    return UNQUOTED


# In a command without these, nothing can keep a `$NAME` from expanding (no single quotes, escapes, comments,
# quoted here documents or `$$`), so the pattern finds exactly the uses the parser would: lint's hot path.
_HIDES_DOLLAR = ("'", "\\", "#", "<<", "$$")
_DOLLAR_NAME = re.compile(r"\$\{?[#!]?([A-Za-z][A-Za-z0-9_]*|_[A-Za-z0-9_]+)")  # `$_` is bash's last argument


@lru_cache(maxsize=8192)
def used_names(command: str) -> tuple[tuple[str, int], ...]:
    """(name, offset of the `$`) of every use, as `uses` finds them. Parsing costs about a microsecond a byte,
    so commands in which nothing can hide a `$` skip it (tests/test_shell.py checks both ways agree)."""
    if "$" not in command:
        return ()
    if not any(mark in command for mark in _HIDES_DOLLAR):
        return tuple((match.group(1), match.start()) for match in _DOLLAR_NAME.finditer(command))
    return tuple((use.name, use.offset) for use in uses(command))


@lru_cache(maxsize=4096)
def uses(command: str) -> tuple[Use, ...]:
    """Every `$NAME` bash expands in the command, in order (not in single quotes, `\\$`, comments or quoted heredocs)."""
    if "$" not in command:
        return ()
    parsed = _parse(command)
    found: list[Use] = []
    for node in _walk(parsed.tree.root_node):
        if node.type == "$" and node.parent is not None and node.parent.type == "concatenation":
            # tree-sitter-bash splits `.$time.gz` into `.`, a bare `$` and `time.gz`; bash expands $time
            after = parsed.tree.root_node.descendant_for_byte_range(node.end_byte, node.end_byte + 1)
            name = NAME.match(_text(parsed, after)) if after is not None and after.start_byte == node.end_byte else None
            if name and after.type == "word" and _quoting_of(node.parent) in (UNQUOTED, DOUBLE):
                start = _char(parsed, node.start_byte)
                found.append(Use(name.group(0), start, start + 1 + len(name.group(0)), _quoting_of(node.parent)))
            continue
        if node.type == "word" and "$" in _text(parsed, node):
            # tree-sitter-bash reads `.$time.gz` after an expansion as one plain word; bash expands it
            found.extend(_uses_in_word(parsed, node))
            continue
        if node.type == "simple_expansion":
            name_node = next((c for c in node.children if c.type == "variable_name"), None)
            braced = False
        elif node.type == "expansion":
            name_node = _expansion_name(node)
            braced = True
        else:
            continue
        if name_node is None or not NAME.fullmatch(_text(parsed, name_node)):
            continue  # $1, $@, $? and friends
        operator, argument = _operator(parsed, node, name_node) if braced else ("", "")
        found.append(Use(_text(parsed, name_node), _char(parsed, node.start_byte), _char(parsed, node.end_byte),
                         _quoting_of(node.parent), braced, operator, argument))
    return tuple(sorted(found, key=lambda use: use.offset))


_WORD_USE = re.compile(r"(?<!\\)\$(\{)?([A-Za-z][A-Za-z0-9_]*|_[A-Za-z0-9_]+)(?(1)\})")


def _uses_in_word(parsed: _Parsed, node) -> list[Use]:
    text = _text(parsed, node)
    base = _char(parsed, node.start_byte)
    quoting = _quoting_of(node.parent)
    if quoting not in (UNQUOTED, DOUBLE):
        return []
    return [Use(match.group(2), base + match.start(), base + match.end(), quoting, bool(match.group(1)))
            for match in _WORD_USE.finditer(text)]


def _expansion_name(node):
    for child in node.children:
        if child.type == "variable_name":
            return child
        if child.type == "subscript":  # ${ARR[i]}
            return next((c for c in child.children if c.type == "variable_name"), None)
    return None


def _operator(parsed: _Parsed, node, name_node) -> tuple[str, str]:
    """(`:-`, `default`) of ${NAME:-default}; the argument is the text up to the closing brace."""
    siblings = node.children
    index = siblings.index(name_node) if name_node in siblings else -1
    if index < 0 or index + 1 >= len(siblings) or siblings[index + 1].type == "}":
        return "", ""
    operator = siblings[index + 1]
    close = siblings[-1].start_byte if siblings[-1].type == "}" else node.end_byte
    return _text(parsed, operator), parsed.data[operator.end_byte:close].decode("utf-8", "replace")


@lru_cache(maxsize=4096)
def assigned(command: str) -> dict[str, int]:
    """Names the command sets itself, with the offset of the first statement that sets each: `NAME=`,
    export/local/declare/readonly/unset, `for NAME in`, `for ((i=0...))`, read/mapfile/readarray/getopts,
    `printf -v NAME`, `${NAME:=x}`."""
    names: dict[str, int] = {}
    if "=" not in command and not any(word in command for word in ("for", "read", "mapfile", "getopts", "printf",
                                                                  "local", "declare", "typeset", "export", "unset")):
        return names
    parsed = _parse(command)

    def add(name: str, node) -> None:
        if NAME.fullmatch(name):
            names.setdefault(name, _char(parsed, node.start_byte))

    for node in _walk(parsed.tree.root_node):
        kind = node.type
        if kind == "variable_assignment":
            target = node.child_by_field_name("name") or node.children[0]
            if target.type == "subscript":
                target = target.children[0]
            add(_text(parsed, target), _statement(node))
        elif kind in ("declaration_command", "unset_command", "for_statement"):
            for child in node.children:
                if child.type == "variable_name":
                    add(_text(parsed, child), node)
        elif kind == "expansion" and node.child_count > 3:
            name_node = _expansion_name(node)
            if name_node is not None and _operator(parsed, node, name_node)[0] in (":=", "="):
                add(_text(parsed, name_node), node)
        elif kind == "command":
            program = node.child_by_field_name("name")
            if program is not None and _text(parsed, program) in _SETTERS:
                arguments = [_text(parsed, c) for c in node.children_by_field_name("argument")]
                for name in _set_by(_text(parsed, program), arguments):
                    add(name, node)
    return names


def _statement(node):
    """A prefix assignment (`X=1 cmd`) or `local X=1` counts from the start of its whole statement."""
    parent = node.parent
    return parent if parent is not None and parent.type in ("command", "declaration_command") else node


def _set_by(program: str, arguments: list[str]) -> list[str]:
    """The names read, mapfile, getopts and `printf -v` fill, from their arguments."""
    if program == "getopts":
        return arguments[1:2]
    if program == "printf":
        return [arguments[index + 1] for index, word in enumerate(arguments[:-1]) if word == "-v"][:1]
    value_options = _READ_VALUE_OPTIONS if program == "read" else _MAPFILE_VALUE_OPTIONS
    names: list[str] = []
    plain: list[str] = []
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word.startswith("-") and len(word) > 1 and not plain:
            for position, letter in enumerate(word[1:], 1):
                if letter in value_options:
                    value = word[position + 1:]
                    if not value and index < len(arguments):
                        value, index = arguments[index], index + 1
                    if letter == "a" and program == "read":
                        names.append(value)
                    break
            continue
        plain.append(word)
    if program == "read":
        return names + plain
    return plain[:1]  # mapfile ARRAY


def quoting_at(command: str, offset: int) -> str:
    """How bash reads the character at `offset`: UNQUOTED, DOUBLE, SINGLE, ANSI, LITERAL or COMMENT."""
    if not any(mark in command for mark in "'\"#<`$"):
        return UNQUOTED
    parsed = _parse(command)
    byte = offset if parsed.to_char is None else len(command[:offset].encode("utf-8"))
    node = parsed.tree.root_node.descendant_for_byte_range(byte, byte + 1)
    return _quoting_of(node)


_MAYBE_COMMENT = re.compile(r"(?:^|[\s;&|()])#")  # a comment starts a word; `$#` and `a#b` never do


def without_comments(command: str) -> str:
    """The command with its `# comments` removed (a `#` inside quotes, in `$#` or in a word is not one)."""
    if not _MAYBE_COMMENT.search(command):
        return command
    parsed = _parse(command)
    spans = [(node.start_byte, node.end_byte) for node in _walk(parsed.tree.root_node) if node.type == "comment"]
    if not spans:
        return command
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(parsed.data[last:start])
        last = end
    pieces.append(parsed.data[last:])
    return b"".join(pieces).decode("utf-8", "replace")


def splits_words(command: str, offset: int) -> bool:
    """Is the text at `offset` in a list whose words bash is meant to split: the words of `for x in ...` or an
    array literal `(...)`? There an unquoted `$LIST` is on purpose, and quoting it would make one word of it."""
    if "for" not in command and "(" not in command:
        return False
    parsed = _parse(command)
    byte = offset if parsed.to_char is None else len(command[:offset].encode("utf-8"))
    node = parsed.tree.root_node.descendant_for_byte_range(byte, byte + 1)
    child = None
    while node is not None:
        if node.type in ("string", "raw_string", "command_substitution", "do_group", "compound_statement"):
            return False
        if node.type == "array":
            return True
        if node.type == "for_statement":
            return child is not None and child.type not in ("do_group", "variable_name")
        child, node = node, node.parent
    return False
