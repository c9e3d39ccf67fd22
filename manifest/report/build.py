"""Gather what the report shows: the runs table, their curves, and (when
asked) a comparison, a gate decision and a verification report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.reading import read_json
from ..errors import ManifestError, UsageError
from ..query.runs import runs
from ..query.table import Runs
from .curves import RunCurves, run_curves

if TYPE_CHECKING:
    from ..comparison.comparison import Comparison
    from ..gating.decision import Decision
    from ..lineage.walk import Lineage

MAX_CURVE_RUNS = 50


@dataclass(frozen=True)
class ReportData:
    """Everything one report page shows; ``None`` for what was not asked for."""

    title: str
    sources: tuple[str, ...]
    runs: Runs
    curves: tuple[RunCurves, ...]
    comparison: Comparison | None = None
    decision: Decision | None = None
    verification: dict[str, Any] | None = None
    verification_source: str | None = None
    lineage: Lineage | None = None


def _curves(table: Runs) -> tuple[RunCurves, ...]:
    found: list[RunCurves] = []
    for row in table.rows:
        if row.error is not None or len(found) >= MAX_CURVE_RUNS:
            continue
        try:
            manifest = read_json(Path(row.path))
        except ManifestError:
            continue
        if isinstance(manifest, dict):
            curves = run_curves(manifest, Path(row.path))
            if curves is not None:
                found.append(curves)
    return tuple(found)


def _lineage(paths: Sequence[str | Path], table: Runs) -> Lineage:
    """How the runs of ``table`` join: the graph of every manifest under
    ``paths``, drawn for the runs shown."""
    from ..lineage.load import load_graph
    from ..lineage.walk import among

    graph = load_graph([Path(p) for p in paths])
    return among(graph, [row.run_id for row in table.rows if row.run_id])


def _verification(path: Path) -> dict[str, Any]:
    report = read_json(path)
    if not isinstance(report, dict) or report.get("command") != "verify":
        raise UsageError(
            "not a verification report",
            file=str(path),
            expected="the JSON of manifest verify --write-report",
            found="another document",
        )
    return report


def _judge(
    baseline: Sequence[str], candidate: Sequence[str], policy: Path | None
) -> tuple[Comparison | None, Decision | None]:
    if not baseline and not candidate:
        if policy is not None:
            raise UsageError("--policy needs --baseline and --candidate")
        return None, None
    if not baseline or not candidate:
        raise UsageError("give both --baseline and --candidate", hint="each a folder, glob or list")
    from ..comparison.groups import load_group

    base, cand = load_group(list(baseline), "baseline"), load_group(list(candidate), "candidate")
    if policy is None:
        from ..comparison.comparison import compare

        return compare(base, cand), None
    from ..gating.decision import gate
    from ..gating.policy import load_policy

    decision = gate(base, cand, load_policy(policy))
    return decision.comparison, decision


def build(
    paths: Sequence[str | Path],
    *,
    where: str | None = None,
    baseline: Sequence[str] = (),
    candidate: Sequence[str] = (),
    policy: Path | None = None,
    verification: Path | None = None,
    title: str | None = None,
) -> ReportData:
    """The report of the runs under ``paths`` (filtered by ``where``), with
    the comparison of ``candidate`` against ``baseline`` (and the gate of
    ``policy``) and a ``manifest verify`` JSON report when given."""
    table = runs(paths, where=where)
    comparison, decision = _judge(baseline, candidate, policy)
    return ReportData(
        title=title or "Runs report",
        sources=tuple(str(p) for p in paths),
        runs=table,
        curves=_curves(table),
        comparison=comparison,
        decision=decision,
        verification=_verification(verification) if verification else None,
        verification_source=str(verification) if verification else None,
        lineage=_lineage(paths, table),
    )
