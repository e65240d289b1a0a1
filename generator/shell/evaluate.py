"""A `when` test evaluated without bash, when it is pure: builtins only, reading nothing but variables.

`runbook test` starts no process, yet a scenario should not have to restate what `[ -n "$CURRENT_REPLICAS" ]`
says. tree-sitter-bash (the parser lint and import use) tells what the command is made of; only these are pure:
`[ ... ]`, `test ...`, `[[ ... ]]`, `(( ... ))` (arithmetic.py), `true`, `false`, `:`, joined by `&&`, `||`, `!`, `;` and newlines, whose
words are literals, quotes, `$(( ))` and `$NAME` / `${NAME}` / `${NAME:-word}`-style expansions of known names. Anything
else (a command substitution, a pipeline, a file test such as `-s`, a glob, another program, a name the scenario
does not control) raises NotPure: the scenario must give `conditions.STEP` instead.

`[` and `test` follow POSIX's rules by argument count after word splitting (an unquoted empty `$X` is no
argument at all, as in bash); `[[` does not split, matches `==` patterns and `=~` regular expressions.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Mapping

from .parse import parsed_tree

TRUE, FALSE, ERROR = 0, 1, 2  # exit statuses; `[` exits 2 on a malformed test (bash treats it as false)


class NotPure(Exception):
    """The command is not a test this module can decide from the values alone; the message says why."""


class BashError(Exception):
    """Bash would stop with an error inside arithmetic (division by zero, a malformed expression)."""


_INTEGER = re.compile(r"^\s*[-+]?[0-9]+\s*$")
_STRING_UNARY = {"-n": lambda s: s != "", "-z": lambda s: s == ""}
_INT_BINARY = {"-eq": lambda a, b: a == b, "-ne": lambda a, b: a != b, "-lt": lambda a, b: a < b,
               "-le": lambda a, b: a <= b, "-gt": lambda a, b: a > b, "-ge": lambda a, b: a >= b}
_STRING_BINARY = {"=": lambda a, b: a == b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
                  "<": lambda a, b: a < b, ">": lambda a, b: a > b}
# Unary tests about files, terminals and shell options: the filesystem decides them, not the scenario.
_IMPURE_UNARY = frozenset("-a -b -c -d -e -f -g -h -k -p -r -s -t -u -w -x -G -L -N -O -S -o".split())
_IMPURE_BINARY = frozenset({"-nt", "-ot", "-ef"})
_GLOB = re.compile(r"[*?\[]")


def evaluate(command: str, values: Mapping[str, str], known: frozenset[str] | set[str]) -> int:
    """The exit status bash would give `command` (0 true, 1 false, 2 a malformed test) with `values` set
    (names in `known` but not in `values` are unset). Raises NotPure when the values alone cannot decide."""
    root, _ = parsed_tree(command)
    if root.has_error:
        raise NotPure("the shell parser cannot read it (tree-sitter-bash)")
    status = TRUE
    statements = [child for child in root.named_children if child.type != "comment"]
    if not statements:
        raise NotPure("it is empty")
    for statement in statements:
        status = _Evaluator(command.encode("utf-8"), values, known).statement(statement)
    return status


def is_pure(command: str, known: frozenset[str] | set[str]) -> bool:
    """Whether `evaluate` can decide the command (with every known name unset as a probe of its shape)."""
    try:
        evaluate(command, {}, known)
        return True
    except NotPure:
        return False


class _Evaluator:
    def __init__(self, data: bytes, values: Mapping[str, str], known):
        self.data = data
        self.values = values
        self.known = known

    def text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # -- commands -------------------------------------------------------------------------------

    def statement(self, node) -> int:
        kind = node.type
        if kind == "list":  # a && b, a || b (left-associative, as bash reads them)
            left, operator, right = node.children[0], node.children[1].type, node.children[2]
            status = self.statement(left)
            if (operator == "&&" and status == TRUE) or (operator == "||" and status != TRUE):
                return self.statement(right)
            return status
        if kind == "negated_command":
            return FALSE if self.statement(node.named_children[0]) == TRUE else TRUE
        if kind == "test_command":
            opening = node.children[0].type
            inner = [child for child in node.children[1:-1]]
            if opening == "[[":
                if len(inner) != 1:
                    raise NotPure(f"`{self.text(node)}` is not one [[ ]] expression")
                return TRUE if self.double(inner[0]) else FALSE
            return _posix_test([word for child in inner for word in self.words(child)])
        if kind == "command":
            return self.command(node)
        if kind == "redirected_statement":
            raise NotPure("it redirects input or output")
        if kind == "compound_statement" and node.children and node.children[0].type == "((":
            try:  # (( expr )): true when the value is not 0
                return TRUE if self.arithmetic(node.children[1:-1]) != 0 else FALSE
            except BashError:
                return FALSE  # bash prints the error and the test fails
        raise NotPure(f"`{self.text(node)}` is not a test (a {kind.replace('_', ' ')})")

    def command(self, node) -> int:
        name_node = node.child_by_field_name("name")
        if name_node is None or any(c.type in ("variable_assignment", "file_redirect", "herestring_redirect")
                                    for c in node.children):
            raise NotPure(f"`{self.text(node)}` sets variables or redirects")
        name = self.words(name_node.named_children[0] if name_node.named_children else name_node)
        if len(name) != 1:
            raise NotPure(f"`{self.text(node)}` names no single command")
        program = name[0]
        arguments = [word for child in node.children if child.type != "command_name" and child.is_named
                     for word in self.words(child)]
        if program in ("true", ":"):
            return TRUE
        if program == "false":
            return FALSE
        if program == "test":
            return _posix_test(arguments)
        if program == "[":
            if not arguments or arguments[-1] != "]":
                return ERROR
            return _posix_test(arguments[:-1])
        raise NotPure(f"it runs `{program}`, not a bash builtin test")

    # -- [[ ]] ----------------------------------------------------------------------------------

    def double(self, node) -> bool:
        kind = node.type
        if kind == "parenthesized_expression":
            return self.double(node.named_children[0])
        if kind == "unary_expression":
            first = node.children[0]
            if first.type == "!":
                return not self.double(node.children[1])
            operator = self.text(first)
            operand = self.single(node.children[1])
            if operator in _STRING_UNARY:
                return _STRING_UNARY[operator](operand)
            if operator == "-v":
                return operand in self.values
            raise NotPure(f"`{operator}` tests a file or an option, which the scenario cannot know")
        if kind == "binary_expression":
            left, op_node, right = node.children[0], node.children[1], node.children[2]
            operator = self.text(op_node)
            if operator == "&&":
                return self.double(left) and self.double(right)
            if operator == "||":
                return self.double(left) or self.double(right)
            a = self.single(left)
            if operator == "=~":
                try:
                    return re.search(self.text(right) if right.type == "regex" else self.single(right), a) is not None
                except re.error:
                    raise NotPure("its regular expression is not one Python reads the same way") from None
            if operator in ("==", "=", "!="):
                pattern = self.pattern(right)
                matched = fnmatch.fnmatchcase(a, pattern) if pattern is not None else a == self.single(right)
                return matched if operator != "!=" else not matched
            b = self.single(right)
            if operator in _INT_BINARY:
                if not (_INTEGER.match(a) and _INTEGER.match(b)):
                    raise NotPure("[[ ]] reads these operands as arithmetic, which is only decided for whole numbers")
                return _INT_BINARY[operator](int(a), int(b))
            if operator in _STRING_BINARY:
                return _STRING_BINARY[operator](a, b)
            raise NotPure(f"`{operator}` is not a test of values")
        return self.single(node) != ""  # [[ word ]]: non-empty

    def pattern(self, node) -> str | None:
        """The right side of `==` in [[ ]] as an fnmatch pattern when it is an unquoted glob, else None."""
        if node.type in ("extglob_pattern", "word") and _GLOB.search(self.text(node)):
            text = self.text(node)
            if re.search(r"[@!+?*]\(", text):
                raise NotPure("it uses an extended glob")
            return text
        return None

    def single(self, node) -> str:
        """One word without splitting (inside [[ ]])."""
        return "".join(text for text, _ in self.segments(node))

    # -- words ----------------------------------------------------------------------------------

    def words(self, node) -> list[str]:
        """The arguments a node expands to: unquoted expansions are split on blanks (an empty one vanishes)."""
        if node.type in ("test_operator", "!", "=", "==", "!=", "<", ">", "(", ")"):
            return [self.text(node)]
        if node.type in ("unary_expression", "binary_expression", "parenthesized_expression"):
            return [word for child in node.children for word in self.words(child)]
        if node.type in ("word", "extglob_pattern") and _GLOB.search(self.text(node).replace("\\*", "")):
            raise NotPure("an unquoted glob depends on the files in the working directory")
        fields: list[str] = []
        current: str | None = None
        for text, split in self.segments(node):
            if not split:
                current = (current or "") + text
                continue
            for index, part in enumerate(re.split(r"[ \t\n]+", text)):
                if index and current is not None:
                    fields.append(current)
                    current = None
                if part:
                    current = (current or "") + part
        if current is not None:
            fields.append(current)
        return fields

    def segments(self, node, quoted: bool = False) -> list[tuple[str, bool]]:
        """(text, splittable) pieces of a word: literals are never split, unquoted expansions are."""
        kind = node.type
        if kind in ("word", "number", "extglob_pattern", "test_operator", "regex"):
            return [(re.sub(r"\\(.)", r"\1", self.text(node)), False)]
        if kind == "raw_string":
            return [(self.text(node)[1:-1], False)]
        if kind == "string_content":
            return [(re.sub(r'\\([$`"\\\n])', r"\1", self.text(node)), False)]
        if kind == "string":
            pieces = [(self.segments(child, quoted=True)) for child in node.named_children]
            return [("".join(text for piece in pieces for text, _ in piece), False)]
        if kind == "concatenation":
            return [segment for child in node.children for segment in self.segments(child, quoted)]
        if kind == "simple_expansion":
            return [(self.lookup(node.named_children[0]), not quoted)]
        if kind == "expansion":
            return [(self.expansion(node), not quoted)]
        if kind == "arithmetic_expansion":  # $(( N + 1 ))
            try:
                return [(str(self.arithmetic(node.children[1:-1])), not quoted)]
            except BashError as error:
                raise NotPure(f"bash stops on `{self.text(node)}` ({error})") from None
        raise NotPure(f"`{self.text(node)}` is not a plain word or variable (a {kind.replace('_', ' ')})")

    def arithmetic(self, nodes) -> int:
        """The value of the arithmetic between `((` and `))` (or in `$(( ))`): expansions are made first, from
        the scenario's values, then the text is read as bash reads it (arithmetic.py)."""
        from . import arithmetic

        if not nodes:
            raise NotPure("the arithmetic is empty")
        start, end = nodes[0].start_byte, nodes[-1].end_byte
        pieces, position = [], start
        for expansion in self.expansions(nodes):
            pieces.append(self.data[position:expansion.start_byte].decode("utf-8", "replace"))
            pieces.append(self.single(expansion))
            position = expansion.end_byte
        pieces.append(self.data[position:end].decode("utf-8", "replace"))

        def variable(name: str) -> str:
            if name not in self.known:
                raise NotPure(f"it reads {name}, which is neither a variable of the runbook nor a capture")
            return self.values.get(name, "")

        return arithmetic.evaluate("".join(pieces), variable)

    def expansions(self, nodes) -> list:
        """The `$NAME`, `${...}` and `$(( ))` nodes inside the arithmetic, outermost only, in order; anything
        that would run a command refuses."""
        found = []
        for node in nodes:
            if node.type in ("simple_expansion", "expansion", "arithmetic_expansion"):
                found.append(node)
            elif node.type in ("command_substitution", "process_substitution"):
                raise NotPure(f"`{self.text(node)}` runs a command")
            else:
                found += self.expansions(node.children)
        return found

    def lookup(self, name_node) -> str:
        if name_node.type != "variable_name":
            raise NotPure(f"`${self.text(name_node)}` is a special parameter the scenario cannot set")
        name = self.text(name_node)
        if name not in self.known:
            raise NotPure(f"it reads ${name}, which is neither a variable of the runbook nor a capture")
        return self.values.get(name, "")

    def expansion(self, node) -> str:
        """${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word}, ${#NAME}."""
        children = [child for child in node.children if child.type not in ("${", "}")]
        if children and children[0].type == "#" and len(children) == 2:
            return str(len(self.lookup(children[1])))
        if not children or children[0].type != "variable_name":
            raise NotPure(f"`{self.text(node)}` is an expansion the scenario cannot decide")
        value = self.lookup(children[0])
        if len(children) == 1:
            return value
        operator = children[1].type
        word = "".join(text for child in children[2:] for text, _ in self.segments(child, quoted=True))
        is_set = self.text(children[0]) in self.values
        if operator == ":-":
            return value if value else word
        if operator == "-":
            return value if is_set else word
        if operator == ":+":
            return word if value else ""
        if operator == "+":
            return word if is_set else ""
        raise NotPure(f"`{self.text(node)}` is an expansion the scenario cannot decide")


