"""The cost of a run: wall seconds, CPU seconds, peak resident memory."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any


def _cpu_seconds() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return time.process_time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_memory_bytes() -> int:
    try:
        import resource
    except ImportError:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kilobytes on Linux, bytes on macOS
    return int(peak if sys.platform == "darwin" else peak * 1024)


@dataclass(frozen=True)
class CostMeter:
    """Readings taken when a job starts; :meth:`stop` gives the cost section."""

    wall_start: float
    cpu_start: float

    @classmethod
    def start(cls) -> CostMeter:
        return cls(time.perf_counter(), _cpu_seconds())

    def stop(self) -> dict[str, Any]:
        return {
            "wall_s": round(max(time.perf_counter() - self.wall_start, 0.0), 6),
            "cpu_s": round(max(_cpu_seconds() - self.cpu_start, 0.0), 6),
            "peak_memory_bytes": _peak_memory_bytes(),
        }
