"""What a verification is asked to do, its progress events, and its verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPORT_VERSION = "1.0"
# Worst first: the verdict of many manifests is the worst of theirs.
VERDICTS = ("interrupted", "refused", "not-run", "not-reproduced", "verified")
EXIT_CODES = {"verified": 0, "not-reproduced": 1, "refused": 2, "not-run": 2, "interrupted": 130}


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


@dataclass(frozen=True)
class Progress:
    """One step of a verification, for a progress display."""

    kind: str  # admitted, refused, rerun, verdict
    subject: str
    detail: str
    done: int = 0
    total: int = 0
