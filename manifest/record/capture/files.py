"""Hashing files: artifacts a run wrote and inputs it read.

Hashing uses OpenSSL's sha256 through :mod:`hashlib`, which releases the GIL,
so many files are hashed on all cores by a thread pool. Inputs are often large
and unchanged between runs; :class:`HashCache` remembers a file's hash by
(device, inode, size, mtime), as DVC does, so an unchanged input is not read
again.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.atomic import atomic_write

_CHUNK = 1024 * 1024
# A file modified this recently may change again within the same mtime tick:
# its hash is not cached (the "racy git" rule).
_RACY_SECONDS = 2.0


def sha256_file(path: Path) -> str:
    """Hex sha256 of the raw bytes of ``path``."""
    with open(path, "rb") as handle:
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


def hash_many(paths: Sequence[Path], *, workers: int | None = None) -> list[str]:
    """Hex sha256 of each path, in order, using every core for many files."""
    if len(paths) <= 1:
        return [sha256_file(p) for p in paths]
    workers = workers or min(len(paths), os.cpu_count() or 1, 8)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(sha256_file, paths))


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    sha256: str
    role: str

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256, "role": self.role}


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _walk_regular_files(root: Path) -> Iterable[Path]:
    """Regular files below ``root``, not following symlinks out of it."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            yield Path(folder) / name


def collect_artifacts(
    run_dir: Path,
    *,
    exclude: Sequence[str],
    extra_root: Path | None = None,
    extra_globs: Sequence[str] = (),
    roles: Mapping[str, str] | None = None,
) -> list[FileRecord]:
    """The artifact set of a run.

    Regular files below ``run_dir`` (paths relative to it), minus the
    ``exclude`` globs, plus files matching ``extra_globs`` below
    ``extra_root`` (paths relative to that root). A symlink counts only when
    it resolves to a regular file inside its root; nothing outside is read.
    ``roles`` maps globs to a role name; unmatched files get ``output``.
    """
    run_dir = run_dir.resolve()
    chosen: dict[str, Path] = {}
    for file in _walk_regular_files(run_dir):
        rel = file.relative_to(run_dir).as_posix()
        if any(fnmatch.fnmatchcase(rel, pattern) for pattern in exclude):
            continue
        if _safe_regular(file, run_dir):
            chosen[rel] = file
    if extra_root is not None:
        root = extra_root.resolve()
        for pattern in extra_globs:
            for file in sorted(root.glob(pattern)):
                if not _inside(file, root) or not _safe_regular(file, root):
                    continue
                declared = file.relative_to(root).as_posix()
                if declared in chosen or _inside(file.resolve(), run_dir):
                    continue  # already listed relative to the run dir
                chosen[declared] = file
    names = sorted(chosen)
    digests = hash_many([chosen[n] for n in names])
    records = []
    for name, digest in zip(names, digests, strict=True):
        role = "output"
        for pattern, candidate in (roles or {}).items():
            if fnmatch.fnmatchcase(name, pattern):
                role = candidate
                break
        records.append(FileRecord(name, chosen[name].stat().st_size, digest, role))
    return records


def _safe_regular(file: Path, root: Path) -> bool:
    try:
        resolved = file.resolve(strict=True)
    except (OSError, RuntimeError):
        return False  # dangling or looping symlink
    return resolved.is_file() and _inside(resolved, root)


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
