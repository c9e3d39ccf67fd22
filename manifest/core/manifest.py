"""A manifest as a typed Python object, for the public API.

:class:`Manifest` wraps a manifest document that was checked (strict JSON,
schema and digest): the fields people use most are typed properties, and the
whole document stays available as ``data`` (and by key: ``m["metrics"]``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .timestamps import parse_utc


@dataclass(frozen=True, eq=False)
class Manifest(Mapping[str, Any]):
    """One run's manifest, intact: read with :func:`manifest.load`, or given
    by :func:`manifest.start_run` once its run is recorded.

    A read-only mapping of the document's top-level fields; ``to_dict()``
    gives an independent copy. Two manifests are equal when their digests
    are (the digest covers every other field).
    """

    data: Mapping[str, Any]
    path: Path | None = None

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Manifest):
            return NotImplemented
        return self.digest == other.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"Manifest({self.run_id!r}, status={self.status!r}, path={self.path!r})"

    def to_dict(self) -> dict[str, Any]:
        """The whole document, as a new (deep) copy."""
        return copy.deepcopy(dict(self.data))

    @property
    def run_id(self) -> str:
        return str(self.data["run_id"])

    @property
    def status(self) -> str:
        """``completed``, ``failed`` or ``interrupted``."""
        return str(self.data["status"])

    @property
    def created(self) -> datetime:
        return parse_utc(self.data["created"])

    @property
    def finished(self) -> datetime:
        return parse_utc(self.data["finished"])

    @property
    def owner(self) -> str | None:
        return self.data.get("owner")

    @property
    def task(self) -> str:
        """The entry point that ran, ``module:function``."""
        return str(self.data["task"])

    @property
    def config_name(self) -> str | None:
        return self.data.get("config_name")

    @property
    def overrides(self) -> tuple[str, ...]:
        return tuple(self.data.get("overrides") or ())

    @property
    def params(self) -> Mapping[str, Any]:
        """The resolved config (the parameter vector)."""
        return self.data.get("params") or {}

    @property
    def metrics(self) -> Mapping[str, int | float]:
        return self.data.get("metrics") or {}

    @property
    def directions(self) -> Mapping[str, str]:
        """Declared metric directions: ``higher`` or ``lower`` is better."""
        return self.data.get("directions") or {}

    @property
    def artifacts(self) -> tuple[Mapping[str, Any], ...]:
        """Each with ``path`` (relative to the run directory), ``size``,
        ``sha256`` and ``role``."""
        return tuple(self.data.get("artifacts") or ())

    @property
    def seeds(self) -> Mapping[str, int | None]:
        return self.data.get("seeds") or {}

    @property
    def error(self) -> Mapping[str, Any] | None:
        """``type`` and ``message`` of a failure, else None."""
        return self.data.get("error")

    @property
    def digest(self) -> str:
        return str(self.data["digest"])
