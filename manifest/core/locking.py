"""An exclusive lock file with stale-lock detection, for registry writes.

The lock is a file created with ``O_CREAT | O_EXCL`` (atomic on local file
systems) that names its holder: host, process id, a random token and the
time. A lock is stale when its holder is a process of this host that no
longer runs, or when it is older than ``stale_after`` seconds; a stale lock
is moved aside (rename is atomic, so two waiters cannot both take it) and
the acquisition retried. Waiting longer than ``timeout`` raises
:class:`LockTimeout`, naming the holder.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import EXIT_FAILED, ManifestError


class LockTimeout(ManifestError):
    """Another process holds the lock and did not release it in time."""

    exit_code = EXIT_FAILED


def _holder(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(holder: dict[str, Any] | None, *, age: float, stale_after: float) -> bool:
    """A lock whose holder died on this host, or older than ``stale_after``."""
    if age > stale_after:
        return True
    if holder is None:
        return age > 5.0  # being written right now, or garbage: give it a moment
    pid = holder.get("pid")
    if holder.get("host") == socket.gethostname() and isinstance(pid, int):
        return not _alive(pid)
    return False


def _break(path: Path, holder: dict[str, Any] | None) -> None:
    aside = path.with_name(f"{path.name}.stale.{secrets.token_hex(4)}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return  # someone else broke or released it
    moved = _holder(aside)
    if holder is not None and moved is not None and moved.get("token") != holder.get("token"):
        # we moved a fresh lock taken after our look: give it back
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
    aside.unlink(missing_ok=True)


@contextmanager
def file_lock(
    path: Path, *, timeout: float = 10.0, stale_after: float = 600.0, poll: float = 0.05
) -> Iterator[dict[str, Any]]:
    """Hold the lock file ``path`` for the duration of the ``with`` block."""
    me = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "token": secrets.token_hex(8),
        "since": time.time(),
    }
    deadline = time.monotonic() + timeout
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            try:
                age = time.time() - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if is_stale(holder, age=age, stale_after=stale_after):
                _break(path, holder)
                continue
            if time.monotonic() >= deadline:
                who = (
                    f"process {holder.get('pid')} on {holder.get('host')}"
                    if holder
                    else "another process"
                )
                raise LockTimeout(
                    f"the registry is locked by {who} for {age:.0f} s",
                    file=str(path),
                    hint="another promotion is under way; retry, or delete the lock file "
                    "if its holder is gone",
                ) from None
            time.sleep(poll)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(me, handle)
        break
    try:
        yield me
    finally:
        current = _holder(path)
        if current is not None and current.get("token") == me["token"]:
            path.unlink(missing_ok=True)
