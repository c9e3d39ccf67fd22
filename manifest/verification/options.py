"""What a verification is asked to do, its progress events, and its verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPORT_VERSION = "1.0"
# Worst first: the verdict of many manifests is the worst of theirs.
VERDICTS = ("interrupted", "refused", "not-run", "timed-out", "not-reproduced", "verified")
EXIT_CODES = {
    "verified": 0,
    "not-reproduced": 1,
    "timed-out": 1,
    "refused": 2,
    "not-run": 2,
    "interrupted": 130,
}
# A re-run may take this many times the recorded wall time, and never less
# than the floor (starting Hydra and importing the task cost seconds).
TIMEOUT_FACTOR = 10.0
TIMEOUT_FLOOR_S = 60.0


def default_timeout(manifest: dict[str, object]) -> float:
    """The time limit of a re-run of ``manifest``: a multiple of its
    recorded wall time, with a floor."""
    cost = manifest.get("cost")
    wall = cost.get("wall_s") if isinstance(cost, dict) else None
    recorded = float(wall) if isinstance(wall, (int, float)) and not isinstance(wall, bool) else 0.0
    return max(TIMEOUT_FLOOR_S, TIMEOUT_FACTOR * recorded)


@dataclass(frozen=True)
class VerifyOptions:
    """How to verify: where the repository's configs are, and how to re-run."""

    config_dir: Path = Path("conf")
    seeds: int | None = None
    jobs: int = 1
    trust: bool = False
    perturb: bool = False
    diagnose: bool = True
    hydra_overrides: tuple[str, ...] = ()
    work_dir: Path | None = None
    pass_env: tuple[str, ...] = ()
    allow_network: bool = False
    timeout: float | None = None  # seconds per re-run; None: default_timeout of the record


@dataclass(frozen=True)
class Progress:
    """One step of a verification, for a progress display."""

    kind: str  # admitted, refused, rerun, verdict
    subject: str
    detail: str
    done: int = 0
    total: int = 0
