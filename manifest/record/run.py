"""Compose a config with Hydra, execute its task, record a manifest per job.

Used by ``manifest run`` (and later by ``verify``). Composition, the run
directory, multirun sweeps and launchers are Hydra's own; :class:`TaskRunner`
is the task function Hydra calls in each job (in a worker process with the
joblib launcher, so it and what it returns must pickle).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import ManifestError, UsageError
from .build import Outcome, record
from .capture.cost import CostMeter


@dataclass(frozen=True)
class JobSummary:
    """What one job of ``manifest run`` came to, sent back to the CLI."""

    status: str  # completed, failed, interrupted, not-recorded, config-error
    run_id: str | None = None
    path: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    overrides: tuple[str, ...] = ()


class TaskRunner:
    """The task function handed to Hydra: run ``manifest.task``, record it."""

    def __call__(self, cfg: Any) -> JobSummary:
        from hydra.core.hydra_config import HydraConfig
        from omegaconf import OmegaConf

        from .job import job_context
        from .tasks import resolve_task

        hydra_cfg: Any = HydraConfig.instance().cfg
        overrides = tuple(str(o) for o in hydra_cfg.hydra.overrides.task)
        entrypoint = OmegaConf.select(cfg, "manifest.task", default=None)
        if entrypoint is None:
            return JobSummary(
                "config-error",
                error="the config names no task: set manifest.task to module:function",
                overrides=overrides,
            )
        try:
            function = resolve_task(str(entrypoint))
            ctx = job_context(
                cfg, hydra_cfg, task=str(entrypoint), task_source=_source_of(function)
            )
        except ManifestError as exc:
            return JobSummary("config-error", error=exc.describe(), overrides=overrides)

        created = datetime.now(timezone.utc)
        meter = CostMeter.start()
        try:
            value = function(cfg)
        except Exception as exc:  # the task's failure is recorded, not raised
            outcome = Outcome.from_exception(
                exc, created=created, finished=datetime.now(timezone.utc), cost=meter.stop()
            )
        except KeyboardInterrupt as exc:
            outcome = Outcome.from_exception(
                exc, created=created, finished=datetime.now(timezone.utc), cost=meter.stop()
            )
            _record_quietly(ctx, outcome)
            raise
        else:
            finished = datetime.now(timezone.utc)
            outcome = Outcome("completed", value, None, created, finished, meter.stop())
        try:
            recorded = record(ctx, outcome)
        except ManifestError as exc:
            return JobSummary("not-recorded", error=exc.describe(), overrides=overrides)
        manifest = recorded.manifest
        error = manifest["error"]
        return JobSummary(
            status=manifest["status"],
            run_id=manifest["run_id"],
            path=str(recorded.path),
            metrics=manifest["metrics"],
            error=f"{error['type']}: {error['message']}" if error else None,
            overrides=overrides,
        )


def _record_quietly(ctx: Any, outcome: Outcome) -> None:
    try:
        record(ctx, outcome)
    except ManifestError as exc:
        from ..render.escape import escape

        print(
            f"hydra-manifest: interrupted run not recorded: {escape(exc.describe())}",
            file=sys.stderr,
        )


def _source_of(function: Any) -> Path | None:
    from .tasks import entrypoint_of

    return entrypoint_of(function)[1]


def _has_override(overrides: list[str], key: str) -> bool:
    return any(o.lstrip("+~").split("=", 1)[0] == key for o in overrides)


def execute(
    config_dir: Path, config_name: str, overrides: list[str], *, multirun: bool = False
) -> list[JobSummary]:
    """Compose ``config_name`` from ``config_dir`` with ``overrides`` and run it.

    The task runs with its run directory as working directory (unless
    ``hydra.job.chdir=false`` is given). Raises :class:`ConfigError` when
    Hydra cannot compose or launch, :class:`UsageError` for a missing folder.
    """
    config_dir = config_dir.resolve()
    if not config_dir.is_dir():
        raise UsageError("config folder not found", file=str(config_dir), hint="pass --config-dir")
    from .._hydra.launch import run_jobs

    overrides = list(overrides)
    if not _has_override(overrides, "hydra.job.chdir"):
        overrides.append("hydra.job.chdir=True")
    overrides.append(f"hydra.mode={'MULTIRUN' if multirun else 'RUN'}")
    returned = run_jobs(config_dir, config_name, overrides, TaskRunner(), multirun=multirun)
    return [
        value
        if isinstance(value, JobSummary)
        else JobSummary("not-recorded", error=f"internal error: {value!r}")  # a bug, not the task
        for value in returned
    ]
