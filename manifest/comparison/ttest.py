"""t-tests of candidate against baseline, as R's ``t.test`` computes them:
Welch (``var.equal = FALSE``), Student (pooled variance) and paired, with a
null difference ``mu`` and one- or two-sided alternatives; and the same test
of a contrast ``mean(candidate) - k * mean(baseline)`` for relative changes.

Data whose standard error is rounding noise are *essentially constant*
(:mod:`manifest.comparison.sample`): the test is undefined, with
``constant=True``, instead of a t of 1e15.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from . import distributions as dist
from .htest import CONSTANT, TestResult, check_alternative, undefined
from .sample import negligible


@dataclass(frozen=True)
class TParts:
    """What a t statistic is made of: the estimate, its standard error, df."""

    estimate: float
    stderr: float
    df: float


def mean_var(values: Sequence[float]) -> tuple[float, float]:
    """The mean and the sample variance (two-pass, as R's ``var``)."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, 0.0
    return mean, math.fsum((v - mean) ** 2 for v in values) / (n - 1)


def welch_parts(base: Sequence[float], cand: Sequence[float], weight: float = 1.0) -> TParts:
    """mean(cand) - weight * mean(base), Welch-Satterthwaite degrees of freedom."""
    mb, vb = mean_var(base)
    mc, vc = mean_var(cand)
    sb, sc = weight**2 * vb / len(base), vc / len(cand)
    stderr = math.sqrt(sb + sc)
    denominator = sb**2 / (len(base) - 1) + sc**2 / (len(cand) - 1)
    df = (sb + sc) ** 2 / denominator if denominator > 0 else math.inf
    return TParts(mc - weight * mb, stderr, df)


def student_parts(base: Sequence[float], cand: Sequence[float]) -> TParts:
    mb, vb = mean_var(base)
    mc, vc = mean_var(cand)
    df = len(base) + len(cand) - 2
    pooled = ((len(base) - 1) * vb + (len(cand) - 1) * vc) / df
    return TParts(mc - mb, math.sqrt(pooled * (1 / len(base) + 1 / len(cand))), df)


def paired_parts(base: Sequence[float], cand: Sequence[float], weight: float = 1.0) -> TParts:
    diffs = [float(c) - weight * float(b) for b, c in zip(base, cand, strict=True)]
    mean, var = mean_var(diffs)
    return TParts(mean, math.sqrt(var / len(diffs)), len(diffs) - 1)


def t_result(
    test: str,
    method: str,
    parts: TParts,
    *,
    groups: tuple[Sequence[float], ...],
    null: float = 0.0,
    alternative: str,
    confidence: float,
) -> TestResult:
    """p-value and interval of ``parts`` as R's ``t.test`` prints them."""
    check_alternative(alternative)
    if negligible(parts.stderr, *groups):
        return undefined(
            test, method, alternative, CONSTANT, estimate=parts.estimate, constant=True
        )
    t = (parts.estimate - null) / parts.stderr
    df, se, est = parts.df, parts.stderr, parts.estimate
    if alternative == "two-sided":
        p = 2 * dist.t_cdf(-abs(t), df)  # at most 1: P(T <= 0) is exactly 1/2
        q = dist.t_ppf(1 - (1 - confidence) / 2, df)
        interval: tuple[float | None, float | None] = (est - q * se, est + q * se)
    elif alternative == "greater":
        p = dist.t_sf(t, df)
        interval = (est - dist.t_ppf(confidence, df) * se, None)
    else:
        p = dist.t_cdf(t, df)
        interval = (None, est + dist.t_ppf(confidence, df) * se)
    return TestResult(
        test, method, t, p, alternative, df=df, estimate=est, interval=interval,
        confidence=confidence,
    )  # fmt: skip


def two_sample_t(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    equal_var: bool = False,
    confidence: float = 0.95,
    alternative: str = "two-sided",
    null_difference: float = 0.0,
) -> TestResult:
    """Welch's (default) or Student's two-sample t-test of candidate - baseline.

    Matches R's ``t.test(candidate, baseline, var.equal = equal_var,
    mu = null_difference)``.
    """
    test, method = (
        ("student_t", "Student two-sample t-test (pooled variance)")
        if equal_var
        else ("welch_t", "Welch two-sample t-test")
    )
    base, cand = [float(v) for v in baseline], [float(v) for v in candidate]
    if len(base) < 2 or len(cand) < 2:
        estimate = (math.fsum(cand) / len(cand) if cand else 0.0) - (
            math.fsum(base) / len(base) if base else 0.0
        )
        why = "each group needs at least 2 values"
        return undefined(test, method, alternative, why, estimate=estimate)
    parts = student_parts(base, cand) if equal_var else welch_parts(base, cand)
    return t_result(
        test, method, parts, groups=(base, cand), null=null_difference,
        alternative=alternative, confidence=confidence,
    )  # fmt: skip


def paired_t(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    confidence: float = 0.95,
    alternative: str = "two-sided",
    null_difference: float = 0.0,
) -> TestResult:
    """Paired t-test of the differences candidate[i] - baseline[i].

    Matches R's ``t.test(candidate, baseline, paired = TRUE, mu = null_difference)``.
    """
    if len(baseline) != len(candidate):
        raise ValueError("paired samples must have the same length")
    base, cand = [float(v) for v in baseline], [float(v) for v in candidate]
    if len(base) < 2:
        estimate = cand[0] - base[0] if base else 0.0
        return undefined(
            "paired_t", "Paired t-test", alternative, "needs at least 2 pairs", estimate=estimate
        )
    return t_result(
        "paired_t", "Paired t-test", paired_parts(base, cand), groups=(base, cand),
        null=null_difference, alternative=alternative, confidence=confidence,
    )  # fmt: skip


def contrast_t(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    weight: float,
    paired: bool,
    alternative: str,
    confidence: float = 0.95,
) -> TestResult:
    """The t-test of H0 ``mean(candidate) - weight * mean(baseline) = 0``:
    paired on ``c[i] - weight * b[i]``, else Welch with Satterthwaite's df.
    With ``weight = 1`` it is the paired or Welch test of the difference."""
    base, cand = [float(v) for v in baseline], [float(v) for v in candidate]
    test, method = (
        ("paired_t", f"Paired t-test of candidate - {weight:g} x baseline")
        if paired
        else ("welch_t", f"Welch t-test of candidate - {weight:g} x baseline")
    )
    if min(len(base), len(cand)) < 2:
        return undefined(test, method, alternative, "each group needs at least 2 values")
    parts = paired_parts(base, cand, weight) if paired else welch_parts(base, cand, weight)
    return t_result(
        test, method, parts, groups=(base, cand), alternative=alternative, confidence=confidence
    )
