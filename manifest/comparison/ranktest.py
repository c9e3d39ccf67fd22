"""Rank tests of candidate against baseline, as R's ``wilcox.test`` computes
them: Mann-Whitney U (rank-sum) and the Wilcoxon signed-rank test; exact for
fewer than 50 values without ties, else the normal approximation with
continuity (and tie) correction; plus the probability of improvement.

Values within rounding of each other are tied (:func:`.sample.snap`), so
float noise never turns a tie into an order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from . import distributions as dist
from .htest import TestResult, check_alternative, undefined
from .sample import snap, snap_zero, tolerance

EXACT_LIMIT = 50  # R: exact rank tests when n < 50 (and no ties)


def ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def tie_sizes(values: Sequence[float]) -> list[int]:
    """The size of every group of equal values (R: ``table(r)``)."""
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return list(counts.values())


def snapped(baseline: Sequence[float], candidate: Sequence[float]) -> tuple[list[float], ...]:
    """Both groups with rounding-level differences between values removed."""
    pooled = snap([*candidate, *baseline], tolerance(baseline, candidate))
    return pooled[len(candidate) :], pooled[: len(candidate)]


def _exact_p(
    statistic: float, cdf: Callable[[float], float], center: float, alternative: str
) -> float:
    below = cdf(statistic)
    above = 1.0 - cdf(statistic - 1)
    if alternative == "greater":
        return above
    if alternative == "less":
        return below
    return min(2 * (above if statistic > center else below), 1.0)


def _normal_p(z: float, sigma: float, alternative: str) -> float:
    correction = {"greater": 0.5, "less": -0.5}.get(alternative, math.copysign(0.5, z) if z else 0)
    z = (z - correction) / sigma
    if alternative == "greater":
        return dist.norm_cdf(-z)
    if alternative == "less":
        return dist.norm_cdf(z)
    return 2 * dist.norm_cdf(-abs(z))  # at most 1: P(Z <= 0) is exactly 1/2


def mann_whitney(
    baseline: Sequence[float], candidate: Sequence[float], *, alternative: str = "two-sided"
) -> TestResult:
    """Mann-Whitney U (Wilcoxon rank-sum) test; ``statistic`` is R's ``W``.

    Exact when both groups have fewer than 50 values and no value is tied,
    else the normal approximation with tie and continuity corrections, as in
    R's ``wilcox.test(candidate, baseline)``.
    """
    check_alternative(alternative)
    name, title = "mann_whitney", "Wilcoxon rank-sum (Mann-Whitney U) test"
    if not baseline or not candidate:
        return undefined(name, title, alternative, "a group has no values")
    base, cand = snapped(baseline, candidate)
    n_b, n_c = len(base), len(cand)
    pooled_ranks = ranks([*cand, *base])
    w = math.fsum(pooled_ranks[:n_c]) - n_c * (n_c + 1) / 2
    ties = tie_sizes(pooled_ranks)
    if n_b < EXACT_LIMIT and n_c < EXACT_LIMIT and len(ties) == n_b + n_c:
        p = _exact_p(w, lambda q: dist.rank_sum_cdf(q, n_c, n_b), n_c * n_b / 2, alternative)
        return TestResult(name, "Wilcoxon rank-sum exact test", w, p, alternative)
    n = n_b + n_c
    sigma = math.sqrt(
        (n_b * n_c / 12) * ((n + 1) - math.fsum(t**3 - t for t in ties) / (n * (n - 1)))
    )
    if sigma == 0:
        return undefined(name, title, alternative, "every value is the same")
    label = "Wilcoxon rank-sum test with continuity correction (normal approximation)"
    return TestResult(name, label, w, _normal_p(w - n_b * n_c / 2, sigma, alternative), alternative)


def signed_differences(
    baseline: Sequence[float], candidate: Sequence[float]
) -> tuple[list[float], int]:
    """candidate[i] - baseline[i] with rounding-level differences removed:
    the non-zero ones, and how many were zero."""
    if len(baseline) != len(candidate):
        raise ValueError("paired samples must have the same length")
    tol = tolerance(baseline, candidate)
    diffs = snap_zero([float(c) - float(b) for b, c in zip(baseline, candidate, strict=True)], tol)
    nonzero = [d for d in diffs if d != 0]
    magnitudes = snap([abs(d) for d in nonzero], tol)
    return [math.copysign(m, d) for m, d in zip(magnitudes, nonzero, strict=True)], len(
        diffs
    ) - len(nonzero)


def wilcoxon_signed_rank(
    baseline: Sequence[float], candidate: Sequence[float], *, alternative: str = "two-sided"
) -> TestResult:
    """Wilcoxon signed-rank test of candidate[i] - baseline[i]; ``statistic`` is R's ``V``.

    Zero differences are dropped (R's rule). Exact when under 50 non-zero
    differences remain with no ties and no zeros, else the normal
    approximation with continuity correction.
    """
    check_alternative(alternative)
    nonzero, zeros = signed_differences(baseline, candidate)
    if not nonzero:
        return undefined(
            "wilcoxon", "Wilcoxon signed-rank test", alternative, "every difference is zero"
        )
    n = len(nonzero)
    magnitude_ranks = ranks([abs(d) for d in nonzero])
    v = math.fsum(r for r, d in zip(magnitude_ranks, nonzero, strict=True) if d > 0)
    ties = tie_sizes(magnitude_ranks)
    note = f"{zeros} zero difference(s) dropped" if zeros else None
    if n < EXACT_LIMIT and not zeros and len(ties) == n:
        p = _exact_p(v, lambda q: dist.signed_rank_cdf(q, n), n * (n + 1) / 4, alternative)
        return TestResult("wilcoxon", "Wilcoxon signed-rank exact test", v, p, alternative)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - math.fsum(t**3 - t for t in ties) / 48)
    label = "Wilcoxon signed-rank test with continuity correction (normal approximation)"
    p = _normal_p(v - n * (n + 1) / 4, sigma, alternative)
    return TestResult("wilcoxon", label, v, p, alternative, note=note)


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
    base, cand = snapped(baseline, candidate)
    pooled_ranks = ranks([*cand, *base])
    n_c, n_b = len(cand), len(base)
    u_candidate = math.fsum(pooled_ranks[:n_c]) - n_c * (n_c + 1) / 2
    share = u_candidate / (n_b * n_c)
    return share if higher_is_better else 1.0 - share
