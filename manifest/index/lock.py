"""A reader-writer lock on an index file, so that a rebuild never pulls the
file from under another command.

Every command that opens an index holds a shared ``flock`` on ``<index>.lock``
while it uses it; deleting a corrupt index takes the lock exclusively, so it
waits for those commands to finish. SQLite itself orders the writers. Where
``fcntl`` does not exist the lock does nothing (and a rebuild is as safe as
the file system's unlink semantics make it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

WAIT_SECONDS = 60.0


class IndexLockTimeout(OSError):
    """The lock was not granted in time (another command rebuilds the index)."""


class IndexLock:
    """A shared lock on ``path`` while in a ``with`` block; :meth:`exclusive`
    switches to an exclusive one (not atomically: others may go first)."""

    def __init__(self, path: Path, *, wait: float = WAIT_SECONDS) -> None:
        self.path = path
        self.wait = wait
        self.fd = -1

    def __enter__(self) -> IndexLock:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._take(shared=True)
        except BaseException:
            os.close(self.fd)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        os.close(self.fd)  # closing releases the flock

    def _take(self, *, shared: bool) -> None:
        if fcntl is None:
            return
        mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.fd, mode)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexLockTimeout(f"index lock {self.path} not granted") from None
                time.sleep(0.02)

    def exclusive(self) -> None:
        self._take(shared=False)

    def shared(self) -> None:
        self._take(shared=True)
