"""Rank tests of candidate against baseline, as R's ``wilcox.test`` computes
them: Mann-Whitney U (rank-sum) and the Wilcoxon signed-rank test; exact for
fewer than 50 values without ties, else the normal approximation with
continuity (and tie) correction; plus the probability of improvement."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

from .htest import TestResult, check_alternative, finite, undefined

EXACT_LIMIT = 50  # R: exact rank tests when n < 50 (and no ties)


def _has_ties(values: Sequence[float]) -> bool:
    return len(set(values)) != len(values)


def mann_whitney(
    baseline: Sequence[float], candidate: Sequence[float], *, alternative: str = "two-sided"
) -> TestResult:
    """Mann-Whitney U (Wilcoxon rank-sum) test; ``statistic`` is R's ``W``.

    Exact when both groups have fewer than 50 values and no value is tied,
    else the normal approximation with tie and continuity corrections, as in
    R's ``wilcox.test(candidate, baseline)``.
    """
    check_alternative(alternative)
    if not baseline or not candidate:
        return undefined(
            "mann_whitney",
            "Wilcoxon rank-sum (Mann-Whitney U) test",
            alternative,
            "a group has no values",
        )
    from scipy import stats

    base = [float(v) for v in baseline]
    cand = [float(v) for v in candidate]
    exact = len(base) < EXACT_LIMIT and len(cand) < EXACT_LIMIT and not _has_ties(base + cand)
    method = "exact" if exact else "asymptotic"
    label = (
        "Wilcoxon rank-sum exact test"
        if exact
        else "Wilcoxon rank-sum test with continuity correction (normal approximation)"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.mannwhitneyu(
            cand, base, alternative=alternative, method=method, use_continuity=True
        )
    p_value = finite(result.pvalue)
    note = None if p_value is not None else "undefined: every value is the same"
    return TestResult(
        "mann_whitney", label, float(result.statistic), p_value, alternative, note=note
    )


def ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def wilcoxon_signed_rank(
    baseline: Sequence[float], candidate: Sequence[float], *, alternative: str = "two-sided"
) -> TestResult:
    """Wilcoxon signed-rank test of candidate[i] - baseline[i]; ``statistic`` is R's ``V``.

    Zero differences are dropped (R's rule). Exact when under 50 non-zero
    differences remain with no ties and no zeros, else the normal
    approximation with continuity correction.
    """
    check_alternative(alternative)
    if len(baseline) != len(candidate):
        raise ValueError("paired samples must have the same length")
    diffs = [float(c) - float(b) for b, c in zip(baseline, candidate, strict=True)]
    nonzero = [d for d in diffs if d != 0]
    zeros = len(diffs) - len(nonzero)
    if not nonzero:
        return undefined(
            "wilcoxon", "Wilcoxon signed-rank test", alternative, "every difference is zero"
        )
    from scipy import stats

    magnitudes = [abs(d) for d in nonzero]
    magnitude_ranks = ranks(magnitudes)
    v = math.fsum(r for r, d in zip(magnitude_ranks, nonzero, strict=True) if d > 0)
    exact = len(nonzero) < EXACT_LIMIT and not zeros and not _has_ties(magnitudes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns about zeros/ties we handle as R does
        result = stats.wilcoxon(
            nonzero,
            zero_method="wilcox",
            correction=not exact,
            alternative=alternative,
            method="exact" if exact else "approx",
        )
    label = (
        "Wilcoxon signed-rank exact test"
        if exact
        else "Wilcoxon signed-rank test with continuity correction (normal approximation)"
    )
    note = f"{zeros} zero difference(s) dropped" if zeros else None
    return TestResult("wilcoxon", label, v, finite(result.pvalue), alternative, note=note)


def probability_of_improvement(
    baseline: Sequence[float], candidate: Sequence[float], *, higher_is_better: bool = True
) -> float:
    """P(a candidate run beats a baseline run) over all pairs, ties counted half.

    For higher-is-better metrics this is P(C > B) + P(C = B) / 2, which equals
    the candidate's Mann-Whitney U divided by n_b * n_c; for lower-is-better
    metrics, P(C < B) + P(C = B) / 2.
    """
    if not baseline or not candidate:
        raise ValueError("both groups need values")
    pooled = [float(v) for v in candidate] + [float(v) for v in baseline]
    pooled_ranks = ranks(pooled)
    n_c, n_b = len(candidate), len(baseline)
    u_candidate = math.fsum(pooled_ranks[:n_c]) - n_c * (n_c + 1) / 2
    share = u_candidate / (n_b * n_c)
    return share if higher_is_better else 1.0 - share
