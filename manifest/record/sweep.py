"""What the jobs of a multirun recorded, told where the user is looking.

Under a launcher that runs jobs in other processes, a job's confirmation goes
wherever that process writes: the terminal for joblib's workers, but only
submitit's log files for submitit (locally or on Slurm). So the callback in
the process that started the sweep looks, when the sweep ends, for the
manifests whose run folder lies in the sweep folder and names each one, and
names every job folder that has none.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.reading import read_json
from ..errors import ManifestError
from .settings import DEFAULT_STORE

_MAX_DEPTH = 4  # of a job folder below the sweep folder (hydra.sweep.subdir)
_LISTED = 20


def stderr_identity() -> tuple[int, int] | None:
    """(device, inode) of this process's stderr: two processes with the same
    identity write to the same terminal, pipe or file."""
    try:
        stat = os.fstat(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return stat.st_dev, stat.st_ino


@dataclass(frozen=True)
class Sweep:
    """A multirun being watched from the process that launched it."""

    project_dir: Path
    sweep_dir: Path
    store: Path
    started: float  # time.time() when the sweep started
    pid: int  # of the launching process
    terminal: tuple[int, int] | None  # stderr_identity() of the launching process

    @classmethod
    def start(cls, config: Any, defaults: Mapping[str, Any]) -> Sweep:
        """The sweep that ``config`` (the multirun config, with its ``hydra``
        node) starts; the store as its jobs will resolve it."""
        from omegaconf import OmegaConf

        project = Path(str(config.hydra.runtime.cwd))
        store = OmegaConf.select(config, "manifest.store", default=None)
        store = store or defaults.get("store") or DEFAULT_STORE
        return cls(
            project_dir=project,
            sweep_dir=(project / str(config.hydra.sweep.dir)).resolve(),
            store=(project / str(store)).resolve(),
            started=time.time(),
            pid=os.getpid(),
            terminal=stderr_identity(),
        )

    def announced_at_the_end(self) -> bool:
        """Whether a job in this process leaves its confirmation to the end of
        the sweep: it runs in another process that writes to the launching
        process's terminal (joblib's workers), where the closing lines go."""
        if os.getpid() == self.pid:
            return False
        return self.terminal is not None and stderr_identity() == self.terminal


def _job_dirs(sweep_dir: Path) -> list[Path]:
    """Folders of the sweep in which Hydra ran a job (they hold ``.hydra/``)."""
    found: list[Path] = []
    for folder, subfolders, _ in os.walk(sweep_dir):
        depth = len(Path(folder).relative_to(sweep_dir).parts)
        if ".hydra" in subfolders and depth > 0:
            found.append(Path(folder))
        subfolders[:] = [s for s in subfolders if not s.startswith(".") and depth < _MAX_DEPTH]
    return sorted(found)


def _recorded(sweep: Sweep) -> dict[Path, tuple[Path, Mapping[str, Any]]]:
    """Run folder -> (path, manifest) of the manifests written since the
    sweep started whose run folder is in the sweep folder."""
    found: dict[Path, tuple[Path, Mapping[str, Any]]] = {}
    try:
        candidates = [p for p in sweep.store.glob("*.json") if p.is_file()]
    except OSError:
        return found
    for path in candidates:
        try:
            if path.stat().st_mtime < sweep.started - 1:
                continue
            manifest = read_json(path)
        except (OSError, ManifestError):
            continue
        if not isinstance(manifest, dict):
            continue
        run_dir = (manifest.get("hydra") or {}).get("run_dir")
        if not isinstance(run_dir, str):
            continue
        folder = Path(run_dir)
        folder = (folder if folder.is_absolute() else sweep.project_dir / folder).resolve()
        if folder.is_relative_to(sweep.sweep_dir):
            found[folder] = (path, manifest)
    return found


def closing_lines(sweep: Sweep, announced: set[Path]) -> tuple[list[str], list[str]]:
    """(confirmations, errors) at the end of a sweep: each manifest not in
    ``announced`` (those already confirmed here), a count, and each job folder
    without a manifest."""
    from ..render.escape import escape

    recorded = _recorded(sweep)
    lines: list[str] = []
    fresh = sorted((p, m) for p, m in recorded.values() if p.resolve() not in announced)
    for path, manifest in fresh[:_LISTED]:
        lines.append(
            f"hydra-manifest: recorded {escape(str(path))} ({escape(manifest.get('status'))})"
        )
    if len(fresh) > _LISTED:
        lines.append(f"hydra-manifest: ... and {len(fresh) - _LISTED} more")
    statuses: dict[str, int] = {}
    for _, manifest in recorded.values():
        statuses[str(manifest.get("status"))] = statuses.get(str(manifest.get("status")), 0) + 1
    counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    noun = "manifest" if len(recorded) == 1 else "manifests"
    lines.append(
        f"hydra-manifest: {len(recorded)} {noun} recorded for this sweep in "
        f"{escape(str(sweep.store))}" + (f" ({escape(counts)})" if counts else "")
    )
    missing = [d for d in _job_dirs(sweep.sweep_dir) if d not in recorded]
    errors = [
        f"hydra-manifest: ERROR: no manifest was recorded for the job in {escape(str(d))} "
        "(its stderr says why)"
        for d in missing[:_LISTED]
    ]
    return lines, errors
