"""Reading JSON documents that may be hostile: strict, bounded, exact errors.

A manifest comes from a pull request as often as from a run, so reading one
refuses anything that would be ambiguous or expensive: non-UTF-8 bytes,
duplicate keys (which value wins differs between parsers), NaN and infinity
(not JSON), files over a size limit and nesting deeper than the parser's
recursion limit. Every refusal names the file and, where one exists, the JSON
pointer of the offending value.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import InputError, ManifestError, ManifestFormatError
from .canonical import _SAFE_INT, canonical_text
from .regular import open_regular
from .tree import json_pointer

MAX_MANIFEST_BYTES = 32 * 1024 * 1024


class _Duplicate(ValueError):
    pass


class _Constant(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate()
    return result


def no_constants(name: str) -> Any:
    """A ``parse_constant`` hook that refuses ``NaN``, ``Infinity`` and
    ``-Infinity`` (not JSON numbers); the strict reader then says where."""
    raise _Constant(name)


def finite_float(literal: str) -> float:
    """A JSON number as a float, refusing one too large for a double
    (``1e400`` would be read as infinity, which no JSON writer can write)."""
    value = float(literal)
    if value in (_INF, -_INF):
        raise _Constant(literal)
    return value


_INF = float("inf")
_strict = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_constant=no_constants, parse_float=finite_float
)


class _Pairs(list):  # type: ignore[type-arg]
    """An object kept as its list of pairs, to find where a duplicate is."""


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def detail(self) -> str:
        if self.name in ("NaN", "Infinity", "-Infinity"):
            return f"{self.name} is not a JSON number"
        return f"{self.name} is out of range: larger than any double"


def _mark_overflow(literal: str) -> Any:
    value = float(literal)
    return _Marker(literal) if value in (_INF, -_INF) else value


def _locate(text: str, wanted: str) -> tuple[str, str]:
    """Second, slow parse of a bad document: (pointer, detail) of the first problem."""
    decoder = json.JSONDecoder(
        object_pairs_hook=_Pairs, parse_constant=_Marker, parse_float=_mark_overflow
    )
    stack: list[tuple[Any, list[str | int]]] = [(decoder.decode(text), [])]
    while stack:
        node, path = stack.pop(0)
        if isinstance(node, _Pairs):
            seen: set[str] = set()
            for key, value in node:
                if wanted == "duplicate" and key in seen:
                    return json_pointer([*path, key]), f"duplicate key {key!r}"
                seen.add(key)
                stack.append((value, [*path, key]))
        elif isinstance(node, list):
            stack.extend((value, [*path, i]) for i, value in enumerate(node))
        elif isinstance(node, _Marker) and wanted == "constant":
            return json_pointer(path), node.detail()
    return "", wanted


def parse_json(data: bytes, *, file: str) -> Any:
    """Parse ``data`` strictly; raise :class:`ManifestFormatError` naming ``file``."""
    return _parse(data, file, _strict)[0]


def parse_manifest(data: bytes, *, file: str) -> tuple[Any, bytes | None]:
    """Parse ``data`` strictly, and give its RFC 8785 canonical form without
    the top-level ``digest`` when that comes cheaply, else None.

    Integral floats are read as ints (RFC 8785 writes ``1.0`` as ``1``, so
    digests are unchanged). When the text is ASCII without escapes, the
    canonical form is one ``json.dumps`` call instead of a walk of the whole
    document (see :func:`manifest.core.canonical.canonical_text`): the difference
    between 6,000 and 11,000 manifests a second.
    """
    odd: list[float] = []

    def number(literal: str) -> int | float:
        value = finite_float(literal)
        magnitude = abs(value)
        if value.is_integer():
            if magnitude < _SAFE_INT:
                return int(value)
            odd.append(value)
        elif not 1e-4 <= magnitude < 1e16:
            odd.append(value)
        return value

    plain = [True]

    def integer(literal: str) -> int:
        value = int(literal)
        if not -_SAFE_INT < value < _SAFE_INT:
            plain[0] = False
        return value

    decoder = json.JSONDecoder(
        object_pairs_hook=_no_duplicates,
        parse_constant=no_constants,
        parse_float=number,
        parse_int=integer,
    )
    document, text = _parse(data, file, decoder)
    if not (plain[0] and isinstance(document, dict) and text.isascii() and "\\u" not in text):
        return document, None
    body = {k: v for k, v in document.items() if k != "digest"}
    canonical = canonical_text(body, odd)
    return document, canonical.encode("ascii") if canonical is not None else None


_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def utf8_problem(data: bytes, *, bom_ok: bool = True) -> str | None:
    """Why ``data`` is not UTF-8 text, with the byte offset; None when it is.
    A UTF-8 byte order mark is a problem unless ``bom_ok``."""
    if not bom_ok and data.startswith(b"\xef\xbb\xbf"):
        return "starts with a UTF-8 byte order mark (bytes 0-2); save it without one"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        for bom, name in _BOMS:
            if data.startswith(bom):
                return f"not UTF-8: a {name} byte order mark at offset 0; save it as UTF-8"
        return f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
    return None


def decode_utf8(
    data: bytes,
    *,
    file: str,
    error: type[ManifestError] = ManifestFormatError,
    bom_ok: bool = False,
) -> str:
    """``data`` as text; ``error`` naming the file and the byte offset when
    it is not UTF-8 (or, unless ``bom_ok``, starts with a byte order mark)."""
    problem = utf8_problem(data, bom_ok=bom_ok)
    if problem is not None:
        raise error(problem, file=file)
    return data.decode("utf-8-sig" if bom_ok else "utf-8")


def _parse(data: bytes, file: str, decoder: json.JSONDecoder) -> tuple[Any, str]:
    text = decode_utf8(data, file=file)
    try:
        return decoder.decode(text), text
    except _Duplicate:
        pointer, detail = _locate(text, "duplicate")
        raise ManifestFormatError(detail, file=file, pointer=pointer) from None
    except _Constant:
        pointer, detail = _locate(text, "constant")
        raise ManifestFormatError(detail, file=file, pointer=pointer) from None
    except RecursionError:
        raise ManifestFormatError(
            "nested too deeply", file=file, hint="a manifest is a few levels deep"
        ) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        ends_early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        what = "truncated" if ends_early else "malformed JSON"
        raise ManifestFormatError(f"{what}: {exc.msg} at {where}", file=file) from None


def read_bytes(path: Path, *, limit: int = MAX_MANIFEST_BYTES) -> bytes:
    """The bytes of ``path``, refusing folders, FIFOs, devices, unreadable
    files and huge ones (:class:`InputError`, :class:`ManifestFormatError`)."""
    fd = open_regular(path)
    try:
        with os.fdopen(fd, "rb") as handle:
            size = _size(handle)
            if size > limit:
                raise ManifestFormatError(
                    "file too large",
                    file=str(path),
                    expected=f"at most {limit} bytes",
                    found=f"{size} bytes",
                )
            # Ask for the size that fstat reports (one more byte shows growth):
            # read(limit + 1) would allocate the whole limit for every file.
            data = handle.read(size + 1) if size else b""
            if not size or len(data) > size:  # an empty file, or one that grew
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if len(data) > limit:  # grew while read: count what arrives
        raise ManifestFormatError(
            "file too large", file=str(path), expected=f"at most {limit} bytes", found="more"
        )
    return data


def _size(handle: Any) -> int:
    return os.fstat(handle.fileno()).st_size


def read_json(path: Path, *, limit: int = MAX_MANIFEST_BYTES) -> Any:
    """Read and strictly parse the JSON file ``path``."""
    return parse_json(read_bytes(path, limit=limit), file=str(path))


def read_manifest(path: Path) -> dict[str, Any]:
    """Read the manifest at ``path``: strict JSON that matches the manifest
    schema (:class:`ManifestFormatError` naming the first problem, so a view
    never meets a value of the wrong type). The digest is not checked."""
    from .schemas import MANIFEST_SCHEMA, validator_for

    document = read_json(path)
    if not isinstance(document, dict):
        raise ManifestFormatError(
            "not a manifest",
            file=str(path),
            expected="a JSON object",
            found=type(document).__name__,
        )
    issues = validator_for(MANIFEST_SCHEMA).issues(document)
    if issues:
        more = f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
        raise ManifestFormatError(
            f"does not match the manifest schema: {issues[0].message}{more}",
            file=str(path),
            pointer=issues[0].pointer or "/",
            hint="manifest validate lists every problem",
        )
    return document
