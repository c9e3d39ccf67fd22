"""One manifest file -> one index row: its stamp and the fields a query reads.

Parameters and metrics are stored as JSON objects of their flattened leaves
(``{"optimizer.lr": 0.5}``), so a query names any of them with one JSON path.
A file that cannot be read or parsed is a row too, with status ``unreadable``
and the error, so that ``ls`` shows it instead of hiding it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.reading import parse_json, read_bytes
from ..core.tree import flatten
from ..errors import ManifestError
from ..lineage.records import lineage_columns

UNREADABLE = "unreadable"
STAMP = ("size", "mtime_ns", "ino", "ctime_ns")
TEXT_FIELDS = ("run_id", "status", "created", "finished", "owner", "task", "config_name")
# artifacts, inputs and parents: what the lineage graph joins runs by
LINEAGE_FIELDS = ("artifacts", "inputs", "parents")
FIELDS = (
    *TEXT_FIELDS,
    "overrides",
    "params",
    "metrics",
    "directions",
    "digest",
    *LINEAGE_FIELDS,
    "error",
)
COLUMNS = ("path", *STAMP, "racy", *FIELDS)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode

Stamp = tuple[int, int, int, int]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _flat_json(value: Any) -> str | None:
    """The JSON object of ``value``'s leaves by dotted path (as
    :func:`manifest.core.tree.flatten` names them), or None if not a mapping."""
    if type(value) is not dict:
        return _dumps(flatten(value)) if isinstance(value, Mapping) else None
    if all(type(v) is not dict and type(v) is not list for v in value.values()):
        return _dumps(value)  # already flat: most metric vectors
    out: dict[str, Any] = {}
    _flatten_into(value, "", out)
    return _dumps(out)


def _flatten_into(node: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    # flatten() for parsed JSON only (dicts and lists), without its generic
    # Mapping checks: this runs once per parameter of every indexed manifest.
    for key, value in node.items():
        kind = type(value)
        if kind is dict and value:
            _flatten_into(value, f"{prefix}{key}.", out)
        elif kind is list and value:
            _flatten_into({str(i): v for i, v in enumerate(value)}, f"{prefix}{key}.", out)
        else:
            out[prefix + key] = value


def directions(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The declared direction of each metric (``higher`` or ``lower``), where
    the manifest records one; an absent or malformed field gives none."""
    found = manifest.get("directions")
    if not isinstance(found, Mapping):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, str) and v in ("higher", "lower")}


def fields(manifest: Any) -> tuple[Any, ...]:
    """The :data:`FIELDS` of a parsed manifest, in order."""
    if not isinstance(manifest, Mapping):
        return unreadable("not a JSON object")
    overrides = manifest.get("overrides")
    if isinstance(overrides, list) and all(isinstance(o, str) for o in overrides):
        overrides_json: str | None = _dumps(overrides)
    else:
        overrides_json = None
    return (
        *(_text(manifest.get(name)) for name in TEXT_FIELDS),
        overrides_json,
        _flat_json(manifest.get("params")),
        _flat_json(manifest.get("metrics")),
        _dumps(directions(manifest)),
        _text(manifest.get("digest")),
        *lineage_columns(manifest),
        None,
    )


def unreadable(error: str) -> tuple[Any, ...]:
    """The :data:`FIELDS` of a file that is not a manifest: status and error only."""
    return (None, UNREADABLE, *[None] * (len(FIELDS) - 3), error)


def read_row(path: str, file: Path, stamp: Stamp, racy: bool) -> tuple[Any, ...]:
    """The row of the manifest file ``file`` (stored under the relative ``path``)."""
    try:
        values = fields(parse_json(read_bytes(file), file=str(file)))
        for value in values:  # SQLite stores UTF-8: a lone surrogate cannot be written
            if isinstance(value, str) and not value.isascii():
                value.encode("utf-8")
    except ManifestError as exc:
        values = unreadable(exc.message)
    except ValueError as exc:  # a value JSON cannot write back, e.g. a lone surrogate
        values = unreadable(f"cannot index: {exc}")
    return (path, *stamp, int(racy), *values)
