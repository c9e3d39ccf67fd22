"""The handle of a run that :func:`manifest.start_run` records: the metrics
and artifacts the code under ``with`` logs, and, afterwards, its manifest."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.manifest import Manifest
from ..errors import UsageError
from .job import JobContext
from .metrics import metric_vector

METRICS_FILE = "metrics.jsonl"


class Run:
    """A run being recorded; given by ``with manifest.start_run(...) as run``.

    ``dir`` is its run directory: files written there are its artifacts.
    After the block, ``manifest`` (and ``path``, ``run_id``) say what was
    recorded.
    """

    def __init__(self, ctx: JobContext) -> None:
        self._ctx = ctx
        self._metrics: dict[str, int | float] = {}
        self._roles: dict[str, str] = {}
        self.manifest: Manifest | None = None

    @property
    def dir(self) -> Path:
        """The run directory; files written here are recorded as artifacts."""
        return self._ctx.run_dir

    @property
    def params(self) -> Mapping[str, Any]:
        """The parameter vector as the manifest records it (resolved)."""
        return self._ctx.params

    @property
    def metrics(self) -> Mapping[str, int | float]:
        """The last value logged of each metric."""
        return dict(self._metrics)

    @property
    def path(self) -> Path | None:
        """The manifest's file, once recorded."""
        return self.manifest.path if self.manifest is not None else None

    @property
    def run_id(self) -> str | None:
        return self.manifest.run_id if self.manifest is not None else None

    def log_metric(self, name: str, value: float, step: int | None = None) -> None:
        """Log ``value`` of metric ``name``; the manifest keeps the last one.

        With ``step`` (an integer >= 0) the value is also appended to the
        run's ``metrics.jsonl`` artifact (one ``{"name", "step", "value"}``
        object per line), whose sha256 the manifest records. Raises
        :class:`ValueError` (:class:`~manifest.errors.UsageError`) for a
        name that is not a non-empty string or a value that is not a finite
        number; the run then fails with that error if it is not caught.
        """
        self.log_metrics({name: value}, step=step)

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        """Log several metrics at once (nested mappings are flattened with
        ``.``), as :meth:`log_metric` does for one."""
        if not isinstance(metrics, Mapping):
            raise MetricUsageError("metrics must be a mapping of name to number")
        if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
            raise MetricUsageError("step must be an integer >= 0", found=repr(step))
        values, error = metric_vector(metrics)
        if error is not None:
            raise MetricUsageError(error["message"], pointer=f"/metrics/{error.get('metric', '')}")
        self._metrics.update(values)
        if step is not None:
            lines = "".join(
                json.dumps({"name": k, "step": step, "value": v}, sort_keys=True) + "\n"
                for k, v in values.items()
            )
            with (self.dir / METRICS_FILE).open("a", encoding="utf-8") as out:
                out.write(lines)

    def log_artifact(
        self, path: str | os.PathLike[str], *, name: str | None = None, role: str | None = None
    ) -> Path:
        """Record the file (or folder) at ``path`` as an artifact: copied
        into the run directory as ``name`` (default: its own name) unless it
        is there already. ``role`` (default ``output``, or what
        ``manifest.roles`` says) is recorded with it. Returns its path in the
        run directory. Raises :class:`~manifest.errors.UsageError` for a
        missing file or a name that leaves the run directory.
        """
        source = Path(path).resolve()
        if not source.exists():
            raise UsageError("no such file to log as an artifact", file=str(path))
        run_dir = self.dir.resolve()
        if source.is_relative_to(run_dir):
            target = source
        else:
            target = (run_dir / (name or source.name)).resolve()
            if not target.is_relative_to(run_dir) or target == run_dir:
                raise UsageError(
                    "an artifact's name must stay inside the run directory", found=repr(name)
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                shutil.copy2(source, target)
        if role is not None:
            rel = target.relative_to(run_dir).as_posix()
            self._roles[f"{rel}/*" if target.is_dir() else rel] = role
        return target

    def _context(self) -> JobContext:
        roles = {**self._ctx.settings.roles, METRICS_FILE: "metrics", **self._roles}
        return replace(self._ctx, settings=replace(self._ctx.settings, roles=roles))


class MetricUsageError(UsageError, ValueError):
    """A metric that cannot be logged: a bad name, value or step."""
