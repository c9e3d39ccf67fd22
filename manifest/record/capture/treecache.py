"""Remembered hashes of a work tree's uncommitted files, per repository.

:meth:`TreeCache.digest` takes each changed or untracked path with its
``lstat``. When the status, path and stamp (device, inode, size, mtime) of
every one is what it was last time (one signature over all of them), the
digest is the cache's; otherwise each file whose stamp is remembered keeps
its hash, and only the others are read. A file modified in the last two
seconds may change again within its mtime's tick, so its hash is not
remembered (the "racy git" rule), and :attr:`TreeCache.settled` says so. A
missing or unreadable cache only costs time.

The file is ``<cache>/hydra-manifest/tree-<hash of the root>``: a header line,
then ``path NUL stamp NUL sha256 NUL`` per file (paths never hold NUL).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from array import array
from itertools import chain
from pathlib import Path

from ...core.atomic import atomic_write
from ...errors import InputError
from .files import hash_many

_HEADER = "hmtree2"
_RACY_NS = 2_000_000_000
Info = os.stat_result | None


def stamp_text(info: Info) -> str:
    if info is None:
        return "-"
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}"


def sha256_of_entries(commit: str | None, hashed: list[tuple[str, str, str]]) -> str:
    """The digest of the uncommitted changes: (status, path, sha256) sorted."""
    digest = hashlib.sha256(f"commit {commit}\n".encode())
    for code, path, sha in sorted(hashed, key=lambda e: e[1]):
        digest.update(f"{code}\0{path}\0{sha}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _signature(commit: str | None, entries: list[tuple[str, str]], infos: list[Info]) -> str:
    """One hash over every status, path and stamp (numbers packed, not formatted)."""
    gone = (-1, -1, -1, -1)
    numbers = array(
        "q",
        chain.from_iterable(
            gone if i is None else (i.st_dev, i.st_ino, i.st_size, i.st_mtime_ns) for i in infos
        ),
    )
    digest = hashlib.sha256(f"{commit}\n".encode())
    digest.update("\0".join(c + p for c, p in entries).encode("utf-8", "surrogateescape"))
    digest.update(numbers.tobytes())
    return digest.hexdigest()


class TreeCache:
    """Hashes of the uncommitted files of the repository at ``root``."""

    def __init__(self, root: Path, folder: Path | None) -> None:
        self.root = root
        name = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self.path = folder / f"tree-{name}" if folder is not None else None
        self.header: tuple[str, str] | None = None
        self._parts: list[str] = []  # path, stamp, sha256, path, ... (parsed when needed)
        self.settled = False  # the last digest is remembered with its signature
        self._load()

    def _load(self) -> None:
        if self.path is None:
            return
        try:
            text = self.path.read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            return
        head, _, body = text.partition("\n")
        fields = head.split()
        if len(fields) != 3 or fields[0] != _HEADER:
            return
        self.header = (fields[1], fields[2])
        self._parts = body.split("\0")

    def _known(self) -> dict[str, tuple[str, str]]:
        parts = self._parts
        return {parts[i]: (parts[i + 1], parts[i + 2]) for i in range(0, len(parts) - 2, 3)}

    def digest(self, commit: str | None, entries: list[tuple[str, str]], infos: list[Info]) -> str:
        """The digest of ``entries`` (status, path) at ``commit``, each path's
        ``lstat`` in ``infos`` (None: gone)."""
        signature = _signature(commit, entries, infos)
        if self.header is not None and self.header[0] == signature:
            self.settled = True
            return self.header[1]
        hashed = self._hash(entries, infos)
        result = sha256_of_entries(commit, hashed)
        self._save(signature, result, hashed, infos)
        return result

    def _hash(
        self, entries: list[tuple[str, str]], infos: list[Info]
    ) -> list[tuple[str, str, str]]:
        known = self._known()
        contents: dict[str, str] = {}
        to_read: list[str] = []
        for (_, path), info in zip(entries, infos, strict=True):
            remembered = known.get(path)
            if info is None:
                contents[path] = "-"
            elif remembered is not None and remembered[0] == stamp_text(info):
                contents[path] = remembered[1]
            elif stat.S_ISLNK(info.st_mode):
                target = os.readlink(str(self.root) + os.sep + path)
                contents[path] = "link:" + hashlib.sha256(os.fsencode(target)).hexdigest()
            elif stat.S_ISREG(info.st_mode):
                to_read.append(path)
            else:
                contents[path] = "special"  # a folder (nested repository), a FIFO
        try:
            read = hash_many([self.root / p for p in to_read])
            contents.update({p: sha for p, (sha, _) in zip(to_read, read, strict=True)})
        except (InputError, OSError):  # one changed or went while read: one by one
            for path in to_read:
                contents[path] = _one(self.root / path)
        return [(code, path, contents[path]) for code, path in entries]

    def _save(
        self, signature: str, result: str, hashed: list[tuple[str, str, str]], infos: list[Info]
    ) -> None:
        if self.path is None:
            return
        settled = time.time_ns() - _RACY_NS
        parts = [f"{_HEADER} {signature} {result}\n"]
        for (_, path, sha), info in zip(hashed, infos, strict=True):
            if info is not None and info.st_mtime_ns < settled:
                parts.append(f"{path}\0{stamp_text(info)}\0{sha}\0")
            elif info is not None:
                parts[0] = f"{_HEADER} - -\n"  # a racy file: no shortcut next time
        self.settled = not parts[0].endswith(" - -\n")
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            atomic_write(self.path, "".join(parts).encode("utf-8", "surrogateescape"))


def _one(path: Path) -> str:
    from .files import sha256_file

    try:
        return sha256_file(path)
    except (InputError, OSError):
        return "unreadable"
