"""Escaping what a manifest says before a terminal or a CI log shows it.

A manifest may come from a pull request, and every string in it (a metric
name, the owner, a path, an override, an error message) is the author's
choice. Printed raw, a newline starts a line of the author's making, an
escape sequence moves the cursor or rewrites what was printed before, a
right-to-left override reverses what the reader sees, and a line starting
with ``::`` (GitHub Actions) or holding ``##vso[`` (Azure Pipelines) is a
command to the CI runner. So:

- :func:`escape` writes one field: every control character (C0, DEL, C1),
  bidirectional and invisible formatting character and lone surrogate as a
  visible escape (``\\n``, ``\\x1b``, ``\\u202e``), and a CI command marker
  defused (``\\x3a:error::``); printable text, including non-ASCII, as is.
- :func:`terminal_text` is the net under a whole text output: the same
  escapes, but our own line breaks and tabs (and colour, when we add it) kept.
- :func:`json_text` makes JSON output safe without changing its data: the
  characters JSON leaves raw become ``\\uXXXX`` escapes.
- :func:`xml_text` keeps only what XML 1.0 may hold (for JUnit reports).

Markdown has its own encoding (:mod:`manifest.render.table`).
"""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls, DEL, Arabic letter mark, zero-width and directional
# marks, line and paragraph separators, bidi embeddings, overrides and
# isolates, word joiner and invisible operators, BOM, interlinear annotation
# controls, and lone surrogates (which cannot even be encoded for output).
_UNSAFE_CLASS = (
    "\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff"
)
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub Actions reads "::command::" at the start of a line; Azure Pipelines
# reads "##vso[" and "##[" anywhere in one.
_LINE_COMMAND = re.compile(r"^(\s*):(?=:)", re.MULTILINE)
_AZURE_COMMAND = re.compile(r"##(?=vso\[|\[)", re.IGNORECASE)
# What terminal_text lets through: line breaks and tabs, and the SGR colour
# sequences the reporters add themselves when writing to a terminal.
_OWN = re.compile(r"\x1b\[[0-9;]*m|[\n\t]")


def _visible(char: str) -> str:
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _defuse(text: str) -> str:
    text = _LINE_COMMAND.sub(lambda m: m.group(1) + "\\x3a", text)
    return _AZURE_COMMAND.sub("\\\\x23#", text)


def escape(value: Any) -> str:
    """``value`` as text that shows as one line and commands nothing.

    Non-strings are shown with ``str``; None as ``None``.
    """
    text = value if isinstance(value, str) else str(value)
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(lambda m: _visible(m.group(0)), text)
    if ":" in text or "#" in text:
        text = _defuse(text)
    return text


def terminal_text(text: str) -> str:
    """A whole text output, safe for a terminal or CI log: what :func:`escape`
    escapes, except the line breaks, tabs and colour that the output itself
    is made of; every line defused of CI commands."""

    def visible(match: re.Match[str]) -> str:
        char = match.group(0)
        return char if char in "\n\t" else _visible(char)

    if _UNSAFE.search(text):
        pieces = []
        last = 0
        for own in _OWN.finditer(text):
            pieces.append(_UNSAFE.sub(visible, text[last : own.start()]))
            pieces.append(own.group(0))
            last = own.end()
        pieces.append(_UNSAFE.sub(visible, text[last:]))
        text = "".join(pieces)
    if ":" in text or "#" in text:
        text = _defuse(text)
    return text


_JSON_RAW = re.compile(
    "[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)


def json_text(text: str) -> str:
    """JSON text (from :func:`json.dumps`) with the characters that JSON
    leaves raw but a terminal acts on written as ``\\uXXXX``: the same data,
    parsed by any JSON reader, and printable even with lone surrogates."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """``value`` as text that XML 1.0 can hold: the characters it cannot
    (most controls, lone surrogates) as visible escapes."""
    text = value if isinstance(value, str) else str(value)
    return _XML_INVALID.sub(lambda m: _visible(m.group(0)), text)
