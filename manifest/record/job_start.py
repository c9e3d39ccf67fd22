"""What happens when a job starts, before its task runs.

:func:`at_start` takes the code as it is now (git state, the task's source),
so that what the task edits or writes does not count as the code it ran;
the cost meter's own start resets the peak-memory mark
(:mod:`.capture.cost`). :func:`signals_recorded` turns SIGTERM (what a
scheduler, a container runtime or ``kill`` sends) into an interruption that
is recorded like Ctrl-C, instead of a process that dies without a manifest.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from ..errors import Terminated
from .capture.code import CodeState, capture
from .capture.files import default_cache_path
from .job import JobContext


def code_now(ctx: JobContext) -> CodeState:
    """The code of the job's project as it is now."""
    cache = default_cache_path().parent if ctx.settings.hash_cache else None
    return capture(
        ctx.project_dir,
        exclude=ctx.dirt_exclusions,
        task_source=ctx.task_source,
        module=ctx.task.split(":")[0],
        cache=cache,
    )


def at_start(ctx: JobContext) -> JobContext:
    """``ctx`` with the code captured now: call it before the task runs."""
    return replace(ctx, code=code_now(ctx))


def handle_signals(on_signal: Callable[[BaseException], None] | None = None) -> Callable[[], None]:
    """From now on SIGTERM raises :class:`~manifest.errors.Terminated` (a
    ``KeyboardInterrupt``: the run is recorded as interrupted). With
    ``on_signal``, SIGTERM and SIGINT first call it with the exception (for a
    caller that cannot catch it: the callback inside Hydra's job). Returns the
    function that puts the previous handlers back. Only in the main thread,
    where Python runs signal handlers; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for number, old in previous.items():
            signal.signal(number, old)

    def handler(signum: int, frame: Any) -> None:
        restore()
        exc: BaseException = (
            Terminated(f"terminated by signal {signal.Signals(signum).name}")
            if signum == signal.SIGTERM
            else KeyboardInterrupt("interrupted by SIGINT")
        )
        if on_signal is not None:
            on_signal(exc)
        raise exc

    signal.signal(signal.SIGTERM, handler)
    if on_signal is not None:
        signal.signal(signal.SIGINT, handler)
    return restore


@contextmanager
def signals_recorded() -> Iterator[None]:
    """:func:`handle_signals` for the duration of the block."""
    restore = handle_signals()
    try:
        yield
    finally:
        restore()
