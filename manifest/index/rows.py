"""One manifest file -> one index row: its stamp and the fields a query reads.

Parameters and metrics are stored as JSON objects of their flattened leaves
(``{"optimizer.lr": 0.5}``), so a query names any of them with one JSON path.
A file that cannot be read or parsed is a row too, with status ``unreadable``
and the error, so that ``ls`` shows it instead of hiding it.

This runs once per manifest of a folder when its index is built, so it is
written for parsed JSON (exact ``dict``, ``list`` and ``str`` types) and
writes JSON with one C encoder made once (see :func:`_compact_writer`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..core.reading import parse_json, read_bytes
from ..errors import ManifestError
from ..lineage.records import SHA256
from .parse import Parser, Stamp, read_stamped

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
_DIRECTIONS = ("higher", "lower")
_sha256 = SHA256.match  # the lineage graph's test of a well-formed sha256
_EMPTY = "[]"


def _compact_writer() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"),
    allow_nan=False)``, with its C encoder made once instead of per call
    (``JSONEncoder.encode`` makes a new one each time, which costs more
    than writing a small object); the plain encoder where there is none."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has it
        return encoder.encode
    write = make(
        None, encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
    return lambda value: "".join(write(value, 0))


_dumps = _compact_writer()


def _flat_json(value: Any) -> str | None:
    """The JSON object of ``value``'s leaves by dotted path (as
    :func:`manifest.core.tree.flatten` names them), or None if not an object."""
    if type(value) is not dict:
        return None
    for leaf in value.values():
        kind = type(leaf)
        if kind is dict or kind is list:
            out: dict[str, Any] = {}
            _flatten_into(value, "", out)
            return _dumps(out)
    return _dumps(value)  # already flat: most metric vectors


def _flatten_into(node: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
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
    return {str(k): v for k, v in found.items() if isinstance(v, str) and v in _DIRECTIONS}


def _lineage(manifest: dict[str, Any]) -> tuple[str, str, str]:
    """:func:`manifest.lineage.records.lineage_columns`, for parsed JSON."""
    found = manifest.get("artifacts")
    if type(found) is list and found:
        artifacts = []
        for item in found:
            if type(item) is dict:
                sha, path = item.get("sha256"), item.get("path")
                if type(sha) is str and _sha256(sha) and type(path) is str:
                    role = item.get("role")
                    artifacts.append([path, sha, role if type(role) is str and role else "output"])
        written = _dumps(artifacts)
    else:
        written = _EMPTY
    return written, _inputs(manifest.get("inputs")), _parents(manifest.get("lineage"))


def _inputs(found: Any) -> str:
    if type(found) is not list or not found:
        return _EMPTY  # most runs declare no input
    inputs = []
    for index, item in enumerate(found):
        if type(item) is dict:
            sha, version = item.get("sha256"), item.get("version")
            sha = sha if type(sha) is str and _sha256(sha) else None
            version = version if type(version) is str else None
            if sha is not None or version is not None:
                key, path = item.get("key"), item.get("path")
                key = key if type(key) is str else ""
                inputs.append([key, path if type(path) is str else "", sha, version, index])
    return _dumps(inputs)


def _parents(found: Any) -> str:
    found = found.get("parents") if type(found) is dict else None
    if type(found) is not list or not found:
        return _EMPTY  # most runs have no parent
    parents = [p for p in found if type(p) is str and p]
    if len(parents) > 1:
        parents = list(dict.fromkeys(parents))
    return _dumps(parents)


def fields(manifest: Any) -> tuple[Any, ...]:
    """The :data:`FIELDS` of a parsed manifest, in order."""
    if type(manifest) is not dict:
        return unreadable("not a JSON object")
    get = manifest.get
    overrides = get("overrides")
    if type(overrides) is list and all(type(o) is str for o in overrides):
        overrides = _dumps(overrides)
    else:
        overrides = None
    declared = get("directions")
    if type(declared) is not dict:
        declared = {}
    elif not all(v == "higher" or v == "lower" for v in declared.values()):
        declared = {k: v for k, v in declared.items() if type(v) is str and v in _DIRECTIONS}
    digest = get("digest")
    return (
        *[v if type(v) is str else None for v in map(get, TEXT_FIELDS)],
        overrides,
        _flat_json(get("params")),
        _flat_json(get("metrics")),
        _dumps(declared),
        digest if type(digest) is str else None,
        *_lineage(manifest),
        None,
    )


def unreadable(error: str) -> tuple[Any, ...]:
    """The :data:`FIELDS` of a file that is not a manifest: status and error only."""
    return (None, UNREADABLE, *[None] * (len(FIELDS) - 3), error)


def _checked(values: tuple[Any, ...]) -> tuple[Any, ...]:
    for value in values:  # SQLite stores UTF-8: a lone surrogate cannot be written
        if type(value) is str and not value.isascii():
            value.encode("utf-8")
    return values


def read_row(path: str, file: Path, stamp: Stamp, racy: bool) -> tuple[Any, ...]:
    """The row of the manifest file ``file`` (stored under the relative ``path``)."""
    try:
        values = _checked(fields(parse_json(read_bytes(file), file=str(file))))
    except ManifestError as exc:
        values = unreadable(exc.message)
    except (ValueError, RecursionError) as exc:  # a lone surrogate, 1e999 (infinite)...
        values = unreadable(f"cannot index: {exc}")
    return (path, *stamp, int(racy), *values)


def read_fresh(path: str, file: str, parser: Parser) -> tuple[Stamp, tuple[Any, ...]] | None:
    """The stamp and :data:`FIELDS` of the manifest file ``file``, read now
    (see :func:`manifest.index.parse.read_stamped`); None when it is gone."""
    try:
        stamp, data = read_stamped(file)
    except OSError:
        return None
    if isinstance(data, ManifestError):
        return stamp, unreadable(data.message)
    try:
        values = fields(parser.parse(data, file=file))
        if b"\\" in data:  # only an escape can make a lone surrogate
            _checked(values)
    except ManifestError as exc:
        values = unreadable(exc.message)
    except (ValueError, RecursionError) as exc:
        values = unreadable(f"cannot index: {exc}")
    return stamp, values
