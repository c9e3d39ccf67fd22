"""The artifact set of a run: the files it wrote, hashed, and checked again
just before the manifest is sealed.

A manifest must never cite bytes that were replaced before it was written
(another run writing into the same folder, a task that keeps writing after
it returned, a declared artifact outside the run folder that another process
rewrites). Each artifact is hashed with the stamp of the bytes hashed
(device, inode, size, mtime); :func:`changed_since_hashed` compares them with
the files as they are when the manifest is sealed.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import ChangedWhileRead, Stamp, hash_many, stamp_of


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    sha256: str
    role: str
    source: Path | None = field(default=None, compare=False)
    stamp: Stamp | None = field(default=None, compare=False)

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


def _safe_regular(file: Path, root: Path) -> bool:
    try:
        resolved = file.resolve(strict=True)
    except (OSError, RuntimeError):
        return False  # dangling or looping symlink
    return resolved.is_file() and _inside(resolved, root)


def _chosen(
    run_dir: Path, exclude: Sequence[str], extra_root: Path | None, extra_globs: Sequence[str]
) -> dict[str, Path]:
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
    return chosen


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
    Raises :class:`ChangedWhileRead` for a file still being written.
    """
    chosen = _chosen(run_dir.resolve(), exclude, extra_root, extra_globs)
    names = sorted(chosen)
    _past_the_tick([chosen[n] for n in names])
    hashed = hash_many([chosen[n] for n in names])
    records = []
    for name, (digest, stamp) in zip(names, hashed, strict=True):
        role = "output"
        for pattern, candidate in (roles or {}).items():
            if fnmatch.fnmatchcase(name, pattern):
                role = candidate
                break
        records.append(FileRecord(name, stamp[2], digest, role, chosen[name], stamp))
    return records


# File times come from a coarse clock (a jiffy: up to 10 ms): two writes in
# one tick leave the same mtime. Hashing starts after the tick of the newest
# write, so any later write shows in the stamp (git's "racily clean" rule).
_TICK_NS = 10_000_000


def _past_the_tick(files: Sequence[Path]) -> None:
    newest = 0
    for file in files:
        with contextlib.suppress(OSError):
            newest = max(newest, os.stat(file).st_mtime_ns)
    wait = newest + _TICK_NS - time.time_ns()
    if 0 < wait <= _TICK_NS:
        time.sleep(wait / 1e9)


def changed_since_hashed(records: Sequence[FileRecord]) -> list[str]:
    """The paths of ``records`` whose file is gone or no longer holds the
    bytes that were hashed."""
    changed = []
    for record in records:
        if record.source is None or record.stamp is None:
            continue
        try:
            now = stamp_of(os.stat(record.source))
        except OSError:
            now = None
        if now != record.stamp:
            changed.append(record.path)
    return changed


__all__ = ["ChangedWhileRead", "FileRecord", "changed_since_hashed", "collect_artifacts"]
