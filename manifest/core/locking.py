"""An exclusive lock held by the kernel, for registry writes.

The lock is ``flock(LOCK_EX)`` on a lock file. The kernel releases it when
its holder exits, however it exits, so there is no stale lock to detect or
break (breaking one by renaming it aside let two of three contenders both
believe they held it). The lock file is removed on release; a waiter that
then wins the lock on the removed file sees that the name now points to
another file (or none) and tries again, so two holders are never possible.
Waiting longer than ``timeout`` raises :class:`LockTimeout`; a lock file that
cannot be created (read-only or full disk, no permission) raises
:class:`~manifest.errors.OutputError` naming it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import EXIT_FAILED, ManifestError
from .atomic import make_folder, output_error, remove_folders

try:
    import fcntl
except ImportError:  # Windows: msvcrt locks a byte of the file instead
    fcntl = None  # type: ignore[assignment]


class LockTimeout(ManifestError):
    """Another process holds the lock and did not release it in time."""

    exit_code = EXIT_FAILED


def try_lock(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` if it is free; False when another holds it."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    import msvcrt

    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _still_named(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (a holder that
    released the lock removes the file, and a new one may take its name)."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise output_error(exc, path, what="the lock file") from None


def _acquire(path: Path, timeout: float, poll: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        fd = _open(path)
        if try_lock(fd):
            if _still_named(fd, path):
                return fd
            os.close(fd)  # won the lock of a file already released and removed
            continue
        os.close(fd)
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"locked by another process for more than {timeout:g} s",
                file=str(path),
                hint="another promotion or rollback is under way; retry when it is done",
            )
        time.sleep(poll)


@contextmanager
def file_lock(path: Path, *, timeout: float = 10.0, poll: float = 0.02) -> Iterator[None]:
    """Hold the exclusive lock ``path`` for the duration of the ``with``
    block; folders made for it are removed afterwards if nothing else was
    written there."""
    try:
        created = make_folder(path.parent)
    except OSError as exc:
        raise output_error(exc, path, what="the lock file") from None
    try:
        fd = _acquire(path, timeout, poll)
    except BaseException:
        remove_folders(created)
        raise
    try:
        yield
    finally:
        if fcntl is not None:
            path.unlink(missing_ok=True)  # before unlocking: waiters then retry
        os.close(fd)  # releases the lock
        remove_folders(created)
