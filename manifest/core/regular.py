"""Opening files that may not be files: refuse before reading.

A path from a manifest, a config or the command line may name a FIFO (which
blocks the reader until a writer comes), a device (``/dev/zero`` never ends)
or a socket. :func:`open_regular` looks before it opens (``stat``, following
symlinks), opens without waiting (``O_NONBLOCK``: a FIFO that appeared
meanwhile does not block the open) and looks again at what it opened, so
only a regular file is ever read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, for messages ("a named pipe (FIFO)")."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def not_regular(path: Path, mode: int) -> InputError:
    return InputError(
        f"is {kind_of(mode)}, not a regular file",
        file=str(path),
        hint="only regular files are read",
    )


def open_regular(path: Path) -> int:
    """A file descriptor of the regular file ``path``, opened for reading.

    Raises :class:`~manifest.errors.InputError` for a missing, unreadable or
    non-regular file, naming the path and what it is.
    """
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            raise not_regular(path, before.st_mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("no such file", file=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", file=str(path)) from None
    except OSError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # swapped between the look and the open
        os.close(fd)
        raise not_regular(path, mode)
    return fd
