"""Hashing files: artifacts a run wrote, inputs it read, the work tree.

Hashing uses OpenSSL's sha256 through :mod:`hashlib`, which releases the GIL,
so many files are hashed on all cores by a thread pool. Inputs are often large
and unchanged between runs; :class:`HashCache` remembers a file's hash by
(device, inode, size, mtime), as DVC does, so an unchanged input is not read
again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from stat import S_ISREG
from typing import Any

from ...core.atomic import atomic_write
from ...core.regular import not_regular, open_regular

_CHUNK = 1024 * 1024
# A file modified this recently may change again within the same mtime tick:
# its hash is not cached (the "racy git" rule).
_RACY_SECONDS = 2.0


def _digest(handle: Any) -> str:
    if hasattr(hashlib, "file_digest"):
        return str(hashlib.file_digest(handle, "sha256").hexdigest())
    digest = hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    while True:
        count = handle.readinto(buffer)
        if not count:
            return digest.hexdigest()
        digest.update(view[:count])


def sha256_file(path: Path) -> str:
    """Hex sha256 of the raw bytes of the regular file ``path``; a FIFO or a
    device is refused before it is read (:class:`~manifest.errors.InputError`)."""
    with os.fdopen(open_regular(path), "rb") as handle:
        return _digest(handle)


Stamp = tuple[int, int, int, int]


def stamp_of(info: os.stat_result) -> Stamp:
    """What changes when a file's bytes are replaced or rewritten: (device,
    inode, size, mtime in ns)."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def sha256_stamped(path: Path) -> tuple[str, Stamp]:
    """Hex sha256 of the regular file ``path`` and the stamp of the bytes
    hashed; raises :class:`ChangedWhileRead` when the file changed while it
    was read (twice in a row)."""
    for _ in range(2):
        with os.fdopen(open_regular(path), "rb") as handle:
            before = stamp_of(os.fstat(handle.fileno()))
            digest = _digest(handle)
            after = stamp_of(os.fstat(handle.fileno()))
        if before == after:
            return digest, after
    raise ChangedWhileRead(errno.EAGAIN, "changed while it was read", str(path))


class ChangedWhileRead(OSError):
    """A file written to while it was being hashed (``filename`` names it)."""


def hash_many(paths: Sequence[Path], *, workers: int | None = None) -> list[tuple[str, Stamp]]:
    """(sha256, stamp) of each path, in order, using every core for many files."""
    if len(paths) <= 1:
        return [sha256_stamped(p) for p in paths]
    workers = workers or min(len(paths), os.cpu_count() or 1, 8)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(sha256_stamped, paths))


class HashCache:
    """Remembered sha256 of files keyed by (device, inode, size, mtime_ns).

    Stored as a small JSON file; a missing or corrupt cache is just empty.
    ``path=None`` disables caching.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = {}
        self._dirty = False
        if path is not None:
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._entries = loaded
            except (OSError, ValueError):
                self._entries = {}

    def sha256(self, file: Path) -> str:
        """The hash of ``file``, from the cache when the file is unchanged."""
        stat = file.stat()
        if not S_ISREG(stat.st_mode):
            raise not_regular(file, stat.st_mode)
        key = str(file.resolve())
        stamp = [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns]
        entry = self._entries.get(key)
        if entry is not None and entry.get("stamp") == stamp:
            return str(entry["sha256"])
        digest = sha256_file(file)
        if self.path is not None and time.time() - stat.st_mtime > _RACY_SECONDS:
            self._entries[key] = {"stamp": stamp, "sha256": digest}
            self._dirty = True
        return digest

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            atomic_write(self.path, json.dumps(self._entries, sort_keys=True).encode())
        self._dirty = False


def default_cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hydra-manifest" / "file-hashes.json"
