"""The result of a query: a typed table of runs.

A :class:`Runs` holds :class:`RunRecord` rows (one per manifest file, an
unreadable file included with its error), in the order asked for. It turns
into plain records, columns of one name each (``params.optimizer.lr``,
``metrics.accuracy``), and, with the ``pandas`` extra, a DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ManifestError

BASE_COLUMNS = (
    "path",
    "folder",
    "run_id",
    "status",
    "created",
    "finished",
    "owner",
    "task",
    "config",
    "overrides",
    "digest",
    "error",
)


class MissingExtraError(ManifestError, ImportError):
    """An optional dependency that is not installed."""


@dataclass(frozen=True)
class RunRecord:
    """One manifest as the runs table sees it: parameters and metrics by
    their flattened names, and each metric's declared direction."""

    path: str
    folder: str
    run_id: str | None
    status: str | None
    created: str | None
    finished: str | None
    owner: str | None
    task: str | None
    config: str | None
    overrides: tuple[str, ...]
    params: Mapping[str, Any]
    metrics: Mapping[str, Any]
    directions: Mapping[str, str]
    digest: str | None
    error: str | None

    def get(self, column: str) -> Any:
        """The value of ``column`` (``params.KEY``, ``metrics.NAME`` or a
        base column); None when this run has none."""
        head, _, key = column.partition(".")
        if head == "params" and key:
            return self.params.get(key)
        if head == "metrics" and key:
            return self.metrics.get(key)
        if column == "overrides":
            return list(self.overrides)
        return getattr(self, column, None) if column in BASE_COLUMNS else None


@dataclass(frozen=True)
class Runs:
    """Runs in order; ``sources`` are the folders and files they came from."""

    rows: tuple[RunRecord, ...]
    sources: tuple[str, ...] = ()
    total: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[RunRecord]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> RunRecord:
        return self.rows[index]

    def param_names(self) -> list[str]:
        return sorted({k for r in self.rows for k in r.params})

    def metric_names(self) -> list[str]:
        return sorted({k for r in self.rows for k in r.metrics})

    def varying_params(self) -> list[str]:
        """Parameters whose value is not the same in every listed run (a run
        that lacks one counts as different)."""
        readable = [r for r in self.rows if r.error is None]
        out = []
        for name in self.param_names():
            values = {_hashable(r.params.get(name, _ABSENT)) for r in readable}
            if len(values) > 1:
                out.append(name)
        return out

    def directions(self) -> dict[str, str]:
        """The declared direction of each metric (the first run that declares one)."""
        found: dict[str, str] = {}
        for row in self.rows:
            for name, direction in row.directions.items():
                found.setdefault(name, direction)
        return found

    def columns(self) -> list[str]:
        """Every column: the base ones, then each parameter and metric."""
        return [
            *BASE_COLUMNS,
            *(f"params.{k}" for k in self.param_names()),
            *(f"metrics.{k}" for k in self.metric_names()),
        ]

    def to_records(self, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """One flat mapping per run over ``columns`` (default :meth:`columns`)."""
        chosen = list(columns) if columns is not None else self.columns()
        return [{c: row.get(c) for c in chosen} for row in self.rows]

    def to_pandas(self, columns: Sequence[str] | None = None) -> Any:
        """A ``pandas.DataFrame`` of :meth:`to_records`, indexed by run id.
        Raises :class:`MissingExtraError` without pandas."""
        try:
            import pandas  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise MissingExtraError(
                "pandas is not installed",
                hint="pip install 'hydra-manifest[pandas]'",
            ) from None
        chosen = list(columns) if columns is not None else self.columns()
        frame = pandas.DataFrame.from_records(self.to_records(chosen), columns=chosen)
        return frame.set_index("run_id", drop=False) if "run_id" in chosen else frame


_ABSENT = object()


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, (list, dict)) else (type(value), value)
