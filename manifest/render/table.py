"""One way to lay out tables: aligned text columns, and Markdown.

Markdown cells carry text from manifests into PR comments and CI step
summaries, so they are encoded for Markdown: :func:`md_cell` (plain text:
control characters shown escaped, and the characters that would make a link,
an HTML tag, an entity, a code span or a new cell backslash-escaped) and
:func:`md_code` (a code span that its content cannot close).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from .escape import escape

_MD_ACTIVE = re.compile(r"([\\`|\[\]<&])")
_TICKS = re.compile(r"`+")


def columns(rows: Sequence[Sequence[str]], *, right: Collection[int] = ()) -> list[str]:
    """``rows`` (the first one a header, if any) as lines of aligned columns,
    two spaces apart; the columns numbered in ``right`` right-aligned."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


class Markdown(str):
    """Text already encoded as Markdown: :func:`md_cell` leaves it as it is."""


def md_cell(value: Any) -> str:
    """``value`` as plain text in Markdown (a table cell or a line): on one
    line, no control character, and nothing that Markdown or HTML would act on.
    :class:`Markdown` (e.g. from :func:`md_code`) is already encoded."""
    if isinstance(value, Markdown):
        return value
    return Markdown(_MD_ACTIVE.sub(r"\\\1", escape(value)))


def md_code(value: Any) -> Markdown:
    """``value`` as a Markdown code span (inside a table cell too): fenced
    with more backticks than it holds in a row, pipes escaped."""
    text = escape(value).replace("|", "\\|")
    fence = "`" * (1 + max((len(run) for run in _TICKS.findall(text)), default=0))
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markdown(f"{fence}{pad}{text}{pad}{fence}")


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table; every cell goes through :func:`md_cell`."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return lines
