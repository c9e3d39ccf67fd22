"""Metric curves: the steps a run logged in its ``metrics.jsonl`` artifact.

The format (see docs/reference/metrics-jsonl.md): UTF-8 text, one JSON object per line,
each with ``name`` (a non-empty string), ``value`` (a finite number) and
``step`` (an integer >= 0); other keys (``time``...) are allowed and ignored;
blank lines are skipped. A line that breaks these rules is skipped and
counted, never fatal. The file is found where the run wrote it: the run
directory the manifest records (absolute, or relative to the current folder
or to the manifest's folder), or ``<manifest folder>/<run_id>/``; it is used
only when its sha256 is the one the manifest records.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILENAME = "metrics.jsonl"
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Curve:
    """One metric of one run: (step, value) points in step order."""

    run_id: str
    name: str
    points: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class RunCurves:
    """What a run's ``metrics.jsonl`` gave: curves, or why there are none."""

    run_id: str
    curves: tuple[Curve, ...] = ()
    skipped_lines: int = 0
    problem: str | None = None
    source: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _artifact(manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for item in manifest.get("artifacts") or []:
        if isinstance(item, Mapping) and str(item.get("path", "")).split("/")[-1] == FILENAME:
            return item
    return None


def candidates(manifest: Mapping[str, Any], manifest_path: Path, relative: str) -> list[Path]:
    """Where the artifact ``relative`` of this run may be, most likely first."""
    hydra = manifest.get("hydra") if isinstance(manifest.get("hydra"), Mapping) else {}
    run_dir = str((hydra or {}).get("run_dir") or "")
    folder = manifest_path.parent
    out = []
    if run_dir:
        base = Path(run_dir)
        out += (
            [base / relative] if base.is_absolute() else [base / relative, folder / base / relative]
        )
    out.append(folder / str(manifest.get("run_id")) / relative)
    return out


def parse(data: bytes) -> tuple[dict[str, list[tuple[int, float]]], int]:
    """Points by metric name, and how many lines were skipped as malformed."""
    series: dict[str, list[tuple[int, float]]] = {}
    skipped = 0
    for line in data.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            skipped += 1
            continue
        if not _valid(row):
            skipped += 1
            continue
        series.setdefault(row["name"], []).append((row["step"], float(row["value"])))
    return series, skipped


def _valid(row: Any) -> bool:
    if not isinstance(row, dict):
        return False
    name, value, step = row.get("name"), row.get("value"), row.get("step")
    return (
        isinstance(name, str)
        and bool(name)
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and isinstance(step, int)
        and not isinstance(step, bool)
        and step >= 0
    )


def run_curves(manifest: Mapping[str, Any], manifest_path: Path) -> RunCurves | None:
    """The curves of one run, or None when it logged no steps."""
    run_id = str(manifest.get("run_id"))
    artifact = _artifact(manifest)
    if artifact is None:
        return None
    relative = str(artifact.get("path"))
    for path in candidates(manifest, manifest_path, relative):
        try:
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() != artifact.get("sha256"):
            return RunCurves(run_id, problem=f"{path} changed since the run (sha256 differs)")
        series, skipped = parse(data)
        curves = tuple(
            Curve(run_id, name, tuple(sorted(points))) for name, points in sorted(series.items())
        )
        return RunCurves(run_id, curves, skipped, source=str(path))
    return RunCurves(run_id, problem=f"{relative} not found (looked in the run directory)")
