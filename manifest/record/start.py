"""``manifest.start_run``: record a run from a notebook or a script.

The same manifest as ``manifest run`` and the callback record, from the same
builder (:func:`manifest.record.build.record`): the config (a mapping, or a
``DictConfig`` from ``hydra.compose``) is the parameter vector, the block
of code under ``with`` is the task, the metrics it logs are the metric
vector, and the files in its run directory are the artifacts; code,
environment, inputs and cost are captured as for any run. An exception in
the block gives a ``failed`` manifest (``interrupted`` for Ctrl-C) and is
raised again. Hydra is not started: nothing process-wide is changed.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from ..core.manifest import Manifest
from ..errors import ConfigError, RecordError
from .build import Outcome, record
from .capture.cost import CostMeter
from .handle import MetricUsageError, Run
from .job import JobContext, context_of
from .tasks import ENTRYPOINT, main_module


class _Recording:
    """The context manager :func:`start_run` returns."""

    def __init__(self, ctx: JobContext) -> None:
        self.run = Run(ctx)
        self._started: tuple[datetime, CostMeter] | None = None

    def __enter__(self) -> Run:
        from .job_start import at_start

        self.run.dir.mkdir(parents=True, exist_ok=True)
        self.run._ctx = at_start(self.run._ctx)  # the code as the block starts
        self._started = (datetime.now(timezone.utc), CostMeter.start())
        return self.run

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._started is not None
        created, meter = self._started
        finished, cost = datetime.now(timezone.utc), meter.stop()
        if exc is None:
            outcome = Outcome("completed", self.run.metrics, None, created, finished, cost)
        else:
            outcome = Outcome.from_exception(exc, created=created, finished=finished, cost=cost)
            if isinstance(exc, MetricUsageError) and outcome.error is not None:
                metric = (exc.pointer or "").removeprefix("/metrics/")
                outcome = replace(outcome, error={**outcome.error, "metric": metric or "?"})
        try:
            recorded = record(self.run._context(), outcome)
        except RecordError as error:
            if exc is None:
                raise
            note = f"hydra-manifest: no manifest was recorded: {error.describe()}"
            warnings.warn(note, RuntimeWarning, stacklevel=2)
            return
        self.run.manifest = Manifest(recorded.manifest, recorded.path)


def _caller(frame: FrameType | None) -> tuple[str, Path | None]:
    """``module:function`` of the code that called :func:`start_run` (top-level
    code, a notebook cell for one, is ``module:__main__``), and its file."""
    if frame is None:
        return "__main__:__main__", None
    module = str(frame.f_globals.get("__name__") or "__main__")
    if module == "__main__":
        module = main_module()[0] or "__main__"
    function = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)
    if function == "<module>":
        function = "__main__"
    task = f"{module}:{function}"
    file = Path(frame.f_code.co_filename)
    return (task if ENTRYPOINT.fullmatch(task) else f"{module}:__main__"), (
        file if file.is_file() else None
    )


def _hydra_facts(cfg: Any) -> tuple[str | None, tuple[str, ...], str | None]:
    """Config name, task overrides and job name from a config's ``hydra``
    node (``hydra.compose(..., return_hydra_config=True)``), if it has one."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    try:
        name = OmegaConf.select(cfg, "hydra.job.config_name", default=None)
        overrides = OmegaConf.select(cfg, "hydra.overrides.task", default=None) or []
        job = OmegaConf.select(cfg, "hydra.job.name", default=None)
        return name, tuple(str(o) for o in overrides), job
    except OmegaConfBaseException:
        return None, (), None


def _as_config(config: Any) -> Any:
    from omegaconf import DictConfig, OmegaConf

    if isinstance(config, DictConfig):
        return config
    if isinstance(config, Mapping):
        return OmegaConf.create(dict(config))
    raise TypeError(f"config must be a mapping or a DictConfig, not {type(config).__name__}")


def _run_dir(project: Path, run_dir: str | os.PathLike[str] | None) -> Path:
    if run_dir is not None:
        return (project / run_dir).resolve()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d/%H-%M-%S.%f")
    return project / "outputs" / stamp


def start_run(
    config: Any,
    *,
    store: str | os.PathLike[str] | None = None,
    task: str | None = None,
    owner: str | None = None,
    run_dir: str | os.PathLike[str] | None = None,
) -> _Recording:
    """Record the block under ``with`` as a run: ``with start_run(cfg) as run:``.

    ``config``: a mapping or a ``DictConfig`` (for example from
    ``hydra.compose``); its ``manifest:`` node, if any, holds the settings
    (envelope, inputs, roles...), and ``store``, ``owner`` given here win
    over it (default store ``manifests``, relative to the current folder).
    ``task`` names the entry point (default: the calling function,
    ``module:function``). ``run_dir`` is the run directory (default
    ``outputs/<date>/<time>``). The manifest is written when the block ends.

    Raises :class:`~manifest.errors.ConfigError` for a config that does not
    resolve or bad settings, :class:`TypeError` for a config of another type.
    """
    from .settings import Settings

    cfg = _as_config(config)
    caller, source = _caller(sys._getframe(1))
    if task is not None and not ENTRYPOINT.fullmatch(task):
        raise ConfigError("bad task", pointer="task", expected="module:function", found=repr(task))
    chosen = task or caller
    config_name, overrides, job_name = _hydra_facts(cfg)
    project = Path.cwd()
    directory = _run_dir(project, run_dir)
    ctx = context_of(
        cfg,
        task=chosen,
        task_source=source if task is None else _source_of(chosen),
        config_name=config_name,
        overrides=overrides,
        project_dir=project,
        run_dir=directory,
        runtime=_runtime(directory, project, job_name or chosen.split(":")[0].split(".")[-1]),
    )
    given: dict[str, Any] = {"store": os.fspath(store) if store is not None else None}
    given["owner"] = owner
    settings: Settings = replace(ctx.settings, **{k: v for k, v in given.items() if v is not None})
    exclusions = (*ctx.dirt_exclusions, project / settings.store)  # the store is no dirt
    return _Recording(replace(ctx, settings=settings, dirt_exclusions=exclusions))


def _source_of(task: str) -> Path | None:
    """The file of a named task's module, if it is imported already (nothing
    is imported to find it)."""
    module = sys.modules.get(task.partition(":")[0])
    file = getattr(module, "__file__", None)
    return Path(file) if isinstance(file, str) else None


def _runtime(run_dir: Path, project: Path, job_name: str) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        hydra_version = version("hydra-core")
    except PackageNotFoundError:
        hydra_version = "unknown"
    try:
        shown = run_dir.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        shown = str(run_dir)
    return {
        "version": hydra_version,
        "mode": "RUN",
        "job_name": job_name,
        "job_num": None,
        "run_dir": shown,
        "chdir": False,
    }


__all__ = ["MetricUsageError", "Run", "start_run"]
