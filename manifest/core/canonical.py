"""Canonical JSON (RFC 8785), digests and the on-disk form of documents.

The digest of a manifest is the sha256 of its RFC 8785 canonical JSON without
the ``digest`` field. ``rfc8785`` is the reference implementation; it is
pure Python and several times slower than :func:`json.dumps`, which made it the
bottleneck of ``manifest validate``. :func:`canonical_bytes` therefore uses
``json.dumps`` whenever its output is provably identical (every key ASCII,
integral floats written as integers, other floats in the range where
Python's ``repr`` and ECMAScript's ``Number.toString`` agree) and falls back
to ``rfc8785`` otherwise; the few floats outside that range are formatted by
``rfc8785`` itself. The tests check the two paths byte for byte on generated
documents.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

DIGEST_PREFIX = "sha256:"
_SAFE_INT = 2**53

_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode


class _Fallback(Exception):
    """The fast path cannot vouch for this document."""


def _prepare(value: Any, odd: list[float]) -> Any:
    """A copy of ``value`` that ``json.dumps`` writes exactly as RFC 8785 does.

    Integral floats become ints ("1.0" is "1" in RFC 8785). Floats outside the
    range where ``repr`` and ECMAScript agree become placeholder strings,
    collected in ``odd`` and formatted by the reference afterwards. Raises
    :class:`_Fallback` for what only the reference handles (non-ASCII keys,
    whose order is by UTF-16 code units; strings holding NUL; other types).
    """
    kind = type(value)
    if kind is str:
        if "\0" in value:
            raise _Fallback
        return value
    if kind is dict:
        out = {}
        for key, child in value.items():
            if type(key) is not str or not key.isascii() or "\0" in key:
                raise _Fallback
            out[key] = _prepare(child, odd)
        return out
    if kind is list:
        return [_prepare(child, odd) for child in value]
    if kind is float:
        magnitude = abs(value)
        if value != value or magnitude == float("inf"):
            raise ValueError(f"cannot canonicalize: {value} is not a JSON number")
        if value.is_integer():
            if magnitude < _SAFE_INT:
                return int(value)
        elif 1e-4 <= magnitude < 1e16:
            return value
        odd.append(value)
        return f"\0{len(odd) - 1}\0"
    if kind is int:
        if not -_SAFE_INT < value < _SAFE_INT:
            raise _Fallback
        return value
    if value is None or kind is bool:
        return value
    raise _Fallback


_PLACEHOLDER = re.compile(r'"\\u0000(\d+)\\u0000"')


def canonical_bytes(value: Any) -> bytes:
    """Return the RFC 8785 canonical JSON of ``value``.

    Raises ``ValueError`` for values JSON cannot hold (NaN, infinity,
    integers beyond 2**53, non-string keys).
    """
    odd: list[float] = []
    try:
        text = _dumps(_prepare(value, odd))
        if odd:
            import rfc8785

            text = _PLACEHOLDER.sub(lambda m: rfc8785.dumps(odd[int(m.group(1))]).decode(), text)
        return text.encode("utf-8")
    except (_Fallback, UnicodeEncodeError, RecursionError):
        pass  # the reference decides, and says what is wrong
    import rfc8785

    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, RecursionError) as exc:
        raise ValueError(f"cannot canonicalize: {exc}") from exc


def canonical_text(value: Any, odd: list[float]) -> str | None:
    """RFC 8785 text of a document known to need no walk, or None.

    For a document parsed from ASCII text without escapes, whose ints are
    within 2**53 and whose integral floats below 2**53 were read as ints:
    ``odd`` lists its remaining floats that ``repr`` writes differently from
    RFC 8785 (exponents, huge integral values). ``json.dumps`` writes each as
    ``repr``; each is replaced by the reference's form when its ``repr``
    occurs in the text exactly as often as the number does (so no string,
    and no other number, holds the same characters); otherwise None, and the
    caller takes the full path.
    """
    text = _dumps(value)
    if not odd:
        return text
    import rfc8785

    wanted: dict[str, str] = {}
    counts: dict[str, int] = {}
    for number in odd:
        written = repr(number)
        counts[written] = counts.get(written, 0) + 1
        wanted[written] = rfc8785.dumps(number).decode()
    if any(text.count(written) != count for written, count in counts.items()):
        return None
    changed = {w: c for w, c in wanted.items() if w != c}
    if not changed:
        return text
    # The counts above also rule out one form occurring inside another (it
    # would be counted twice), so the order of the alternatives is free.
    pattern = re.compile("|".join(map(re.escape, changed)))
    return pattern.sub(lambda m: changed[m.group(0)], text)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_of(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``value``."""
    return DIGEST_PREFIX + sha256_hex(canonical_bytes(value))


def manifest_digest(manifest: Mapping[str, Any]) -> str:
    """The digest of a manifest: canonical JSON of everything but ``digest``."""
    body = {k: v for k, v in manifest.items() if k != "digest"}
    return digest_of(body)


def pretty_bytes(value: Any) -> bytes:
    """The on-disk form: sorted keys, two-space indent, LF, final newline.

    Deterministic for a given content, and one field per line so that a git
    diff of two manifests shows what changed.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")
