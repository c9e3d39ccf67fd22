"""The runs table (``manifest ls``) as text, CSV, JSON or Markdown.

Columns are named as queries name them (``params.optimizer.lr``,
``metrics.accuracy``); text and Markdown headers drop the ``params.`` and
``metrics.`` prefixes and mark each metric's declared direction (``↑`` higher
is better, ``↓`` lower). Every string from a manifest goes through the one
escaper (:func:`~manifest.render.escape.escape`) in text and Markdown; CSV
and JSON carry the values as they are (the CLI's output filter makes them
safe to print).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ..query.table import Runs
from .escape import escape
from .table import columns as aligned
from .table import md_cell, md_table

FORMATS = ("text", "csv", "json", "markdown")
ARROWS = {"higher": "↑", "lower": "↓"}


def default_columns(table: Runs) -> list[str]:
    """Run id, status, creation time, folder and config; every metric; the
    parameters that differ between the listed runs; the error of unreadable files."""
    chosen = ["run_id", "status", "created", "folder", "config"]
    chosen += [f"metrics.{k}" for k in table.metric_names()]
    chosen += [f"params.{k}" for k in table.varying_params()]
    if any(r.error for r in table.rows):
        chosen.append("error")
    return chosen


def header(column: str, directions: dict[str, str]) -> str:
    head, _, key = column.partition(".")
    if head == "metrics" and key:
        arrow = ARROWS.get(directions.get(key, ""), "")
        return f"{key} {arrow}" if arrow else key
    return key if head == "params" and key else column


def cell(column: str, value: Any) -> str:
    """One value for text and Markdown: numbers to six significant digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if column == "created" and isinstance(value, str):
        return value[:19].replace("T", " ")
    if isinstance(value, str):
        return value
    if isinstance(value, list) and column == "overrides":
        return " ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _numeric(table: Runs, chosen: Sequence[str]) -> set[int]:
    return {
        i
        for i, c in enumerate(chosen)
        if c.startswith(("params.", "metrics."))
        and all(isinstance(r.get(c), (int, float, type(None))) for r in table.rows)
    }


def text(table: Runs, chosen: Sequence[str]) -> str:
    directions = table.directions()
    rows = [[escape(header(c, directions)) for c in chosen]]
    rows += [[escape(cell(c, r.get(c))) for c in chosen] for r in table.rows]
    lines = aligned(rows, right=_numeric(table, chosen)) if table.rows else []
    lines.append(footer(table))
    return "\n".join(lines) + "\n"


def footer(table: Runs) -> str:
    """``N runs`` (``of M`` when filtered), and how to sort by a declared metric."""
    noun = "run" if table.total == 1 else "runs"
    shown = (
        f"{len(table)} of {table.total} {noun}"
        if len(table) != table.total
        else (f"{table.total} {noun}")
    )
    line = f"{shown} in {', '.join(escape(s) for s in table.sources)}"
    directions = table.directions()
    if directions and table.rows:
        name, direction = sorted(directions.items())[0]
        sign = "-" if direction == "higher" else ""
        line += f"; best first: --sort={sign}metrics.{escape(name)}"
    return line


def csv_text(table: Runs, chosen: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(chosen)
    for row in table.rows:
        writer.writerow(_csv_value(row.get(c)) for c in chosen)
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, dict, bool)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def json_text(table: Runs, chosen: Sequence[str] | None) -> str:
    """Every run as an object: the chosen columns, or (none chosen) the full
    record with ``params``, ``metrics`` and ``directions`` as mappings."""
    if chosen is not None:
        data: list[dict[str, Any]] = table.to_records(chosen)
    else:
        data = [
            {
                **{c: r.get(c) for c in ("path", "folder", "run_id", "status", "created")},
                **{c: r.get(c) for c in ("finished", "owner", "task", "config", "overrides")},
                "params": dict(r.params),
                "metrics": dict(r.metrics),
                "directions": dict(r.directions),
                "digest": r.digest,
                "error": r.error,
            }
            for r in table.rows
        ]
    # One run per line, each written by the C encoder: an indented dump of
    # 100,000 runs takes Python's pure-Python encoder many seconds.
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
    return "[\n" + ",\n".join(encode(row) for row in data) + ("\n]\n" if data else "]\n")


def markdown(table: Runs, chosen: Sequence[str]) -> str:
    directions = table.directions()
    head = [md_cell(header(c, directions)) for c in chosen]
    body = [[cell(c, r.get(c)) for c in chosen] for r in table.rows]
    return "\n".join([*md_table(head, body), "", footer(table)]) + "\n"


def render(table: Runs, fmt: str, chosen: Sequence[str] | None) -> str:
    """``table`` in format ``fmt`` over the ``chosen`` columns (default:
    :func:`default_columns`; JSON without a choice gives full records)."""
    if fmt == "json":
        return json_text(table, chosen)
    columns = list(chosen) if chosen is not None else default_columns(table)
    if fmt == "csv":
        return csv_text(table, columns)
    if fmt == "markdown":
        return markdown(table, columns)
    return text(table, columns)
