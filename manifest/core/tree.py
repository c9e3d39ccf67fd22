"""Trees of plain data (a manifest, a resolved config): paths, leaves, pointers.

One helper for every walk over nested mappings and lists: a *path* is a
tuple of keys, list indexes written as digit strings (``("optimizer", "lr")``,
``("artifacts", "0", "sha256")``). Empty mappings and lists are leaves.
:func:`json_pointer` writes an RFC 6901 pointer for a path and
:func:`split_pointer` reads one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

MISSING: Any = object()
"""What :func:`get` gives for a path that leads nowhere (``None`` is JSON null)."""


def json_pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 pointer for a path of keys and indexes ("" is the root)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def split_pointer(pointer: str) -> tuple[str, ...]:
    """The reference tokens of an RFC 6901 pointer ("" is the root)."""
    if not pointer:
        return ()
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/"))


def leaves(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) of every leaf, depth first in key order; an empty mapping
    or list is a leaf, and so is the root when it is not a container."""
    if isinstance(tree, Mapping) and tree:
        for key, child in tree.items():
            yield from leaves(child, (*path, str(key)))
    elif isinstance(tree, list) and tree:
        for index, child in enumerate(tree):
            yield from leaves(child, (*path, str(index)))
    else:
        yield path, tree


def flatten(tree: Any) -> dict[str, Any]:
    """Every leaf below the root by its dotted path: ``{"a.b.0": leaf}``.
    An empty mapping or list inside is a leaf; an empty root has none (it
    was named ``""``, which diff and show then listed as a key)."""
    return {".".join(path): value for path, value in leaves(tree) if path}


def get(tree: Any, path: Sequence[str], default: Any = MISSING) -> Any:
    """The value at ``path`` in ``tree``, or ``default`` (:data:`MISSING`)."""
    node = tree
    for part in path:
        if isinstance(node, Mapping):
            node = node.get(part, MISSING)
            if node is MISSING:
                return default
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node


def put(tree: Any, path: Sequence[str], value: Any) -> None:
    """Set the existing place ``path`` of ``tree`` to ``value``."""
    for part in path[:-1]:
        tree = tree[int(part)] if isinstance(tree, list) else tree[part]
    if isinstance(tree, list):
        tree[int(path[-1])] = value
    else:
        tree[path[-1]] = value


def is_number(value: Any) -> bool:
    """A JSON number: an int or float, not a bool."""
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
