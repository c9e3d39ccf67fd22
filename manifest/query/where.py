"""The ``--where`` grammar: a small, safe expression language over run fields.

::

    expr    := or
    or      := and ("or" and)*
    and     := unary ("and" unary)*
    unary   := "not" unary | "(" expr ")" | test
    test    := FIELD OP value | FIELD ["not"] "in" list | FIELD ("~" | "!~") value
    OP      := "==" | "=" | "!=" | "<" | "<=" | ">" | ">="
    list    := "(" value ("," value)* ")" | "[" value ("," value)* "]"
    value   := NUMBER | "quoted" | 'quoted' | true | false | null | BAREWORD

A field is ``params.KEY`` or ``metrics.NAME`` (dotted, as ``ls`` shows
them) or one of :data:`manifest.query.fields.TOP_LEVEL`. ``~`` is a glob
match (``*``, ``?``, ``[abc]``). A bare word is a number when it reads as one
and a string otherwise (``status == completed``, ``created >= 2026-11-01``).
Keywords are case-insensitive. The parser builds a tree of plain data; nothing
is evaluated here, and nothing ever runs as code. A bad expression raises
:class:`QueryError` naming the column where it goes wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ManifestError
from .fields import Field, parse_field

OPERATORS = ("==", "=", "!=", "<=", ">=", "<", ">", "~", "!~")
KEYWORDS = ("and", "or", "not", "in")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>==|!=|<=|>=|!~|=|<|>|~)
      | (?P<punct>[()\[\],])
      | (?P<quote>["'])
      | (?P<word>[^\s()\[\],=!<>~"']+)
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class QueryError(ManifestError):
    """A ``--where`` or ``--sort`` expression that cannot be read (exit 2)."""


@dataclass(frozen=True)
class Token:
    kind: str  # op, punct, string, word, end
    text: str
    column: int  # 1-based


@dataclass(frozen=True)
class Value:
    """A literal: ``str``, ``int``, ``float``, ``bool`` or ``None``; ``text``
    is how it was written (compared when the field holds text)."""

    value: str | int | float | bool | None
    text: str


@dataclass(frozen=True)
class Test:
    field: Field
    op: str  # one of OPERATORS, or "in"
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


Node = Test | Not | BoolOp


def _error(expression: str, column: int, message: str) -> QueryError:
    return QueryError(
        f"column {column}: {message}",
        pointer="--where",
        hint=f"in {expression!r}; see `manifest ls --help` for the grammar",
    )


def _string(expression: str, start: int, quote: str) -> tuple[str, int]:
    out, i = [], start
    while i < len(expression):
        char = expression[i]
        if char == "\\" and i + 1 < len(expression):
            out.append(expression[i + 1])
            i += 2
        elif char == quote:
            return "".join(out), i + 1
        else:
            out.append(char)
            i += 1
    raise _error(expression, start, f"unterminated string: no closing {quote}")


def tokenize(expression: str) -> list[Token]:
    """The tokens of ``expression``, ending with an ``end`` token."""
    tokens: list[Token] = []
    pos = 0
    while True:
        match = _TOKEN.match(expression, pos)
        if match is None or match.end() == pos or match.lastgroup is None:
            return [*tokens, Token("end", "", len(expression) + 1)]
        kind, start = match.lastgroup, match.start(match.lastgroup)
        if kind == "bad":
            raise _error(expression, start + 1, f"unexpected character {match.group(kind)!r}")
        if kind == "quote":
            text, pos = _string(expression, match.end(), match.group(kind))
            tokens.append(Token("string", text, start + 1))
            continue
        tokens.append(Token(kind, match.group(kind), start + 1))
        pos = match.end()


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = tokenize(expression)
        self.i = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.i]

    def _keyword(self, word: str) -> bool:
        token = self.peek
        if token.kind == "word" and token.text.lower() == word:
            self.i += 1
            return True
        return False

    def _fail(self, message: str, token: Token | None = None) -> QueryError:
        token = token or self.peek
        found = "the end of the expression" if token.kind == "end" else repr(token.text)
        return _error(self.expression, token.column, f"{message}, found {found}")

    def parse(self) -> Node:
        if self.peek.kind == "end":
            raise self._fail("expected a condition")
        node = self._or()
        if self.peek.kind != "end":
            raise self._fail("expected 'and', 'or' or the end")
        return node

    def _or(self) -> Node:
        nodes = [self._and()]
        while self._keyword("or"):
            nodes.append(self._and())
        return nodes[0] if len(nodes) == 1 else BoolOp("or", tuple(nodes))

    def _and(self) -> Node:
        nodes = [self._unary()]
        while self._keyword("and"):
            nodes.append(self._unary())
        return nodes[0] if len(nodes) == 1 else BoolOp("and", tuple(nodes))

    def _unary(self) -> Node:
        if self._keyword("not"):
            return Not(self._unary())
        if self.peek.kind == "punct" and self.peek.text == "(":
            self.i += 1
            node = self._or()
            if not (self.peek.kind == "punct" and self.peek.text == ")"):
                raise self._fail("expected ')'")
            self.i += 1
            return node
        return self._test()

    def _test(self) -> Node:
        token = self.peek
        if token.kind != "word" or token.text.lower() in KEYWORDS:
            raise self._fail("expected a field such as params.lr, metrics.accuracy or status")
        field = parse_field(token.text)
        if field is None:
            raise _error(self.expression, token.column, f"unknown field {token.text!r}")
        self.i += 1
        negate = self._keyword("not")
        if self._keyword("in"):
            node: Node = Test(field, "in", self._list())
            return Not(node) if negate else node
        if negate:
            raise self._fail("expected 'in' after 'not'")
        op = self.peek
        if op.kind != "op":
            raise self._fail(f"expected an operator ({', '.join(OPERATORS)} or in)")
        self.i += 1
        value = self._value()
        self._check(op, value)
        return Test(field, "==" if op.text == "=" else op.text, (value,))

    def _check(self, op: Token, value: Value) -> None:
        ordered = op.text in ("<", "<=", ">", ">=")
        if ordered and (value.value is None or isinstance(value.value, bool)):
            raise _error(
                self.expression, op.column, f"{value.text} cannot be ordered with {op.text}"
            )

    def _list(self) -> tuple[Value, ...]:
        opening = self.peek
        if not (opening.kind == "punct" and opening.text in "(["):
            raise self._fail("expected '(' or '[' after 'in'")
        closing = ")" if opening.text == "(" else "]"
        self.i += 1
        values = [self._value()]
        while self.peek.kind == "punct" and self.peek.text == ",":
            self.i += 1
            values.append(self._value())
        if not (self.peek.kind == "punct" and self.peek.text == closing):
            raise self._fail(f"expected ',' or '{closing}'")
        self.i += 1
        return tuple(values)

    def _value(self) -> Value:
        token = self.peek
        if token.kind == "string":
            self.i += 1
            return Value(token.text, token.text)
        if token.kind != "word" or token.text.lower() in KEYWORDS:
            raise self._fail("expected a value (a number, a word or a quoted string)")
        self.i += 1
        return literal(token.text)


def literal(text: str) -> Value:
    """A bare word as a value: a number, true, false, null, or else a string."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return Value(lowered == "true", lowered)
    if lowered == "null":
        return Value(None, "null")
    if _NUMBER.fullmatch(text):
        number = float(text)
        exact = int(text) if re.fullmatch(r"[+-]?\d+", text) else number
        return Value(exact, text)
    return Value(text, text)


def parse_where(expression: str) -> Node:
    """The tree of a ``--where`` expression; :class:`QueryError` if malformed."""
    return _Parser(expression).parse()
