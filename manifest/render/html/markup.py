"""Building HTML from untrusted text: every value is escaped on the way in.

A manifest may come from a pull request; its strings become page text only
through :func:`text` (HTML-escaped, after the terminal escaper has made
control, bidirectional and invisible characters visible), and attribute
values only through :func:`attr`. Nothing here ever writes a manifest string
into a ``<script>`` or ``<style>`` element, an event handler or a URL.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from ..escape import escape


def text(value: Any) -> str:
    """``value`` as HTML text."""
    return html.escape(escape(value), quote=True)


def attr(value: Any) -> str:
    """``value`` as the content of a double-quoted attribute."""
    return html.escape(escape(value), quote=True)


def number(value: Any) -> str:
    """A number shown with six significant digits; anything else as text."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return "" if value is None else text(value)


def table(header: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "") -> str:
    """A table of already-escaped cells (callers escape with :func:`text`)."""
    head = "".join(f'<th scope="col">{h}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def badge(label: str, kind: str) -> str:
    """A coloured label; ``kind`` is one of good, bad, warn, neutral."""
    return f'<span class="badge {kind}">{text(label)}</span>'
