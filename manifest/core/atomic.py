"""Atomic, durable writes: readers see all of a file or nothing.

The bytes go to a temporary file in the target's folder, are fsynced, given
mode 0644 and renamed (or, to never replace, hard-linked) into place; then
the folder is fsynced so the new name survives a crash.

A write that fails (a full or read-only disk, no permission) raises
:class:`~manifest.errors.OutputError` naming the path and why, and leaves
nothing behind: the temporary file is removed, and so are the folders the
write created.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from ..errors import OutputError

_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EROFS: "the file system is read-only: choose a writable folder",
    errno.EACCES: "no permission to write there: choose another folder or fix its permissions",
    errno.EPERM: "no permission to write there: choose another folder or fix its permissions",
}


def output_error(exc: OSError, path: Path, *, what: str = "") -> OutputError:
    """The one-line error for ``exc`` raised while writing ``path``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    culprit = exc.filename if isinstance(exc.filename, str) else None
    if culprit and Path(culprit) != path:
        reason += f" ({culprit})"
    return OutputError(
        f"cannot write {what or 'the file'}: {reason}",
        file=str(path),
        hint=_HINTS.get(exc.errno or 0),
    )


def make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the folders created, top
    first (for :func:`remove_folders` should the write fail)."""
    missing: list[Path] = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for item in reversed(missing):
        try:
            item.mkdir()
        except FileExistsError:
            continue  # made meanwhile by another writer
        except OSError:
            remove_folders(missing[missing.index(item) + 1 :][::-1])
            raise
    return list(reversed(missing))


def remove_folders(created: list[Path]) -> None:
    """Remove the folders of ``created`` that are still empty, deepest first."""
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            return


def atomic_write(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see all of it or nothing.

    The bytes go to a temporary file in the same folder, are fsynced, then
    renamed into place. With ``overwrite=False`` an existing file is never
    replaced (``FileExistsError``), even by a writer racing this one.
    Raises :class:`~manifest.errors.OutputError` when the disk refuses.
    """
    try:
        created = make_folder(path.parent)
    except OSError as exc:
        raise output_error(exc, path) from None
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(tmp_name)
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
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        remove_folders(created)
        if isinstance(exc, OSError) and not isinstance(exc, FileExistsError):
            raise output_error(exc, path) from None
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
