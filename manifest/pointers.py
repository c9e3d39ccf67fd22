"""Values in JSON documents by pointer (RFC 6901), and how to show them.

:func:`~manifest.schemas.json_pointer` writes a pointer; these read one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MISSING: Any = object()
"""What :func:`lookup` gives for a path that leads nowhere (``None`` is JSON null)."""


def split_pointer(pointer: str) -> tuple[str, ...]:
    """The reference tokens of an RFC 6901 pointer ("" is the root)."""
    if not pointer:
        return ()
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/"))


def lookup(document: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` in ``document``, or :data:`MISSING`."""
    node = document
    for part in path:
        if isinstance(node, dict):
            node = node.get(part, MISSING)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def show(value: Any) -> str:
    """A value as JSON writes it; numbers exactly (shortest round trip)."""
    if value is MISSING:
        return "absent"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value) if isinstance(value, (int, float)) else type(value).__name__
