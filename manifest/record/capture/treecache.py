"""Remembered hashes of a work tree's uncommitted files, per repository.

:meth:`TreeCache.digest` stats each changed or untracked path once. When the
status, path and stamp of every one is what it was last time (one signature
over all of them), the digest is read from the cache's first line; otherwise
each file whose stamp (device, inode, size, mtime) is remembered keeps its
hash, and only the others are read. A file modified in the last two seconds
may change again within its mtime's tick, so its hash is not remembered (the
"racy git" rule). A missing or unreadable cache only costs time.

The file is ``<cache>/hydra-manifest/tree-<hash of the root>``: a header line,
then ``path NUL stamp NUL sha256 NUL`` per file (paths never hold NUL).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from pathlib import Path

from ...core.atomic import atomic_write
from ...errors import InputError
from .files import hash_many

_HEADER = "hmtree1"
_RACY_NS = 2_000_000_000


def _stamp_of(info: os.stat_result) -> str:
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}"


class TreeCache:
    """Hashes of the uncommitted files of the repository at ``root``."""

    def __init__(self, root: Path, folder: Path | None) -> None:
        self.root = root
        name = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self.path = folder / f"tree-{name}" if folder is not None else None

    def _read(self) -> str:
        if self.path is None:
            return ""
        try:
            return self.path.read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            return ""

    def _header(self) -> tuple[str, str] | None:
        if self.path is None:
            return None
        try:
            with open(self.path, encoding="utf-8", errors="surrogateescape") as handle:
                fields = handle.readline().split()
        except OSError:
            return None
        return (fields[1], fields[2]) if len(fields) == 3 and fields[0] == _HEADER else None

    def _known(self) -> dict[str, tuple[str, str]]:
        text = self._read()
        body = text.split("\n", 1)[1] if "\n" in text else ""
        fields = body.split("\0")
        return {fields[i]: (fields[i + 1], fields[i + 2]) for i in range(0, len(fields) - 2, 3)}

    def digest(
        self, commit: str | None, entries: list[tuple[str, str]]
    ) -> tuple[str, list[tuple[str, str]]]:
        """(the digest of ``entries`` at ``commit``, each path's stamp)."""
        base = str(self.root) + os.sep
        infos: list[os.stat_result | None] = []
        for _, path in entries:
            try:
                infos.append(os.lstat(base + path))
            except OSError:
                infos.append(None)
        stamps = [(p, _stamp_of(i) if i else "-") for (_, p), i in zip(entries, infos, strict=True)]
        signature = hashlib.sha256(f"{commit}\n".encode())
        for (code, path), (_, stamp) in zip(entries, stamps, strict=True):
            signature.update(f"{code}\0{path}\0{stamp}\0".encode("utf-8", "surrogateescape"))
        header = self._header()
        if header is not None and header[0] == signature.hexdigest():
            return header[1], stamps
        hashed = self._hash(entries, infos, stamps)
        result = sha256_of_entries(commit, hashed)
        self._save(signature.hexdigest(), result, hashed, stamps, infos)
        return result, stamps

    def _hash(
        self,
        entries: list[tuple[str, str]],
        infos: list[os.stat_result | None],
        stamps: list[tuple[str, str]],
    ) -> list[tuple[str, str, str]]:
        known = self._known()
        contents: dict[str, str] = {}
        to_read: list[str] = []
        for (_, path), info, (_, stamp) in zip(entries, infos, stamps, strict=True):
            remembered = known.get(path)
            if info is None:
                contents[path] = "-"
            elif remembered is not None and remembered[0] == stamp:
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
        self,
        signature: str,
        result: str,
        hashed: list[tuple[str, str, str]],
        stamps: list[tuple[str, str]],
        infos: list[os.stat_result | None],
    ) -> None:
        if self.path is None:
            return
        settled = time.time_ns() - _RACY_NS
        parts = [f"{_HEADER} {signature} {result}\n"]
        for (_, path, sha), (_, stamp), info in zip(hashed, stamps, infos, strict=True):
            if info is not None and info.st_mtime_ns < settled:
                parts.append(f"{path}\0{stamp}\0{sha}\0")
            elif info is not None:
                parts[0] = f"{_HEADER} - -\n"  # a racy file: no shortcut next time
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            atomic_write(self.path, "".join(parts).encode("utf-8", "surrogateescape"))


def _one(path: Path) -> str:
    from .files import sha256_file

    try:
        return sha256_file(path)
    except (InputError, OSError):
        return "unreadable"


def sha256_of_entries(commit: str | None, hashed: list[tuple[str, str, str]]) -> str:
    """The digest of the uncommitted changes: (status, path, sha256) sorted."""
    digest = hashlib.sha256(f"commit {commit}\n".encode())
    for code, path, sha in sorted(hashed, key=lambda e: e[1]):
        digest.update(f"{code}\0{path}\0{sha}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
