"""Loading small YAML documents that may be hostile: safe, bounded, plain JSON.

``yaml.safe_load`` builds no arbitrary objects, but it still expands aliases
(a "billion laughs" document of a few hundred bytes becomes gigabytes) and
keeps the last of two duplicate keys. :func:`load_yaml` refuses both, refuses
files over a size limit, and refuses values JSON cannot hold (dates, sets,
binary, non-string keys, NaN), naming the file, the line and the key.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from ..errors import ManifestError, ManifestFormatError
from .reading import decode_utf8, read_bytes
from .tree import json_pointer

MAX_YAML_BYTES = 1024 * 1024


class YamlError(ManifestError):
    """A YAML file that is not plain, safe, JSON-compatible data."""


class _Refused(Exception):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.line = getattr(mark, "line", -1) + 1


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _Refused("YAML aliases (*name) are not allowed", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise _Refused(f"key {key!r:.60} is not a string", key_node.start_mark)
            if key in seen:
                raise _Refused(f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _check_plain(value: Any, path: list[str | int], file: str) -> None:
    stack: list[tuple[Any, list[str | int]]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise YamlError(
                        f"key {key!r} is not a string",
                        file=file,
                        pointer=json_pointer(where) or "/",
                    )
                stack.append((child, [*where, key]))
        elif isinstance(item, list):
            stack.extend((child, [*where, i]) for i, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            raise YamlError(
                "not a finite number",
                file=file,
                pointer=json_pointer(where),
                expected="a finite number",
                found=repr(item),
            )
        elif item is not None and not isinstance(item, (str, int, float, bool)):
            raise YamlError(
                "not plain data",
                file=file,
                pointer=json_pointer(where),
                expected="a string, number, boolean, list or mapping",
                found=f"{type(item).__name__} {item!r:.60}",
                hint="quote the value",
            )


def load_yaml(path: Path, *, limit: int = MAX_YAML_BYTES) -> Any:
    """Parse the YAML file ``path`` into plain JSON-compatible data.

    Raises :class:`YamlError` (or :class:`~manifest.errors.InputError` for a
    missing or unreadable file).
    """
    file = str(path)
    try:
        data = read_bytes(path, limit=limit)
    except ManifestFormatError as exc:  # too large: unusable input, not a failed check
        raise YamlError(exc.message, file=file, expected=exc.expected, found=exc.found) from None
    text = decode_utf8(data, file=file, error=YamlError, bom_ok=True)
    try:
        value = yaml.load(text, Loader=_PlainLoader)
    except _Refused as exc:
        raise YamlError(f"line {exc.line}: {exc.message}", file=file) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"{where}not valid YAML: {problem}", file=file) from None
    except RecursionError:
        raise YamlError("nested too deeply", file=file) from None
    _check_plain(value, [], file)
    return value
