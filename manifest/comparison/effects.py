"""Effect sizes with confidence intervals: how large a difference is, not
only whether it is there.

- **Hedges' g** (candidate minus baseline over the pooled standard deviation,
  times Hedges' exact small-sample correction J), with the interval of the
  noncentral t inverted at the observed t, as R's ``effectsize::hedges_g``
  computes it (Steiger and Fouladi 1997). For paired runs it is g_z, the mean
  difference over the standard deviation of the differences (``paired = TRUE``).
- **Cliff's delta**, P(C > B) - P(C < B), with the asymmetric interval of
  Cliff (1996) and Feng and Cliff (2004): the unbiased variance estimate
  (Cliff's consistent one where that is not positive) and Student's t with
  n_b + n_c - 2 df, as R's ``effsize::cliff.delta(c, b)`` by default. Every
  pair of runs counts, also for paired runs.
- **P(improvement)**, P(C better than B) with ties counted half, which is
  (1 + delta) / 2 in the metric's direction, with the interval mapped the same way.
"""

from __future__ import annotations

import bisect as _bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from . import distributions as dist
from .ranktest import snapped
from .sample import negligible
from .ttest import mean_var


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval (None where undefined)."""

    name: str
    value: float | None
    low: float | None
    high: float | None
    confidence: float
    method: str
    note: str | None = None


def _hedges_j(df: float) -> float:
    """Hedges' exact bias correction Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))."""
    return math.exp(math.lgamma(df / 2) - math.log(math.sqrt(df / 2)) - math.lgamma((df - 1) / 2))


def _ncp_interval(t: float, df: float, confidence: float) -> tuple[float, float]:
    """The noncentrality parameters at which the observed ``t`` is the upper
    and the lower alpha/2 quantile of the noncentral t."""
    alpha = 1 - confidence

    def end(target: float) -> float:
        low, high = t - 1.0, t + 1.0
        while dist.nct_cdf(t, df, low) < target:
            low -= 2 * (high - low)
        while dist.nct_cdf(t, df, high) > target:
            high += 2 * (high - low)
        return dist.bisect(lambda ncp: dist.nct_cdf(t, df, ncp) - target, low, high)

    return end(1 - alpha / 2), end(alpha / 2)


def hedges_g(
    baseline: Sequence[float], candidate: Sequence[float], *, paired: bool, confidence: float
) -> Estimate:
    """Hedges' g (g_z when ``paired``) with its noncentral-t interval."""
    name = "hedges_g"
    method = (
        "paired: mean difference over the sd of the differences, noncentral t interval"
        if paired
        else "pooled sd, noncentral t interval"
    )
    if paired:
        diffs = [float(c) - float(b) for b, c in zip(baseline, candidate, strict=True)]
        n = len(diffs)
        df, (mean, var) = n - 1, mean_var(diffs)
        spread, factor = math.sqrt(var), math.sqrt(1 / n)
    else:
        n_b, n_c = len(baseline), len(candidate)
        df = n_b + n_c - 2
        (mb, vb), (mc, vc) = mean_var(baseline), mean_var(candidate)
        mean = mc - mb
        spread = math.sqrt(((n_b - 1) * vb + (n_c - 1) * vc) / df) if df > 0 else 0.0
        factor = math.sqrt(1 / n_b + 1 / n_c)
    if df < 2:
        return Estimate(name, None, None, None, confidence, method, "needs more runs")
    if negligible(spread, baseline, candidate):
        why = "the runs do not vary, so a standardized difference is undefined"
        return Estimate(name, None, None, None, confidence, method, why)
    j, d = _hedges_j(df), mean / spread
    low, high = _ncp_interval(d / factor, df, confidence)
    return Estimate(name, j * d, j * low * factor, j * high * factor, confidence, method)


def _dominance(base: list[float], cand: list[float]) -> tuple[list[float], list[float], float]:
    """Row means over baseline of sign(c_i - b_j), column means over the
    candidate, and delta, by binary search (no n_b x n_c matrix)."""
    b_sorted, c_sorted = sorted(base), sorted(cand)
    rows = [
        (_bisect.bisect_left(b_sorted, c) - (len(b_sorted) - _bisect.bisect_right(b_sorted, c)))
        / len(b_sorted)
        for c in cand
    ]
    cols = [
        ((len(c_sorted) - _bisect.bisect_right(c_sorted, b)) - _bisect.bisect_left(c_sorted, b))
        / len(c_sorted)
        for b in base
    ]
    return rows, cols, math.fsum(rows) / len(rows)


def cliffs_delta(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    confidence: float,
    normal: bool = False,
) -> Estimate:
    """Cliff's delta of candidate over baseline with the Feng-Cliff interval
    (``normal=True``: normal instead of Student quantiles)."""
    name, method = "cliffs_delta", "Feng-Cliff interval"
    base, cand = snapped(baseline, candidate)
    n1, n2 = len(cand), len(base)
    if n1 < 2 or n2 < 2:
        return Estimate(name, None, None, None, confidence, method, "needs 2 runs per side")
    rows, cols, d = _dominance(base, cand)
    d_ = d * (n1 * n2 - 1) / (n1 * n2) if abs(d) == 1 else d
    ordered = sorted(base)  # how many cells of the dominance matrix are +1, -1 and 0
    plus = sum(_bisect.bisect_left(ordered, c) for c in cand)
    minus = sum(n2 - _bisect.bisect_right(ordered, c) for c in cand)
    ties = n1 * n2 - plus - minus
    ssr = plus * (1 - d_) ** 2 + ties * d_**2 + minus * (1 + d_) ** 2
    rows_ss = math.fsum((r - d_) ** 2 for r in rows)
    cols_ss = math.fsum((c - d_) ** 2 for c in cols)
    s_d = (n2**2 * rows_ss + n1**2 * cols_ss - ssr) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    if s_d <= 0:  # the unbiased estimate can go negative: Cliff's consistent one cannot
        s_d = ((n2 - 1) * rows_ss / (n1 - 1) + (n1 - 1) * cols_ss / (n2 - 1)) / (n1 * n2)
        s_d += ssr / ((n1 - 1) * (n2 - 1)) / (n1 * n2)
    alpha = 1 - confidence
    z = dist.norm_ppf(1 - alpha / 2) if normal else dist.t_ppf(1 - alpha / 2, n1 + n2 - 2)
    root = z * math.sqrt(s_d) * math.sqrt((1 - d_**2) ** 2 + z**2 * s_d)
    denominator = 1 - d_**2 + z**2 * s_d
    low, high = (d_ - d_**3 - root) / denominator, (d_ - d_**3 + root) / denominator
    if d == 1:
        high = 1.0
    if d == -1:
        low = -1.0
    return Estimate(name, d, low, high, confidence, method)


def probability_of_improvement(delta: Estimate, direction: str | None) -> Estimate:
    """P(candidate better) = (1 + delta) / 2 (lower is better: (1 - delta) / 2),
    ties counted half; P(candidate higher) when no direction is declared."""
    name = "probability_of_improvement"
    method = "from Cliff's delta; ties count half"
    if delta.value is None or delta.low is None or delta.high is None:
        return Estimate(name, None, None, None, delta.confidence, method, delta.note)
    if direction == "lower":
        return Estimate(
            name, (1 - delta.value) / 2, (1 - delta.high) / 2, (1 - delta.low) / 2,
            delta.confidence, method,
        )  # fmt: skip
    return Estimate(
        name, (1 + delta.value) / 2, (1 + delta.low) / 2, (1 + delta.high) / 2,
        delta.confidence, method,
    )  # fmt: skip
