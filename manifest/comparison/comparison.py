"""Two groups of runs -> a statistical comparison, metric by metric.

For each metric: a summary per group; the difference of means (candidate
minus baseline) with Welch's confidence interval and a seeded, order-free
BCa bootstrap interval; Welch's and Student's t-tests and the Mann-Whitney U
test; for runs paired by their declared seed, the paired t-test and the
Wilcoxon signed-rank test; effect sizes with intervals (Hedges' g, Cliff's
delta, the Hodges-Lehmann shift, P(improvement)); Holm's correction of each
test's p-values across the metrics compared; and a verdict that follows the
shared small-sample and degeneracy policy (:mod:`manifest.comparison.sample`).
See :mod:`manifest.comparison.stats` for the exact rules.

Whether higher or lower is better is declared (:mod:`.directions`): by the
runs' configs, a policy or ``--direction``; never guessed from a name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import UsageError
from .bootstrap import DEFAULT_RESAMPLES, bootstrap_intervals, undercoverage
from .directions import HIGHER, LOWER, Direction, resolve
from .groups import Group, Run, paired_values, pairing
from .metric import MetricComparison, measure, with_holm
from .sample import MIN_RUNS

__all__ = ["HIGHER", "LOWER", "Comparison", "MetricComparison", "compare", "metric_values"]


@dataclass(frozen=True)
class Comparison:
    """The comparison of a candidate group of runs against a baseline group."""

    baseline: Group
    candidate: Group
    confidence: float
    seed: int
    resamples: int
    min_runs: int
    paired: bool
    pairing_note: str
    metrics: tuple[MetricComparison, ...]
    warnings: tuple[str, ...]

    def metric(self, name: str) -> MetricComparison | None:
        """The comparison of the metric ``name``, or None if it was not compared."""
        return next((m for m in self.metrics if m.metric == name), None)

    def as_json(self) -> dict[str, Any]:
        """The comparison as ``manifest compare --format json`` prints it."""
        return {
            "command": "compare",
            "difference": "candidate - baseline",
            "confidence": self.confidence,
            "min_runs": self.min_runs,
            "bootstrap": {"seed": self.seed, "resamples": self.resamples},
            "paired": self.paired,
            "pairing": self.pairing_note,
            "baseline": self.baseline.as_json(),
            "candidate": self.candidate.as_json(),
            "metrics": [m.as_json() for m in self.metrics],
            "warnings": list(self.warnings),
        }


def metric_values(
    baseline: Sequence[Run], candidate: Sequence[Run], name: str
) -> tuple[bool, list[float], list[float]]:
    """Whether the runs that report ``name`` pair by seed, and its values
    (aligned by seed when paired, in a canonical order otherwise)."""
    base_runs = [r for r in baseline if name in r.metrics]
    cand_runs = [r for r in candidate if name in r.metrics]
    paired, _ = pairing(base_runs, cand_runs)
    if paired:
        base, cand = paired_values(base_runs, cand_runs, name)
        return True, base, cand
    return (
        False,
        sorted(r.metrics[name] for r in base_runs),
        sorted(r.metrics[name] for r in cand_runs),
    )


def _chosen(
    baseline: Group, candidate: Group, metrics: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The metrics to compare (``metrics``, or every one both groups report),
    and a warning naming those only one group reports."""
    names_b = {k for r in baseline.runs for k in r.metrics}
    names_c = {k for r in candidate.runs for k in r.metrics}
    if not metrics:
        only = sorted(names_b ^ names_c)
        warning = ["not compared, reported by one group only: " + ", ".join(only)] if only else []
        return sorted(names_b & names_c), warning
    for name in metrics:
        for label, names in (("baseline", names_b), ("candidate", names_c)):
            if name not in names:
                raise UsageError(
                    f"no {label} run reports metric {name!r}",
                    pointer="--metric",
                    expected="a metric of both groups",
                    found=", ".join(sorted(names)) or "no metrics",
                )
    return list(dict.fromkeys(metrics)), []


