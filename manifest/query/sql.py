"""A parsed ``--where`` tree and ``--sort`` keys as SQL over the ``runs`` view.

Every value is a bound parameter; only field names chosen from a fixed list
and JSON paths (bound too) reach the SQL text. Comparisons are typed: a
number matches numbers, a string matches strings, ``true``/``false``/``null``
match JSON booleans and null; a field that a run lacks makes every test on it
false (so ``a != 1`` is exactly ``not (a == 1)``, and holds for a run without
``a``). Each test is wrapped so it is 0 or 1, never SQL's NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

from .fields import Field, parse_field
from .where import Node, Not, QueryError, Test, Value

_SQL_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_JSON_TYPE = {bool: "IN ('true', 'false')", type(None): "= 'null'", str: "= 'text'"}


def _json_test(field: Field, op: str, value: Value) -> tuple[str, list[object]]:
    col, path = field.column, field.json_path()
    kind = f"json_type({col}, ?)"
    extract = f"json_extract({col}, ?)"
    v = value.value
    if op == "~":
        return (
            f"({kind} IN ('text', 'integer', 'real') AND CAST({extract} AS TEXT) GLOB ?)",
            [path, path, value.text if not isinstance(v, str) else v],
        )
    if isinstance(v, bool) or v is None:
        wanted = f"= '{'true' if v else 'false'}'" if isinstance(v, bool) else "= 'null'"
        return f"({kind} {wanted})", [path]
    types = "= 'text'" if isinstance(v, str) else "IN ('integer', 'real')"
    return f"({kind} {types} AND {extract} {_SQL_OPS[op]} ?)", [path, path, v]


def _text_test(field: Field, op: str, value: Value) -> tuple[str, list[object]]:
    text = value.value if isinstance(value.value, str) else value.text
    if field.column == "overrides":
        sql_op = "GLOB" if op == "~" else _SQL_OPS[op]
        return (
            f"EXISTS (SELECT 1 FROM json_each(overrides) WHERE value {sql_op} ?)",
            [text],
        )
    if value.value is None and op == "==":
        return f"({field.column} IS NULL)", []
    sql_op = "GLOB" if op == "~" else _SQL_OPS[op]
    return f"({field.column} IS NOT NULL AND {field.column} {sql_op} ?)", [text]


def _test(node: Test) -> tuple[str, list[object]]:
    if node.op == "in":
        parts = [_one(node.field, "==", v) for v in node.values]
        return "(" + " OR ".join(p for p, _ in parts) + ")", [x for _, a in parts for x in a]
    if node.op in ("!=", "!~"):
        sql, args = _one(node.field, "==" if node.op == "!=" else "~", node.values[0])
        return f"(NOT {sql})", args
    return _one(node.field, node.op, node.values[0])


def _one(field: Field, op: str, value: Value) -> tuple[str, list[object]]:
    sql, args = (_json_test if field.is_json else _text_test)(field, op, value)
    return f"COALESCE({sql}, 0)", args


def where_sql(node: Node) -> tuple[str, list[object]]:
    """SQL for a WHERE clause, and its parameters."""
    if isinstance(node, Test):
        return _test(node)
    if isinstance(node, Not):
        sql, args = where_sql(node.operand)
        return f"(NOT {sql})", args
    parts = [where_sql(n) for n in node.operands]
    joiner = f" {node.op.upper()} "
    return "(" + joiner.join(p for p, _ in parts) + ")", [a for _, args in parts for a in args]


def sort_keys(keys: Sequence[str]) -> list[tuple[Field, bool]]:
    """``--sort`` keys (``-KEY`` descending) as (field, descending) pairs."""
    out = []
    for key in keys:
        descending = key.startswith("-")
        name = key[1:] if descending else key.lstrip("+")
        field = parse_field(name)
        if field is None:
            raise QueryError(
                f"unknown sort key {name!r}",
                pointer="--sort",
                expected="params.KEY, metrics.NAME, or a field such as created, status, run_id",
                hint="descending: --sort=-KEY",
            )
        out.append((field, descending))
    return out


def order_sql(keys: Sequence[tuple[Field, bool]]) -> tuple[str, list[object]]:
    """SQL for ORDER BY (missing values last in either direction, then by
    creation time and path), and its parameters."""
    parts: list[str] = []
    args: list[object] = []
    for field, descending in keys:
        expr, expr_args = field.sql()
        parts.append(f"({expr} IS NULL), {expr} {'DESC' if descending else 'ASC'}")
        args += expr_args + expr_args
    parts.append("(created IS NULL), created, path")
    return ", ".join(parts), args
