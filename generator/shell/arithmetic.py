"""Bash arithmetic (`(( REPLICAS > 2 ))`, `$(( N + 1 ))`) evaluated without bash, for pure `when` tests.

`(( ))` is a bash builtin test as much as `[ ]`: a scenario should not have to restate it in `conditions`.
Bash expands `$NAME` and `${NAME:-word}` first (evaluate.py does that from the scenario's values) and then
reads the text as a C-like expression; so does this module, with bash's precedence, integer division
truncating toward zero, and bare names read as variables (unset or empty: 0). It refuses what would change
state or what it cannot read the same way as bash: assignments (`=`, `+=`, `++`), the comma operator, and a
value that is not a whole number. Bash's 64-bit wrap-around is not modelled (runbook numbers are small).
"""

from __future__ import annotations

import re
from typing import Callable

from .evaluate import BashError, NotPure

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>[0-9][0-9A-Za-z_@#]*)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>\*\*|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|[-+*/%<>=!~&^|?:(),]=?)
    )""", re.VERBOSE)

# Binary operators by precedence, loosest first (bash(1), ARITHMETIC EVALUATION); `**` and `?:` are handled apart.
_LEVELS: list[dict[str, Callable[[int, int], int]]] = [
    {"||": lambda a, b: int(bool(a) or bool(b))},
    {"&&": lambda a, b: int(bool(a) and bool(b))},
    {"|": lambda a, b: a | b},
    {"^": lambda a, b: a ^ b},
    {"&": lambda a, b: a & b},
    {"==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b)},
    {"<": lambda a, b: int(a < b), ">": lambda a, b: int(a > b), "<=": lambda a, b: int(a <= b),
     ">=": lambda a, b: int(a >= b)},
    {"<<": lambda a, b: a << b, ">>": lambda a, b: a >> b},
    {"+": lambda a, b: a + b, "-": lambda a, b: a - b},
    {"*": lambda a, b: a * b, "/": lambda a, b: _divide(a, b), "%": lambda a, b: _remainder(a, b)},
]
_STATEFUL = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", "++", "--", ","}


def _divide(a: int, b: int) -> int:
    if b == 0:
        raise BashError("division by 0")
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _remainder(a: int, b: int) -> int:
    return a - _divide(a, b) * b


def number(text: str) -> int:
    """A bash integer constant: decimal, 0x hex, 0 octal, or BASE#DIGITS."""
    try:
        if "#" in text:
            base, digits = text.split("#", 1)
            return int(digits, int(base))
        if text[:2].lower() == "0x":
            return int(text[2:], 16)
        if len(text) > 1 and text.startswith("0"):
            return int(text, 8)
        return int(text, 10)
    except ValueError:
        raise BashError(f"{text!r} is not a number bash reads") from None


def evaluate(expression: str, variable: Callable[[str], str]) -> int:
    """The value of an expanded arithmetic expression; `variable(NAME)` gives a bare name's value (raising
    NotPure for a name the scenario does not control)."""
    tokens = _tokens(expression)
    parser = _Parser(tokens, variable)
    value = parser.ternary()
    if parser.position != len(tokens):
        raise BashError(f"syntax error near {tokens[parser.position][1]!r}")
    return value


def _tokens(expression: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise NotPure(f"`{expression.strip()}` is arithmetic this tool does not read")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "op" and value in _STATEFUL:
            raise NotPure(f"`{expression.strip()}` assigns or counts (`{value}`): it changes variables")
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], variable: Callable[[str], str]):
        self.tokens = tokens
        self.position = 0
        self.variable = variable

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise BashError("the expression ends too early")
        self.position += 1
        return self.tokens[self.position - 1]

    def ternary(self) -> int:
        condition = self.binary(0)
        if self.peek() != "?":
            return condition
        self.take()
        yes = self.ternary()
        if self.take()[1] != ":":
            raise BashError("`?` without `:`")
        no = self.ternary()
        return yes if condition else no

    def binary(self, level: int) -> int:
        if level == len(_LEVELS):
            return self.power()
        operators = _LEVELS[level]
        value = self.binary(level + 1)
        while self.peek() in operators:
            operator = self.take()[1]
            right = self.binary(level + 1)
            value = operators[operator](value, right)
        return value

    def power(self) -> int:
        base = self.unary()
        if self.peek() == "**":
            self.take()
            exponent = self.power()  # right-associative
            if exponent < 0:
                raise BashError("exponent less than 0")
            return base ** exponent
        return base

    def unary(self) -> int:
        token = self.peek()
        if token in ("-", "+", "!", "~"):
            self.take()
            value = self.unary()
            return {"-": -value, "+": value, "!": int(not value), "~": ~value}[token]
        return self.primary()

    def primary(self) -> int:
        kind, value = self.take()
        if value == "(":
            inner = self.ternary()
            if self.take()[1] != ")":
                raise BashError("missing `)`")
            return inner
        if kind == "number":
            return number(value)
        if kind == "name":
            text = self.variable(value).strip()
            if text == "":
                return 0
            if re.fullmatch(r"[-+]?[0-9][0-9A-Za-z_@#]*", text):
                sign = -1 if text.startswith("-") else 1
                return sign * number(text.lstrip("+-"))
            raise NotPure(f"${value} is {text!r}, which bash would read as an expression of its own")
        raise BashError(f"syntax error near {value!r}")