def _posix_test(args: list[str]) -> int:
    """`test ARGS` by POSIX's rules: the number of arguments decides how they are read."""
    try:
        return TRUE if _Test(args).run() else FALSE
    except _Malformed:
        return ERROR


class _Malformed(Exception):
    pass


class _Test:
    def __init__(self, args: list[str]):
        self.args = args

    def run(self) -> bool:
        a = self.args
        if len(a) == 0:
            return False
        if len(a) == 1:
            return a[0] != ""
        if len(a) == 2:
            if a[0] == "!":
                return a[1] == ""
            return _unary(a[0], a[1])
        if len(a) == 3:
            if a[1] in _STRING_BINARY or a[1] in _INT_BINARY or a[1] in _IMPURE_BINARY:
                return _binary(a[0], a[1], a[2])
            if a[1] in ("-a", "-o"):
                return self._or_expression()
            if a[0] == "!":
                return not _Test(a[1:]).run()
            if a[0] == "(" and a[2] == ")":
                return a[1] != ""
            raise _Malformed
        if len(a) == 4:
            if a[0] == "!":
                return not _Test(a[1:]).run()
            if a[0] == "(" and a[3] == ")":
                return _Test(a[1:3]).run()
        return self._or_expression()

    # More than four arguments: -o binds looser than -a, `!` and parentheses group.
    def _or_expression(self) -> bool:
        self.position = 0
        value = self._or()
        if self.position != len(self.args):
            raise _Malformed
        return value

    def _peek(self) -> str | None:
        return self.args[self.position] if self.position < len(self.args) else None

    def _take(self) -> str:
        if self.position >= len(self.args):
            raise _Malformed
        self.position += 1
        return self.args[self.position - 1]

    def _or(self) -> bool:
        value = self._and()
        while self._peek() == "-o":
            self._take()
            right = self._and()
            value = value or right
        return value

    def _and(self) -> bool:
        value = self._not()
        while self._peek() == "-a":
            self._take()
            right = self._not()
            value = value and right
        return value

    def _not(self) -> bool:
        if self._peek() == "!":
            self._take()
            return not self._not()
        return self._primary()

    def _primary(self) -> bool:
        a = self.args
        p = self.position
        if self._peek() == "(":
            self._take()
            value = self._or()
            if self._take() != ")":
                raise _Malformed
            return value
        if p + 2 < len(a) and (a[p + 1] in _STRING_BINARY or a[p + 1] in _INT_BINARY or a[p + 1] in _IMPURE_BINARY):
            self.position += 3
            return _binary(a[p], a[p + 1], a[p + 2])
        if a[p] in _STRING_UNARY or a[p] in _IMPURE_UNARY or a[p] == "-v":
            if p + 1 < len(a):
                self.position += 2
                return _unary(a[p], a[p + 1])
        self.position += 1
        return a[p] != ""


def _unary(operator: str, operand: str) -> bool:
    if operator in _STRING_UNARY:
        return _STRING_UNARY[operator](operand)
    if operator in _IMPURE_UNARY or operator == "-v":
        raise NotPure(f"`{operator}` tests a file, a terminal or the shell, which the scenario cannot know")
    raise _Malformed


def _binary(left: str, operator: str, right: str) -> bool:
    if operator in _STRING_BINARY:
        return _STRING_BINARY[operator](left, right)
    if operator in _INT_BINARY:
        if not (_INTEGER.match(left) and _INTEGER.match(right)):
            raise _Malformed  # bash: "integer expression expected", exit 2
        return _INT_BINARY[operator](int(left), int(right))
    raise NotPure(f"`{operator}` compares files, which the scenario cannot know")
