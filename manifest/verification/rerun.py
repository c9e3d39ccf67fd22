"""Re-runs for ``verify``, launched through Hydra's launcher plugins.

Every re-run is one job of a Hydra multirun, executed by
:class:`~manifest.record.run.TaskRunner` exactly as ``manifest run -m`` executes a
job. The sweeper is bypassed: the launcher receives each job's own override
list, so re-runs of different manifests share one launch. The launcher is the
one the verification asks for: Hydra's basic launcher (in this process) by
default, ``hydra/launcher=joblib`` with ``jobs > 1``, or any installed plugin
(submitit for Slurm, ray) through extra ``hydra/launcher=...`` overrides,
unchanged. Jobs run in numbered folders below a work folder and record their
manifests in a store there; nothing of the original run is touched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .._hydra.app import AppInfo
from ..errors import ManifestError
from ..record.run import JobSummary, TaskRunner
from .isolate import TimedOut, run_limited


@dataclass(frozen=True)
class Job:
    """One re-run: a config of the repository and the overrides to apply;
    for a run recorded by the callback, the app whose configs and entry
    point these are (None: the config folder's config and its manifest.task)."""

    key: str
    config_name: str
    overrides: tuple[str, ...]
    app: AppInfo | None = None
    timeout: float | None = None  # seconds; None: no limit


@dataclass(frozen=True)
class Rerun:
    """What a re-run came to: its manifest (None when none was recorded)."""

    job: Job
    status: str
    manifest: dict[str, Any] | None = None
    run_dir: Path | None = None
    error: str | None = None

    @property
    def completed(self) -> bool:
        return self.status == "completed" and self.manifest is not None


@dataclass(frozen=True)
class LaunchSettings:
    """Where and how re-runs are launched."""

    config_dir: Path
    work_dir: Path
    jobs: int = 1
    hydra_overrides: tuple[str, ...] = field(default=())

    @property
    def store(self) -> Path:
        return self.work_dir / "store"

    @property
    def own_launcher(self) -> bool:
        """Whether the verification names its launcher (``--hydra hydra/launcher=...``)."""
        return any(o.lstrip("+~").startswith("hydra/launcher=") for o in self.hydra_overrides)

    @property
    def batch_size(self) -> int:
        """Re-runs per launch: one at a time in this process; with joblib 4
        per worker, since every launch costs a composition and a dispatch
        (about 0.15 s) while progress is seen per launch; with a launcher of
        the user's choice ``jobs``: submitit starts every job of a launch at
        once (processes, or a Slurm job array), so ``jobs`` bounds them."""
        if self.jobs <= 1:
            return 1
        return self.jobs if self.own_launcher else 4 * self.jobs

    def launcher_overrides(self, sweep_dir: Path, *, chdir: bool = True) -> list[str]:
        """Hydra overrides of the launch: fresh folders, quiet Hydra logging,
        the joblib launcher for ``jobs > 1`` unless another one is named; the
        run directory as working directory unless ``chdir`` is false (an
        app's own config says where it runs, as when it ran)."""
        overrides = [
            "hydra.mode=MULTIRUN",
            *(["hydra.job.chdir=True"] if chdir else []),
            f"hydra.sweep.dir={quoted(str(sweep_dir))}",
            "hydra.sweep.subdir=${hydra.job.num}",
            "hydra/hydra_logging=disabled",
        ]
        if self.jobs > 1 and not self.own_launcher:
            overrides += ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={self.jobs}"]
        return overrides + list(self.hydra_overrides)


_PLAIN = re.compile(r"^[\w/.\-+:@]+$", re.ASCII)


def quoted(value: str) -> str:
    """``value`` as one element of Hydra's override grammar."""
    if _PLAIN.match(value):
        return value
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fresh_workers() -> None:
    """Retire joblib's reusable worker processes, so that the next launch
    starts workers in this process's current folder and environment."""
    try:
        from joblib.externals.loky import reusable_executor  # type: ignore[import-untyped]
    except ImportError:
        return
    executor = getattr(reusable_executor, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=True)


def run_dir_of(manifest: dict[str, Any], project_dir: Path) -> Path | None:
    recorded = (manifest.get("hydra") or {}).get("run_dir")
    if not isinstance(recorded, str):
        return None
    path = Path(recorded)
    return path if path.is_absolute() else project_dir / path


def rerun_from_summary(job: Job, summary: Any, project_dir: Path) -> Rerun:
    """A launcher's return value for ``job`` as a :class:`Rerun`."""
    from ..core.reading import read_json

    if not isinstance(summary, JobSummary):
        return Rerun(job, "not-recorded", error=f"the job did not finish: {summary!r}")
    manifest = None
    if summary.path:
        try:
            loaded = read_json(Path(summary.path))
        except ManifestError as exc:
            return Rerun(job, "not-recorded", error=exc.describe())
        manifest = loaded if isinstance(loaded, dict) else None
    run_dir = run_dir_of(manifest, project_dir) if manifest else None
    return Rerun(job, summary.status, manifest, run_dir, summary.error)


def launch(jobs: Sequence[Job], settings: LaunchSettings, *, batch: int) -> list[Rerun]:
    """Run ``jobs`` through the configured launcher; results in order.

    ``batch`` numbers this launch (folders ``runs/<batch>-<n>/<job>``).
    Raises :class:`ConfigError` when the launch itself cannot start (a
    launcher plugin that is not installed, for example).
    """
    results: dict[int, Rerun] = {}
    by_config: dict[tuple[str, AppInfo | None], list[int]] = {}
    for index, job in enumerate(jobs):
        by_config.setdefault((job.config_name, job.app), []).append(index)
    for group, indexes in enumerate(by_config.values()):
        sweep_dir = settings.work_dir / "runs" / f"{batch}-{group}"
        members = [jobs[i] for i in indexes]
        project_dir = Path.cwd()
        limit = _limit(members, settings)
        try:
            returned = run_limited(
                partial(_launch_group, members, settings, sweep_dir),
                limit,
                folder=settings.work_dir,
            )
        except TimedOut as exc:
            finished = _finished_before(sweep_dir, settings.store, project_dir)
            for number, index in enumerate(indexes):
                results[index] = _timed_out(jobs[index], finished.get(number), exc, project_dir)
            continue
        for index, value in zip(indexes, returned, strict=True):
            results[index] = rerun_from_summary(jobs[index], value, project_dir)
    return [results[i] for i in range(len(jobs))]


def _limit(jobs: Sequence[Job], settings: LaunchSettings) -> float | None:
    """The time limit of one launch: the longest of its jobs', once for
    each round of jobs the launcher runs at a time."""
    limits = [j.timeout for j in jobs]
    if not limits or any(t is None for t in limits):
        return None
    rounds = -(-len(jobs) // max(settings.jobs, 1))
    return max(t for t in limits if t is not None) * rounds


def _finished_before(sweep_dir: Path, store: Path, project_dir: Path) -> dict[int, dict[str, Any]]:
    """The manifests that jobs of a killed launch recorded in time, by job
    number (their run folder is ``sweep_dir/<number>``)."""
    from ..core.reading import read_json

    found: dict[int, dict[str, Any]] = {}
    for path in sorted(store.glob("*.json")) if store.is_dir() else []:
        try:
            manifest = read_json(path)
        except ManifestError:
            continue
        if not isinstance(manifest, dict) or manifest.get("status") != "completed":
            continue
        folder = run_dir_of(manifest, project_dir)
        if folder is not None and folder.parent == sweep_dir and folder.name.isdigit():
            found[int(folder.name)] = manifest
    return found


def _timed_out(job: Job, done: dict[str, Any] | None, exc: TimedOut, project_dir: Path) -> Rerun:
    """A job of a launch that was killed: what it recorded in time, if anything."""
    if done is not None:
        return Rerun(job, "completed", done, run_dir_of(done, project_dir))
    return Rerun(job, "timed-out", error=str(exc))


def _launch_group(jobs: Sequence[Job], settings: LaunchSettings, sweep_dir: Path) -> list[Any]:
    """One launch of jobs that share a config and an app."""
    from .._hydra.launch import launch_jobs

    app, config_name = jobs[0].app, jobs[0].config_name
    runner = TaskRunner(task=app.entrypoint if app else None, store=str(settings.store))
    return launch_jobs(
        app.source if app else settings.config_dir,
        config_name,
        settings.launcher_overrides(sweep_dir, chdir=app is None),
        [list(job.overrides) for job in jobs],
        runner,
        job_name=app.job_name if app else None,
    )
