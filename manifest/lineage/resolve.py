"""What the user named: a run (a manifest file, a run id or a unique prefix,
found through the runs index) or some bytes (a sha256, a unique prefix of
one, or a file to hash)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError, UsageError
from .graph import Graph
from .records import SHA256, Problem, read_record

_HEX_PREFIX = re.compile(r"^[0-9a-f]{6,64}$")
_LISTED = 5


def manifest_file(text: str) -> Path | None:
    """``text`` as a manifest file to read, when it names an existing file."""
    path = Path(text)
    return path if path.is_file() else None


def resolve_run(text: str, stores: Sequence[Path]) -> str:
    """The run id that ``text`` names: a manifest file, or a run id or
    unique prefix of one (or of its random suffix) in one of ``stores``,
    looked up by :func:`manifest.query.resolve.resolve`. Raises
    :class:`UsageError` when it is ambiguous or not a manifest, and
    :class:`InputError` when no store holds it."""
    from ..query.resolve import resolve

    missing: InputError | None = None
    for store in stores or [Path("manifests")]:
        try:
            path = resolve(text, store)
        except InputError as exc:
            missing = missing or exc
            continue
        found = read_record(path)
        if isinstance(found, Problem):
            raise UsageError(f"not a manifest: {found.message}", file=text)
        return found.run_id
    assert missing is not None
    raise missing


def resolve_artifact(graph: Graph, text: str) -> str:
    """The sha256 that ``text`` names: a file (hashed now), a sha256 (with or
    without ``sha256:``), or a unique prefix of at least 6 digits of a sha256
    that some run wrote or read."""
    from ..record.capture.files import sha256_file

    path = Path(text)
    if path.is_dir():
        raise UsageError(
            "a folder: give a file, or the sha256 a manifest records for the folder", file=text
        )
    if path.is_file():
        try:
            return sha256_file(path)
        except OSError as exc:
            raise UsageError(f"cannot read: {exc.strerror}", file=text) from None
    digits = text.lower().removeprefix("sha256:")
    if SHA256.match(digits):
        return digits
    if not _HEX_PREFIX.match(digits):
        raise UsageError(
            f"{text!r} is neither a file nor a sha256",
            hint="give the path of a data file or model, or its sha256 (64 hex digits)",
        )
    known = {*graph.producers, *graph.consumers}
    matches = sorted(sha for sha in known if sha.startswith(digits))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(
            f"{text!r} is the prefix of {len(matches)} sha256s: " + ", ".join(matches[:_LISTED]),
            hint="give more digits",
        )
    raise UsageError(
        f"no run wrote or read bytes whose sha256 starts with {digits}",
        hint="give the whole sha256, or the file",
    )
