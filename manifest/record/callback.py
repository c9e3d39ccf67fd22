"""The Hydra callback: records a manifest for every job of any Hydra app.

Add it to an existing ``@hydra.main`` app without changing the app::

    python app.py hydra/callbacks=manifest

(the config group comes with the package's Hydra plugin; the long form
``+hydra.callbacks.manifest._target_=manifest.callback.ManifestCallback``
works too). The app's return value, if a mapping of numbers, is the metric
vector. Hydra turns an exception raised by a callback into a warning, so a
manifest that cannot be recorded is reported here, loudly, on stderr. When a
sweep ends, the process that launched it names the manifests its jobs
recorded elsewhere (:mod:`.sweep`): a submitit job's own lines only reach
its log files.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from .capture.cost import CostMeter
from .job_start import at_start, handle_signals
from .sweep import Sweep, closing_lines
from .tasks import MainModule, main_module

log = logging.getLogger("manifest")


class ManifestCallback(Callback):
    """Record a run manifest at the end of every job.

    ``store`` and ``owner``, when given, are defaults for configs that have
    no ``manifest:`` node (a value in the config wins).
    """

    def __init__(self, store: str | None = None, owner: str | None = None) -> None:
        self.store = store
        self.owner = owner
        self._started: tuple[datetime, CostMeter] | None = None
        self._task: tuple[str, Any] | None = None
        self._skip = False
        self._sweep: Sweep | None = None  # set in the process that launches a sweep
        self._announced: set[Path] = set()
        self._main: MainModule | None = None  # __main__ of the process that started the app
        self._ctx: Any = None  # the job's context as it started, or what stopped it
        self._restore: Callable[[], None] | None = None  # puts signal handlers back

    def on_run_start(self, config: Any, **kwargs: Any) -> None:
        from .rundir import guard

        self._main = main_module()
        guard(config, "hydra.run.dir")  # before Hydra makes the folder

    def on_run_end(self, config: Any, **kwargs: Any) -> None:
        from .rundir import release

        release(config, "hydra.run.dir")

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        from .rundir import guard

        self._main = main_module()  # jobs may run in workers, where __main__ is another
        guard(config, "hydra.sweep.dir")
        try:
            self._sweep = Sweep.start(config, self._defaults())
        except Exception as exc:  # no closing lines, but never a broken sweep
            _error(f"cannot watch this sweep for its manifests: {exc}")

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        from .rundir import release

        release(config, "hydra.sweep.dir")
        if self._sweep is None or self._skip:
            return
        try:
            lines, errors = closing_lines(self._sweep, self._announced)
        except Exception as exc:
            _error(f"cannot list the manifests of this sweep: {exc}")
            return
        for line in [*lines, *errors]:
            print(line, file=sys.stderr, flush=True)

    def _defaults(self) -> dict[str, Any]:
        return {k: v for k, v in (("store", self.store), ("owner", self.owner)) if v}

    def on_job_start(self, config: Any, *, task_function: Any = None, **kwargs: Any) -> None:
        from .run import TaskRunner
        from .tasks import entrypoint_of

        self._skip = isinstance(task_function, TaskRunner)  # manifest run records itself
        self._task = (
            entrypoint_of(task_function, main=self._main) if task_function is not None else None
        )
        self._started = (datetime.now(timezone.utc), CostMeter.start())
        if not self._skip:  # the code and config as the job starts, and SIGTERM recorded
            self._ctx = self._context(config)
            self._restore = handle_signals(self._interrupted)

    def _context(self, config: Any) -> Any:
        """The job's context with its code taken now, or the exception that
        stopped it (raised when the job ends, where it is reported)."""
        from .job import job_context

        task, source = self._task or ("__main__:unknown", None)
        try:
            ctx = job_context(
                config, config, task=task, task_source=source, defaults=self._defaults()
            )
            return at_start(ctx)
        except Exception as exc:
            return exc

    def _interrupted(self, exc: BaseException) -> None:
        """SIGTERM or Ctrl-C inside the job: record it as interrupted (Hydra
        would not call on_job_end)."""
        from .build import Outcome, record

        if self._started is None or isinstance(self._ctx, Exception) or self._ctx is None:
            return
        created, meter = self._started
        finished = datetime.now(timezone.utc)
        outcome = Outcome.from_exception(exc, created=created, finished=finished, cost=meter.stop())
        try:
            path = record(self._ctx, outcome).path
        except Exception as error:
            _error(f"the interrupted job was not recorded: {error}")
            return
        _error(f"interrupted; recorded as such in {path}")

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        if self._restore is not None:
            self._restore()
            self._restore = None
        if self._skip:
            return
        try:
            path = self._record(config, job_return)
        except Exception as exc:  # Hydra would only warn: say it loudly ourselves
            from ..render.escape import escape

            detail = exc.describe() if hasattr(exc, "describe") else f"{type(exc).__name__}: {exc}"
            where = job_return.working_dir or "unknown run dir"
            _error(f"no manifest was recorded for this job ({escape(where)}): {escape(detail)}")
            return
        if self._sweep is not None and self._sweep.announced_at_the_end():
            return  # the launching process names it where this process's line would go
        self._announced.add(Path(path).resolve())
        log.info("Recorded manifest %s", path)

    def _record(self, config: Any, job_return: Any) -> str:
        from hydra.core.utils import JobStatus

        from .._hydra.internal import job_value
        from .build import Outcome, record

        created, meter = self._started or (datetime.now(timezone.utc), CostMeter.start())
        cost = meter.stop()
        finished = datetime.now(timezone.utc)
        ctx = self._ctx if self._ctx is not None else self._context(config)
        if isinstance(ctx, Exception):
            raise ctx
        if job_return.status == JobStatus.COMPLETED:
            outcome = Outcome("completed", job_return.return_value, None, created, finished, cost)
        else:
            error = job_value(job_return)
            if not isinstance(error, BaseException):
                error = RuntimeError(f"job ended with status {job_return.status}")
            outcome = Outcome.from_exception(error, created=created, finished=finished, cost=cost)
        return str(record(ctx, outcome).path)


def _error(message: str) -> None:
    print(f"hydra-manifest: ERROR: {message}", file=sys.stderr, flush=True)
