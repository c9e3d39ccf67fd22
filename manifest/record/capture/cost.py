"""The cost of a run: wall seconds, CPU seconds, peak resident memory.

Peak memory is the job's own, not the process's: in an in-process multirun
(Hydra's basic launcher, a joblib worker that runs job after job) the
process's high-water mark (``ru_maxrss``) is the largest of every earlier
job. On Linux the mark is reset when the job starts (writing ``5`` to
``/proc/self/clear_refs``, the kernel's interface for exactly this) and read
as ``VmHWM`` from ``/proc/self/status`` when it ends: the largest resident
set of this process while the job ran (what it already held included). A
child process the job waited for counts when its own peak is larger (the
children's high-water mark, when it rose during the job). Where the mark
cannot be reset, the process's high-water mark is recorded, and
``peak_memory_scope`` says ``process`` instead of ``job``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

_CLEAR_REFS = "/proc/self/clear_refs"
_STATUS = "/proc/self/status"


def _cpu_seconds() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return time.process_time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _maxrss(who: str) -> int:
    """The high-water mark of this process (or its waited-for children)."""
    try:
        import resource
    except ImportError:
        return 0
    peak = resource.getrusage(getattr(resource, who)).ru_maxrss
    # kilobytes on Linux, bytes on macOS
    return int(peak if sys.platform == "darwin" else peak * 1024)


def reset_peak() -> bool:
    """Reset this process's peak resident set to its current size (Linux);
    False where that cannot be done."""
    try:
        with open(_CLEAR_REFS, "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def _vm_hwm() -> int | None:
    try:
        with open(_STATUS) as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass(frozen=True)
class CostMeter:
    """Readings taken when a job starts; :meth:`stop` gives the cost section."""

    wall_start: float
    cpu_start: float
    own_peak_reset: bool = False
    children_peak_start: int = 0

    @classmethod
    def start(cls) -> CostMeter:
        reset = reset_peak()
        return cls(time.perf_counter(), _cpu_seconds(), reset, _maxrss("RUSAGE_CHILDREN"))

    def peak_memory(self) -> tuple[int, str]:
        """(peak resident bytes, ``job`` or ``process``: what it covers)."""
        own = _vm_hwm() if self.own_peak_reset else None
        children = _maxrss("RUSAGE_CHILDREN")
        child_peak = children if children > self.children_peak_start else 0
        if own is None:
            return max(_maxrss("RUSAGE_SELF"), child_peak), "process"
        return max(own, child_peak), "job"

    def stop(self) -> dict[str, Any]:
        peak, scope = self.peak_memory()
        return {
            "wall_s": round(max(time.perf_counter() - self.wall_start, 0.0), 6),
            "cpu_s": round(max(_cpu_seconds() - self.cpu_start, 0.0), 6),
            "peak_memory_bytes": peak,
            "peak_memory_scope": scope,
        }
