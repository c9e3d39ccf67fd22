"""Output files that never replace what they must not.

An output option (``--write-report``, ``--plot``, ``-o``) names a path, and a
typo or a hostile default could name a manifest, the policy that was just
read, or any other file. :func:`write_output` writes there only when the path
is free, or already holds an output of the same kind (a gate report over a
gate report); it refuses, naming the path and what it holds, when the path is
one of the command's inputs, a manifest, a folder or anything that is not a
regular file, or a file of another kind.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import OutputError
from .atomic import atomic_write

# A kind recognises its own files from their first bytes (at most 64 KiB).
Recognise = Callable[[bytes], bool]
_PEEK = 64 * 1024


def _json_object(head: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(head.decode("utf-8"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def gate_report(head: bytes) -> bool:
    document = _json_object(head)
    return document is not None and document.get("kind") == "gate-report"


def verify_report(head: bytes) -> bool:
    document = _json_object(head)
    return document is not None and document.get("command") == "verify" and "verdict" in document


def image_file(head: bytes) -> bool:
    """A PNG, PDF or SVG image (what ``--plot`` writes)."""
    start = head.lstrip()[:256]
    return (
        head.startswith((b"\x89PNG\r\n\x1a\n", b"%PDF-"))
        or start.startswith(b"<svg")
        or (start.startswith(b"<?xml") and b"<svg" in head)
    )


def html_page(head: bytes) -> bool:
    start = head.lstrip()[:64].lower()
    return start.startswith((b"<!doctype html", b"<html"))


def _what(head: bytes) -> str:
    document = _json_object(head)
    keys = set(document) if document is not None else set()
    if {"run_id", "params_digest"} <= keys or (
        document is None and b'"params_digest"' in head and b'"run_id"' in head
    ):
        return "a run manifest"
    if document is not None and document.get("kind"):
        return f"a {document['kind']} file"
    return "a file of another kind"


def _same_file(path: Path, others: Iterable[Path]) -> Path | None:
    for other in others:
        try:
            if os.path.samefile(path, other):
                return other
        except OSError:
            continue
    return None


def _refuse(path: Path, why: str) -> OutputError:
    return OutputError(
        f"refusing to replace it: {why}",
        file=str(path),
        hint="choose another path for the output, or remove the file first",
    )


def check_output(path: Path, *, kind: str, recognise: Recognise, inputs: Iterable[Path]) -> None:
    """Raise :class:`OutputError` unless ``path`` may receive an output of
    ``kind`` (described for messages, e.g. "gate report")."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot use it as an output: {exc.strerror}", file=str(path)) from None
    same = _same_file(path, inputs)
    if same is not None:
        raise _refuse(path, f"it is an input of this command ({same})")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "it is a folder or a special file, not a regular file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(_PEEK)
    except OSError as exc:
        raise OutputError(f"cannot read it: {exc.strerror}", file=str(path)) from None
    if not recognise(head):
        raise _refuse(path, f"it is {_what(head)}, not a {kind}")


def write_output(
    path: Path, data: bytes, *, kind: str, recognise: Recognise, inputs: Iterable[Path] = ()
) -> None:
    """Write ``data`` (an output of ``kind``) to ``path`` atomically, after
    :func:`check_output`. Raises :class:`OutputError`."""
    check_output(path, kind=kind, recognise=recognise, inputs=list(inputs))
    atomic_write(path, data)
