"""Compose a config with Hydra, execute its task, record a manifest per job.

Used by ``manifest run`` (and later by ``verify``). Composition, the run
directory, multirun sweeps and launchers are Hydra's own; :class:`TaskRunner`
is the task function Hydra calls in each job (in a worker process with the
joblib launcher, so it and what it returns must pickle).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import ManifestError, OutputError, UsageError
from .build import Outcome, record
from .capture.cost import CostMeter


@dataclass(frozen=True)
class JobSummary:
    """What one job of ``manifest run`` came to, sent back to the CLI."""

    status: str  # completed, failed, interrupted, not-recorded, not-written, config-error
    run_id: str | None = None
    path: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    overrides: tuple[str, ...] = ()


class TaskRunner:
    """The task function handed to Hydra: run the task, record it.

    The task is ``manifest.task`` of the job's config, or ``task`` when given
    (an app's entry point: a ``@hydra.main`` function, called with the config
    as Hydra's own wrapper allows). ``store``, when given, is where the
    manifest goes, whatever the config says (verify's own store).
    """

    def __init__(self, task: str | None = None, store: str | None = None) -> None:
        self.task = task
        self.store = store

    def _prepare(self, cfg: Any, hydra_cfg: Any, overrides: tuple[str, ...]) -> Any:
        """(the task function, the job's context), or a summary of why not."""
        from dataclasses import replace

        from omegaconf import OmegaConf

        from .job import job_context
        from .job_start import at_start
        from .tasks import resolve_task

        entrypoint = self.task or OmegaConf.select(cfg, "manifest.task", default=None)
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
        if self.store is not None:
            ctx = replace(ctx, settings=replace(ctx.settings, store=self.store))
        return function, at_start(ctx)

    def __call__(self, cfg: Any) -> JobSummary:
        from hydra.core.hydra_config import HydraConfig

        from .job import task_overrides

        hydra_cfg: Any = HydraConfig.instance().cfg
        overrides = task_overrides(hydra_cfg.hydra)
        prepared = self._prepare(cfg, hydra_cfg, overrides)
        if isinstance(prepared, JobSummary):
            return prepared
        function, ctx = prepared

        from .job_start import signals_recorded

        created = datetime.now(timezone.utc)
        meter = CostMeter.start()
        try:
            with signals_recorded():  # SIGTERM: recorded as interrupted, like Ctrl-C
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
        except OutputError as exc:
            return JobSummary("not-written", error=exc.describe(), overrides=overrides)
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
    """The source file of the task: the user's own under decorators that keep
    ``__wrapped__`` (``@hydra.main`` does), not the decorator's."""
    import inspect

    from .tasks import entrypoint_of

    return entrypoint_of(inspect.unwrap(function))[1]


def _has_override(overrides: list[str], key: str) -> bool:
    return any(o.lstrip("+~").split("=", 1)[0] == key for o in overrides)


def _run_guarded(launch: Callable[[], list[Any]], overrides: list[str]) -> list[Any]:
    """``launch()`` with every run folder claimed before Hydra makes it
    (:mod:`.rundir`); a run that fails to start leaves no folder behind and
    its error names the folder."""
    from .rundir import GUARD_TARGET, claims, remove_if_unused

    overrides.append(f"+hydra.callbacks.hydra_manifest_run_folder._target_={GUARD_TARGET}")
    with claims() as claimed:
        try:
            return launch()
        except OutputError as exc:  # Hydra could not set the run up: undo what it began
            for item in claimed:
                remove_if_unused(item.folder)
            if exc.file is None and claimed:
                where = str(claimed[-1].folder)
                raise OutputError(exc.message, file=where, hint=exc.hint) from None
            raise


def execute(
    config_dir: Path,
    config_name: str | None,
    overrides: list[str],
    *,
    multirun: bool = False,
    app: str | None = None,
    store: Path | None = None,
) -> list[JobSummary]:
    """Compose ``config_name`` (default ``config``) from ``config_dir`` with
    ``overrides`` and run its ``manifest.task``; or, with ``app``
    (``module:function`` of a ``@hydra.main`` app), run the app with its own
    configs (``config_name`` defaults to the app's). ``store``, when given,
    is where the manifests go, whatever the config says.

    A config's task runs with its run directory as working directory (unless
    ``hydra.job.chdir=false`` is given); an app's as its config says. Raises
    :class:`ConfigError` when Hydra cannot compose or launch,
    :class:`UsageError` for a missing folder, :class:`TaskError` for an app
    that does not import or is not a ``@hydra.main`` app.
    """
    from .._hydra.launch import run_jobs

    overrides = list(overrides)
    if app is not None:
        from .._hydra.app import load_app

        info = load_app(app)
        source, name, job_name = info.source, config_name or info.config_name, info.job_name
        if name is None:
            raise UsageError(f"the app {app} names no config", hint="pass --config-name")
    else:
        source, name, job_name = config_dir.resolve(), config_name or "config", None
        if not source.is_dir():
            raise UsageError("config folder not found", file=str(source), hint="pass --config-dir")
        if not _has_override(overrides, "hydra.job.chdir"):
            overrides.append("hydra.job.chdir=True")
    overrides.append(f"hydra.mode={'MULTIRUN' if multirun else 'RUN'}")
    runner = TaskRunner(task=app, store=str(store.resolve()) if store is not None else None)
    returned = _run_guarded(
        lambda: run_jobs(source, name, overrides, runner, multirun=multirun, job_name=job_name),
        overrides,
    )
    return [
        value
        if isinstance(value, JobSummary)
        else JobSummary("not-recorded", error=f"internal error: {value!r}")  # a bug, not the task
        for value in returned
    ]
