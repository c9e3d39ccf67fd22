"""Re-runs with a time limit: in a child process of its own session, killed
with all of its children when the limit passes.

A re-run executes code that a manifest points at; it may hang or never end.
Each launch runs in a child process that starts a new session (so every
process it starts, the launcher's workers included, is in its process group),
and :func:`run_limited` waits for it at most ``limit`` seconds. Then the group
gets SIGTERM (a task records itself as interrupted), and SIGKILL after a
grace period. Ctrl-C in this process kills the group too, so nothing is left
running. On Linux the child is a fork of this process (no interpreter to
start, nothing to import again) when no other thread runs; otherwise it is
started fresh (``spawn``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

GRACE_S = 5.0


class TimedOut(Exception):
    """The launch was killed when its time limit passed."""

    def __init__(self, limit: float) -> None:
        super().__init__(f"killed after {limit:g} s, its time limit")
        self.limit = limit


def _context() -> Any:
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    alone = threading.active_count() == 1
    return multiprocessing.get_context("fork" if can_fork and alone else "spawn")


def _child(work: Callable[[], Any], result: str) -> None:
    """In the child: lead a new process group, do the work, leave the
    outcome in ``result``."""
    if hasattr(os, "setsid"):
        os.setsid()
    from ..errors import ManifestError

    try:
        outcome: tuple[str, Any] = ("ok", work())
    except ManifestError as exc:  # the parent raises it again, as it is
        outcome = ("manifest-error", exc)
    except KeyboardInterrupt:  # the re-run was interrupted: so is the verification
        outcome = ("interrupted", None)
    except BaseException as exc:  # reported to the parent, whatever it is
        outcome = ("error", f"{type(exc).__name__}: {exc}")
    with open(result, "wb") as handle:
        pickle.dump(outcome, handle)
    sys.stdout.flush()
    sys.stderr.flush()


def _kill_group(process: Any) -> None:
    pid = process.pid
    if pid is None:
        return
    for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, GRACE_S)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig) if hasattr(os, "killpg") else process.terminate()
        process.join(wait)
        if not process.is_alive():
            break
    with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
        os.killpg(pid, signal.SIGKILL)  # workers that outlived their parent


def run_limited(work: Callable[[], Any], limit: float | None, *, folder: Path) -> Any:
    """``work()`` in a child process, its outcome (pickled through a file in
    ``folder``); :class:`TimedOut` when ``limit`` seconds pass first.

    ``work`` must pickle where the child is started fresh. A
    :class:`~manifest.errors.ManifestError` in the child is raised here as it
    was; any other exception as ``RuntimeError`` with its type and message.
    """
    import tempfile

    sys.stdout.flush()
    sys.stderr.flush()
    fd, result = tempfile.mkstemp(prefix=".rerun-", suffix=".pickle", dir=folder)
    os.close(fd)
    process = _context().Process(target=_child, args=(work, result), daemon=False)
    try:
        process.start()
        process.join(limit)
        if process.is_alive():
            _kill_group(process)
            raise TimedOut(limit or 0.0)
        _kill_group_leftovers(process)
        with open(result, "rb") as handle:
            status, value = pickle.load(handle) if os.path.getsize(result) else ("error", "")
    except BaseException:
        if process.is_alive():  # Ctrl-C here: the re-runs stop too
            _kill_group(process)
        raise
    finally:
        Path(result).unlink(missing_ok=True)
    if status == "manifest-error" and isinstance(value, BaseException):
        raise value
    if status == "interrupted":
        raise KeyboardInterrupt
    if status != "ok":
        raise RuntimeError(value or f"the re-run process ended with code {process.exitcode}")
    return value


def _kill_group_leftovers(process: Any) -> None:
    """Workers a finished launch left behind go with it."""
    with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError, TypeError):
        os.killpg(process.pid, signal.SIGKILL)
