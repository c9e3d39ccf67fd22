"""Canonical JSON (RFC 8785), digests and atomic writes.

The digest of a manifest is the sha256 of its RFC 8785 canonical JSON without
the ``digest`` field. ``rfc8785`` is the reference implementation; it is
pure Python and several times slower than :func:`json.dumps`, which made it the
bottleneck of ``manifest validate``. :func:`canonical_bytes` therefore uses
``json.dumps`` whenever its output is provably identical (every key ASCII,
every float in the range where Python's ``repr`` and ECMAScript's
``Number.toString`` agree) and falls back to ``rfc8785`` otherwise. The tests
check the two paths byte for byte on generated documents.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DIGEST_PREFIX = "sha256:"
_SAFE_INT = 2**53

_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode


def _fast_path_ok(value: Any) -> bool:
    """True when ``json.dumps`` writes ``value`` exactly as RFC 8785 does."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str or not key.isascii():
                    return False
                stack.append(child)
        elif kind is list:
            stack.extend(item)
        elif kind is float:
            # repr and ECMAScript agree on non-integral values in [1e-4, 1e16);
            # integral floats are written "1" by RFC 8785 but "1.0" by repr.
            magnitude = abs(item)
            if not (1e-4 <= magnitude < 1e16) or item.is_integer():
                return False
        elif kind is int:
            if not -_SAFE_INT < item < _SAFE_INT:
                return False
        elif kind is str:
            continue
        elif item is None or kind is bool:
            continue
        else:
            return False
    return True


def canonical_bytes(value: Any) -> bytes:
    """Return the RFC 8785 canonical JSON of ``value``.

    Raises ``ValueError`` for values JSON cannot hold (NaN, infinity,
    integers beyond 2**53, non-string keys).
    """
    if _fast_path_ok(value):
        try:
            return _dumps(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let the reference say what is wrong
    import rfc8785

    try:
        return bytes(rfc8785.dumps(value))
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"cannot canonicalize: {exc}") from exc


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


def atomic_write(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see all of it or nothing.

    The bytes go to a temporary file in the same folder, are fsynced, then
    renamed into place. With ``overwrite=False`` an existing file is never
    replaced (``FileExistsError``), even by a writer racing this one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # atomic, and fails if the name is taken
            tmp.unlink()
        _fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