def uncounted_warnings(baseline: Group, candidate: Group) -> list[str]:
    """A warning for each side with manifests that do not count: skipped
    (not completed or not valid) or copies of a counted run."""
    warnings = [
        f"{len(group.skipped)} {group.label} manifest(s) skipped (not completed or not valid)"
        for group in (baseline, candidate)
        if group.skipped
    ]
    warnings += [
        f"{len(group.copies)} {group.label} manifest(s) are copies of a run (same digest): "
        "each run is counted once"
        for group in (baseline, candidate)
        if group.copies
    ]
    return warnings


def _group_warnings(baseline: Group, candidate: Group) -> list[str]:
    warnings = uncounted_warnings(baseline, candidate)
    shared = {r.digest for r in baseline.runs} & {r.digest for r in candidate.runs}
    if shared:
        warnings.append(f"{len(shared)} run(s) are in both groups")
    return warnings


def _check_options(confidence: float, min_runs: int, resamples: int) -> None:
    for ok, what, pointer, expected, found in (
        (0 < confidence < 1, "bad confidence level", "--confidence", "a number between 0 and 1",
         confidence),
        (min_runs >= 2, "too few runs required", "--min-runs", "an integer >= 2", min_runs),
        (resamples >= 100, "too few bootstrap resamples", "--resamples", "at least 100",
         resamples),
    ):  # fmt: skip
        if not ok:
            raise UsageError(what, pointer=pointer, expected=expected, found=str(found))


def _measured(
    baseline: Group, candidate: Group, name: str, direction: Direction, options: dict[str, Any]
) -> MetricComparison:
    paired, base, cand = metric_values(baseline.runs, candidate.runs, name)
    notes = [
        f"{len(g.runs) - n} {g.label} run(s) have no metric {name!r}"
        for g, n in ((baseline, len(base)), (candidate, len(cand)))
        if len(g.runs) > n
    ]
    return measure(name, direction, base, cand, paired=paired, notes=notes, **options)


def _with_bootstrap(
    metrics: list[MetricComparison], confidence: float, seed: int, resamples: int
) -> list[MetricComparison]:
    """Each metric with its bootstrap interval, resampled together by pairing."""
    out = list(metrics)
    for paired in (False, True):
        chosen = [i for i, m in enumerate(out) if m.paired is paired and not m.small_sample]
        intervals = bootstrap_intervals(
            [out[i].values[0] for i in chosen],
            [out[i].values[1] for i in chosen],
            paired=paired,
            confidence=confidence,
            seed=seed,
            resamples=resamples,
        )
        for i, interval in zip(chosen, intervals, strict=True):
            m = out[i]
            warning = undercoverage(m.baseline.n, m.candidate.n)
            notes = m.warnings + ((warning,) if warning and interval else ())
            out[i] = replace(m, bootstrap=interval, warnings=notes)
    return out


def compare(
    baseline: Group,
    candidate: Group,
    *,
    metrics: Sequence[str] = (),
    declared: Sequence[tuple[str, Mapping[str, str]]] = (),
    confidence: float = 0.95,
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
    min_runs: int = MIN_RUNS,
) -> Comparison:
    """Compare ``candidate`` with ``baseline`` on ``metrics`` (default: every
    metric that both groups report). ``declared`` holds (source, mapping)
    pairs of metric directions besides the runs' own (a policy, flags).

    Raises :class:`UsageError` for a requested metric that a group lacks or a
    bad option, and :class:`~.directions.DirectionError` when two sources give
    a metric opposite directions.
    """
    _check_options(confidence, min_runs, resamples)
    chosen, warnings = _chosen(baseline, candidate, metrics)
    warnings += _group_warnings(baseline, candidate)
    paired, note = pairing(baseline.runs, candidate.runs)
    directions = resolve(chosen, [*baseline.runs, *candidate.runs], declared)
    options = {"confidence": confidence, "min_runs": min_runs}
    results = [_measured(baseline, candidate, n, directions[n], options) for n in chosen]
    results = _with_bootstrap(results, confidence, seed, resamples)
    return Comparison(
        baseline=baseline,
        candidate=candidate,
        confidence=confidence,
        seed=seed,
        resamples=resamples,
        min_runs=min_runs,
        paired=paired,
        pairing_note=note,
        metrics=tuple(with_holm(results, 1 - confidence)),
        warnings=tuple(warnings),
    )
