"""Text made safe for the Markdown the reference pages are written in."""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def cell(text: str) -> str:
    """``text`` as literal Markdown on one line (a table cell): no markup,
    no HTML, no pipe that would end the cell; `backquoted` spans stay code."""
    parts = re.split(r"(``[^`]+``|`[^`]+`)", " ".join(str(text).split()))
    return "".join(
        code(p.strip("`"))
        if p.startswith("`")
        else _SPECIAL.sub(r"\\\1", html.escape(p, quote=False))
        for p in parts
    )


def code(text: str) -> str:
    """``text`` as an inline code span (a pipe in it does not end a table cell)."""
    text = " ".join(str(text).split())
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" or text.startswith(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def slug(text: str) -> str:
    """A stable anchor for a heading made of ``text``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
