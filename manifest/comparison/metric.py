"""One metric of a comparison: its statistics, warnings and verdict.

The verdict follows the shared small-sample and degeneracy policy
(:mod:`manifest.comparison.sample`): with fewer than ``min_runs`` runs on a side
it is inconclusive; runs without variance beyond rounding agree exactly;
otherwise the primary test (paired t when paired by seed, else Welch) decides
at ``1 - confidence`` after Holm's correction across the metrics. A metric
without a declared direction is called higher or lower, never better or worse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from . import stats
from .directions import HIGHER, LOWER, Direction, how_to_declare
from .effects import Estimate, cliffs_delta, hedges_g, probability_of_improvement
from .power import hint
from .sample import shortfall, tolerance
from .shift import hodges_lehmann
from .ttest import mean_var

PRIMARY = {True: "paired_t", False: "welch_t"}
HOLM_FAMILIES = ("welch_t", "student_t", "mann_whitney", "paired_t", "wilcoxon")


@dataclass(frozen=True)
class MetricComparison:
    """Everything compare says about one metric."""

    metric: str
    direction: str | None
    direction_source: str
    baseline: stats.Summary
    candidate: stats.Summary
    difference: float
    paired: bool
    tests: dict[str, stats.TestResult]
    holm: dict[str, float]
    bootstrap: stats.BootstrapInterval | None
    effects: dict[str, Estimate]
    probability_of_improvement: float
    min_runs: int
    small_sample: bool
    constant: bool
    verdict: str
    warnings: tuple[str, ...]
    seeds_hint: str | None = None
    values: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())

    @property
    def primary(self) -> str:
        """The test whose Holm-adjusted p-value decides the verdict."""
        return PRIMARY[self.paired]

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)  # the tests and effects too: asdict recurses into dicts
        del out["values"]
        out["primary_test"] = self.primary
        out["warnings"] = list(self.warnings)
        return out


def _effects(
    base: Sequence[float], cand: Sequence[float], paired: bool, direction: str | None, level: float
) -> dict[str, Estimate]:
    delta = cliffs_delta(base, cand, confidence=level)
    return {
        "hedges_g": hedges_g(base, cand, paired=paired, confidence=level),
        "cliffs_delta": delta,
        "hodges_lehmann": hodges_lehmann(base, cand, paired=paired, confidence=level),
        "probability_of_improvement": probability_of_improvement(delta, direction),
    }


def _tests(base: list[float], cand: list[float], paired: bool, level: float) -> dict[str, Any]:
    tests = {
        "welch_t": stats.two_sample_t(base, cand, confidence=level),
        "student_t": stats.two_sample_t(base, cand, equal_var=True, confidence=level),
        "mann_whitney": stats.mann_whitney(base, cand),
    }
    if paired:
        tests["paired_t"] = stats.paired_t(base, cand, confidence=level)
        tests["wilcoxon"] = stats.wilcoxon_signed_rank(base, cand)
    return tests


def measure(
    name: str,
    direction: Direction,
    base: list[float],
    cand: list[float],
    *,
    paired: bool,
    confidence: float,
    min_runs: int,
    notes: Sequence[str] = (),
) -> MetricComparison:
    """The statistics of one metric (verdict and Holm filled in by :func:`with_holm`)."""
    tests = _tests(base, cand, paired, confidence)
    warnings = list(notes)
    small = shortfall(len(base), len(cand), min_runs)
    if small:
        warnings.append(small)
    if direction.direction is None:
        warnings.append(how_to_declare(name))
    warnings.extend(f"{k}: {t.note}" for k, t in tests.items() if t.note and not t.constant)
    effects = {} if small else _effects(base, cand, paired, direction.direction, confidence)
    summary_b, summary_c = stats.summarize(base), stats.summarize(cand)
    return MetricComparison(
        metric=name,
        direction=direction.direction,
        direction_source=direction.source,
        baseline=summary_b,
        candidate=summary_c,
        difference=summary_c.mean - summary_b.mean,
        paired=paired,
        tests=tests,
        holm={},
        bootstrap=None,
        effects=effects,
        probability_of_improvement=stats.probability_of_improvement(
            base, cand, higher_is_better=direction.direction != LOWER
        ),
        min_runs=min_runs,
        small_sample=small is not None,
        constant=tests[PRIMARY[paired]].constant,
        verdict="",
        warnings=tuple(warnings),
        values=(tuple(base), tuple(cand)),
    )


def _side(direction: str | None, difference: float) -> str:
    if direction is None:
        return "higher" if difference > 0 else "lower"
    better = difference > 0 if direction == HIGHER else difference < 0
    return "better" if better else "worse"


def verdict(m: MetricComparison, p_holm: float | None, alpha: float) -> str:
    """The one-line verdict of ``m`` given its primary test's Holm p-value."""
    undeclared = "; direction not declared" if m.direction is None else ""
    if m.small_sample:
        return f"inconclusive: fewer than {m.min_runs} runs per side"
    if m.constant:
        if abs(m.difference) <= tolerance(*m.values):
            if m.paired:
                return "identical: every seed gives the same value on both sides"
            return "identical: every run of both groups gives the same value"
        agree = "by the same amount on every seed" if m.paired else "and every run agrees"
        side = _side(m.direction, m.difference)
        return f"candidate {side} {agree} (no variance){undeclared}"
    if p_holm is None:
        return "inconclusive: the test is undefined for these values"
    if p_holm >= alpha:
        return "no significant difference"
    return f"candidate {_side(m.direction, m.difference)}" + (
        " (direction not declared)" if m.direction is None else ""
    )


def spread(base: Sequence[float], cand: Sequence[float], paired: bool) -> float:
    """The run-to-run standard deviation a test of the difference sees: of the
    differences when paired, else pooled."""
    if paired:
        return float(mean_var([c - b for b, c in zip(base, cand, strict=True)])[1] ** 0.5)
    (_, vb), (_, vc) = mean_var(base), mean_var(cand)
    pooled = ((len(base) - 1) * vb + (len(cand) - 1) * vc) / max(len(base) + len(cand) - 2, 1)
    return float(pooled**0.5)


def _seeds_hint(m: MetricComparison, alpha: float) -> str | None:
    base, cand = m.values
    sd = spread(base, cand, m.paired)
    return hint(m.difference, sd, paired=m.paired, alpha=alpha, have=min(len(base), len(cand)))


def with_holm(metrics: Sequence[MetricComparison], alpha: float) -> list[MetricComparison]:
    """``metrics`` with each test's p-values Holm-adjusted across them, and
    their verdicts."""
    adjusted: list[dict[str, float]] = [{} for _ in metrics]
    for test in HOLM_FAMILIES:
        family = [
            (i, p)
            for i, m in enumerate(metrics)
            if test in m.tests and (p := m.tests[test].p_value) is not None
        ]
        values = stats.holm([p for _, p in family])
        for (i, _), value in zip(family, values, strict=True):
            adjusted[i][test] = value
    out = []
    for m, holm in zip(metrics, adjusted, strict=True):
        text = verdict(m, holm.get(m.primary), alpha)
        advice = _seeds_hint(m, alpha) if text == "no significant difference" else None
        out.append(replace(m, holm=holm, verdict=text, seeds_hint=advice))
    return out
