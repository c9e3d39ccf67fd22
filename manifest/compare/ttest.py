"""t-tests of candidate against baseline, as R's ``t.test`` computes them:
Welch (``var.equal = FALSE``), Student (pooled variance) and paired, with a
null difference ``mu`` and one- or two-sided alternatives."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .htest import TestResult, check_alternative, finite, mean, undefined


def _result(
    test: str, method: str, result: Any, estimate: float, confidence: float, alternative: str
) -> TestResult:
    statistic, p_value = finite(result.statistic), finite(result.pvalue)
    if statistic is None or p_value is None:
        return undefined(
            test, method, alternative, "the values have no variance", estimate=estimate
        )
    ci = result.confidence_interval(confidence)
    return TestResult(
        test,
        method,
        statistic,
        p_value,
        alternative,
        df=float(result.df),
        estimate=estimate,
        interval=(finite(ci.low), finite(ci.high)),
        confidence=confidence,
    )


def _shifted(out: TestResult, shift: float) -> TestResult:
    """``out`` with its interval moved back by the null difference tested."""
    if out.interval is None or not shift:
        return out
    low, high = out.interval
    return replace(
        out, interval=(None if low is None else low + shift, None if high is None else high + shift)
    )


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
    check_alternative(alternative)
    test, method = (
        ("student_t", "Student two-sample t-test (pooled variance)")
        if equal_var
        else ("welch_t", "Welch two-sample t-test")
    )
    estimate = mean(candidate) - mean(baseline)
    if len(baseline) < 2 or len(candidate) < 2:
        why = "each group needs at least 2 values"
        return undefined(test, method, alternative, why, estimate=estimate)
    from scipy import stats

    shifted = [float(v) - null_difference for v in candidate]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # zero variance: reported as a note
        result = stats.ttest_ind(
            shifted, [float(v) for v in baseline], equal_var=equal_var, alternative=alternative
        )
        out = _result(test, method, result, estimate, confidence, alternative)
    return _shifted(out, null_difference)


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
    check_alternative(alternative)
    if len(baseline) != len(candidate):
        raise ValueError("paired samples must have the same length")
    test, method = "paired_t", "Paired t-test"
    diffs = [float(c) - float(b) for b, c in zip(baseline, candidate, strict=True)]
    estimate = mean(diffs) if diffs else 0.0
    if len(diffs) < 2:
        return undefined(test, method, alternative, "needs at least 2 pairs", estimate=estimate)
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.ttest_1samp(
            [d - null_difference for d in diffs], 0.0, alternative=alternative
        )
        out = _result(test, method, result, estimate, confidence, alternative)
    return _shifted(out, null_difference)
