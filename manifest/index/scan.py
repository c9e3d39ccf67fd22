"""Walk a folder of manifests: every ``*.json`` file below it and its stamp.

The same files as :func:`manifest.core.discover.discover` (hidden files and
folders skipped, symlinked folders not followed), found with ``os.scandir``
so that one ``stat`` per file is the whole cost of an up-to-date index.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from .parse import Stamp


def state(found: dict[str, Stamp]) -> str:
    """A digest of a scan: equal digests, equal files (paths and stamps)."""
    text = "".join(f"{p}\0{s[0]}\0{s[1]}\0{s[2]}\0{s[3]}\n" for p, s in found.items())
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def scan(root: Path) -> dict[str, Stamp]:
    """``{relative path: (size, mtime_ns, inode, ctime_ns)}`` of the manifest
    files below ``root`` ("/"-separated paths), in the order the file system
    lists them. Raises :class:`InputError` when ``root`` is not a readable
    folder; unreadable subfolders are skipped."""
    found: dict[str, Stamp] = {}
    for path, entry in _walk(root):
        try:
            st = entry.stat()
        except OSError:  # removed while we looked, or a dangling link
            continue
        found[path] = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
    return found


def names(root: Path) -> list[str]:
    """The relative paths that :func:`scan` finds, in its order, without a
    ``stat`` of each (the kind of an entry comes with its name)."""
    return [path for path, _ in _walk(root)]


def _walk(root: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError as exc:
            if prefix:
                continue
            raise InputError(f"cannot read the folder: {exc.strerror}", file=str(root)) from None
        with entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, f"{prefix}{entry.name}/"))
                    elif entry.name.endswith(".json") and entry.is_file():
                        yield prefix + entry.name, entry
                except OSError:  # removed while we looked, or a dangling link
                    continue
