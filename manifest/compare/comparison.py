"""Two groups of runs -> a statistical comparison, metric by metric.

For each metric: a summary per group; the difference of means (candidate
minus baseline) with Welch's confidence interval and a seeded bootstrap
interval; Welch's and Student's t-tests and the Mann-Whitney U test; for runs
paired by seed, the paired t-test and the Wilcoxon signed-rank test; the
probability of improvement; and Holm's correction of each test's p-values
across the metrics compared. See :mod:`manifest.compare.stats` for the exact rules.

Whether higher or lower is better comes from ``directions`` (flags or a
policy); otherwise a name containing ``loss``, ``latency``, ``error``,
``cost``, ``time`` or ``memory`` is lower-is-better and any other is
higher-is-better.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import UsageError
from . import stats
from .groups import Group, paired_values, pairing

HIGHER, LOWER = "higher", "lower"
LOWER_IS_BETTER_WORDS = ("loss", "latency", "error", "cost", "time", "memory")
SMALL_SAMPLE = 5


def default_direction(metric: str) -> tuple[str, str]:
    """``lower`` for names containing a cost-like word, else ``higher``; and why."""
    name = metric.lower()
    for word in LOWER_IS_BETTER_WORDS:
        if word in name:
            return LOWER, f"default: the name contains {word!r}"
    return HIGHER, "default"


@dataclass(frozen=True)
class MetricComparison:
    """Everything compare says about one metric."""

    metric: str
    direction: str
    direction_source: str
    baseline: stats.Summary
    candidate: stats.Summary
    difference: float
    paired: bool
    tests: dict[str, stats.TestResult]
    holm: dict[str, float]
    bootstrap: stats.BootstrapInterval | None
    probability_of_improvement: float
    small_sample: bool
    verdict: str
    warnings: tuple[str, ...]

    @property
    def primary(self) -> str:
        """The test whose Holm-adjusted p-value decides the verdict."""
        return "paired_t" if self.paired else "welch_t"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["tests"] = {k: asdict(v) for k, v in self.tests.items()}
        out["primary_test"] = self.primary
        out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class Comparison:
    """The comparison of a candidate group of runs against a baseline group."""

    baseline: Group
    candidate: Group
    confidence: float
    seed: int
    resamples: int
    paired: bool
    pairing_note: str
    metrics: tuple[MetricComparison, ...]
    warnings: tuple[str, ...]

    def metric(self, name: str) -> MetricComparison | None:
        return next((m for m in self.metrics if m.metric == name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "command": "compare",
            "difference": "candidate - baseline",
            "confidence": self.confidence,
            "bootstrap": {"seed": self.seed, "resamples": self.resamples},
            "paired": self.paired,
            "pairing": self.pairing_note,
            "baseline": self.baseline.as_json(),
            "candidate": self.candidate.as_json(),
            "metrics": [m.as_json() for m in self.metrics],
            "warnings": list(self.warnings),
        }


def _verdict(
    direction: str, difference: float, p_holm: float | None, alpha: float, small: bool
) -> str:
    if small:
        return "inconclusive: fewer than 5 runs in a group"
    if p_holm is None:
        return "inconclusive: the test is undefined for these values"
    if p_holm >= alpha:
        return "no significant difference"
    better = difference > 0 if direction == HIGHER else difference < 0
    return "candidate better" if better else "candidate worse"


def _constant_verdict(direction: str, difference: float) -> str:
    if difference == 0:
        return "identical: every run of both groups gives the same value"
    better = difference > 0 if direction == HIGHER else difference < 0
    return f"candidate {'better' if better else 'worse'}: every run agrees (no variance)"


def _metric(
    name: str,
    direction: str,
    source: str,
    baseline: Group,
    candidate: Group,
    confidence: float,
    seed: int,
    resamples: int,
) -> MetricComparison:
    base_runs = [r for r in baseline.runs if name in r.metrics]
    cand_runs = [r for r in candidate.runs if name in r.metrics]
    paired, _ = pairing(base_runs, cand_runs)
    if paired:
        base, cand = paired_values(base_runs, cand_runs, name)
    else:
        base, cand = baseline.values(name), candidate.values(name)
    notes: list[str] = []
    for group, runs in ((baseline, base_runs), (candidate, cand_runs)):
        missing = len(group.runs) - len(runs)
        if missing:
            notes.append(f"{missing} {group.label} run(s) have no metric {name!r}")
    small = min(len(base), len(cand)) < SMALL_SAMPLE
    if small:
        notes.append(
            f"n = {len(base)} baseline, {len(cand)} candidate: fewer than {SMALL_SAMPLE} runs "
            "in a group, so p-values and intervals are not reliable; run more seeds"
        )
    tests = {
        "welch_t": stats.two_sample_t(base, cand, confidence=confidence),
        "student_t": stats.two_sample_t(base, cand, equal_var=True, confidence=confidence),
        "mann_whitney": stats.mann_whitney(base, cand),
    }
    if paired:
        tests["paired_t"] = stats.paired_t(base, cand, confidence=confidence)
        tests["wilcoxon"] = stats.wilcoxon_signed_rank(base, cand)
    notes.extend(f"{k}: {t.note}" for k, t in tests.items() if t.note)
    return MetricComparison(
        metric=name,
        direction=direction,
        direction_source=source,
        baseline=stats.summarize(base),
        candidate=stats.summarize(cand),
        difference=stats.summarize(cand).mean - stats.summarize(base).mean,
        paired=paired,
        tests=tests,
        holm={},
        bootstrap=stats.bootstrap_interval(
            base, cand, confidence=confidence, paired=paired, seed=seed, resamples=resamples
        ),
        probability_of_improvement=stats.probability_of_improvement(
            base, cand, higher_is_better=direction == HIGHER
        ),
        small_sample=small,
        verdict="",
        warnings=tuple(notes),
    )


def _with_holm(metrics: list[MetricComparison], alpha: float) -> list[MetricComparison]:
    from dataclasses import replace

    adjusted: list[dict[str, float]] = [{} for _ in metrics]
    for test in ("welch_t", "student_t", "mann_whitney", "paired_t", "wilcoxon"):
        family = [
            (i, m.tests[test].p_value)
            for i, m in enumerate(metrics)
            if test in m.tests and m.tests[test].p_value is not None
        ]
        values = stats.holm([p for _, p in family if p is not None])
        for (i, _), value in zip(family, values, strict=True):
            adjusted[i][test] = value
    out = []
    for m, holm in zip(metrics, adjusted, strict=True):
        verdict = _verdict(m.direction, m.difference, holm.get(m.primary), alpha, m.small_sample)
        if not m.baseline.std and not m.candidate.std and holm.get(m.primary) is None:
            verdict = _constant_verdict(m.direction, m.difference)
        out.append(replace(m, holm=holm, verdict=verdict))
    return out


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


def _group_warnings(baseline: Group, candidate: Group) -> list[str]:
    warnings = [
        f"{len(group.skipped)} {group.label} manifest(s) skipped (not completed or not valid)"
        for group in (baseline, candidate)
        if group.skipped
    ]
    shared = {r.digest for r in baseline.runs} & {r.digest for r in candidate.runs}
    if shared:
        warnings.append(f"{len(shared)} run(s) are in both groups")
    return warnings


def compare(
    baseline: Group,
    candidate: Group,
    *,
    metrics: Sequence[str] = (),
    directions: Mapping[str, str] | None = None,
    direction_source: str = "flag",
    confidence: float = 0.95,
    seed: int = 0,
    resamples: int = 2000,
) -> Comparison:
    """Compare ``candidate`` with ``baseline`` on ``metrics`` (default: every
    metric that both groups report).

    Raises :class:`UsageError` for a requested metric that a group lacks or a
    confidence outside (0, 1).
    """
    if not 0 < confidence < 1:
        raise UsageError(
            "bad confidence level",
            pointer="--confidence",
            expected="a number between 0 and 1",
            found=str(confidence),
        )
    directions = dict(directions or {})
    chosen, warnings = _chosen(baseline, candidate, metrics)
    warnings += _group_warnings(baseline, candidate)
    paired, note = pairing(baseline.runs, candidate.runs)
    results = []
    for name in chosen:
        if name in directions:
            direction, source = directions[name], direction_source
        else:
            direction, source = default_direction(name)
        results.append(
            _metric(name, direction, source, baseline, candidate, confidence, seed, resamples)
        )
    return Comparison(
        baseline=baseline,
        candidate=candidate,
        confidence=confidence,
        seed=seed,
        resamples=resamples,
        paired=paired,
        pairing_note=note,
        metrics=tuple(_with_holm(results, 1 - confidence)),
        warnings=tuple(warnings),
    )
