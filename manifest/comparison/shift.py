"""The Hodges-Lehmann shift with its confidence interval, as R's
``wilcox.test(candidate, baseline, conf.int = TRUE)`` computes it.

Unpaired, the estimate is the median of the n_b x n_c differences
``c_j - b_i``; paired, the (pseudo)median of the Walsh averages of the
differences. With fewer than 50 runs per side and no ties (and, paired, no
zero difference) the interval is exact: order statistics of those
differences at R's ``qwilcox`` / ``qsignrank`` quantile (Bauer 1972).
Otherwise it is R's asymptotic interval: the shifts at which the normal
approximation of the rank statistic (tie and continuity corrected) crosses
the normal quantile, found here exactly where R's ``uniroot`` stops within
1e-4. In that case R's point estimate is a root of a flat function, so it can
differ from the median of the differences reported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from . import distributions as dist
from .effects import Estimate
from .ranktest import EXACT_LIMIT, signed_differences, snapped, tie_sizes

PAIRS_LIMIT = 4_000_000  # beyond this many differences, no estimate (memory)


def _crossing(f: Callable[[float], float], low: float, high: float) -> float:
    """R's ``root``: the shift where the decreasing step function ``f``
    crosses zero, or an end of [low, high] when it does not."""
    if f(low) <= 0:
        return low
    if f(high) >= 0:
        return high
    return dist.bisect(f, low, high)


def _rank_sum_z(base: Sequence[float], cand: Sequence[float]) -> Callable[[float, float], float]:
    """R's ``wdiff`` of the two-sample case: the corrected normal statistic of
    ``cand - d`` against ``base``, minus ``zq``."""
    import numpy as np

    x, y = np.asarray(cand, dtype=float), np.asarray(base, dtype=float)
    n_x, n_y = len(x), len(y)

    def wdiff(d: float, zq: float) -> float:
        _, inverse, counts = np.unique(
            np.concatenate([x - d, y]), return_inverse=True, return_counts=True
        )
        average = np.cumsum(counts) - (counts - 1) / 2
        dz = float(average[inverse[:n_x]].sum()) - n_x * (n_x + 1) / 2 - n_x * n_y / 2
        n = n_x + n_y
        ties = float((counts.astype(float) ** 3 - counts).sum())
        sigma = math.sqrt((n_x * n_y / 12) * ((n + 1) - ties / (n * (n - 1))))
        return (dz - math.copysign(0.5, dz) * (dz != 0)) / sigma - zq

    return wdiff


def _signed_rank_z(diffs: Sequence[float]) -> Callable[[float, float], float]:
    """R's ``wdiff`` of the one-sample (paired) case."""
    import numpy as np

    x = np.asarray(diffs, dtype=float)

    def wdiff(d: float, zq: float) -> float:
        xd = x - d
        xd = xd[xd != 0]
        n = len(xd)
        if n == 0:
            return -zq
        _, inverse, counts = np.unique(np.abs(xd), return_inverse=True, return_counts=True)
        ranks = (np.cumsum(counts) - (counts - 1) / 2)[inverse]
        zd = float(ranks[xd > 0].sum()) - n * (n + 1) / 4
        ties = float((counts.astype(float) ** 3 - counts).sum())
        sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - ties / 48)
        if sigma == 0:
            return -zq
        return (zd - math.copysign(0.5, zd) * (zd != 0)) / sigma - zq

    return wdiff


def _asymptotic(
    wdiff: Callable[[float, float], float], low: float, high: float, confidence: float
) -> tuple[float, float]:
    z = dist.norm_ppf(1 - (1 - confidence) / 2)
    return (
        _crossing(lambda d: wdiff(d, z), low, high),
        _crossing(lambda d: wdiff(d, -z), low, high),
    )


def hodges_lehmann(
    baseline: Sequence[float], candidate: Sequence[float], *, paired: bool, confidence: float
) -> Estimate:
    """The Hodges-Lehmann shift of candidate over baseline with its interval."""
    if paired:
        return _paired(baseline, candidate, confidence)
    name, method = "hodges_lehmann", "median of all differences"
    base, cand = snapped(baseline, candidate)
    n_b, n_c = len(base), len(cand)
    if n_b < 2 or n_c < 2 or n_b * n_c > PAIRS_LIMIT:
        why = "needs 2 runs per side" if n_b * n_c <= PAIRS_LIMIT else "too many pairs"
        return Estimate(name, None, None, None, confidence, method, why)
    if len(set(base)) == 1 and len(set(cand)) == 1:
        why = "no interval: every run of each side gives the same value"
        return Estimate(name, cand[0] - base[0], None, None, confidence, method, why)
    import numpy as np

    diffs = np.subtract.outer(np.asarray(cand), np.asarray(base)).ravel()
    estimate = float(np.median(diffs))  # a selection, not a sort: n_b x n_c may be large
    if n_b < EXACT_LIMIT and n_c < EXACT_LIMIT and len(tie_sizes([*base, *cand])) == n_b + n_c:
        diffs.sort()
        qu = max(dist.rank_sum_quantile((1 - confidence) / 2, n_c, n_b), 1)
        low, high = float(diffs[qu - 1]), float(diffs[n_b * n_c - qu])
        return Estimate(name, estimate, low, high, confidence, method + ", exact interval")
    ends = float(min(cand) - max(base)), float(max(cand) - min(base))
    low, high = _asymptotic(_rank_sum_z(base, cand), *ends, confidence)
    return Estimate(name, estimate, low, high, confidence, method + ", asymptotic interval")


def _paired(baseline: Sequence[float], candidate: Sequence[float], confidence: float) -> Estimate:
    name, method = "hodges_lehmann", "pseudomedian of the paired differences"
    nonzero, zeros = signed_differences(baseline, candidate)
    n = len(nonzero)
    if n < 2 or len(set(nonzero)) == 1:
        why = "fewer than 2 non-zero differences" if n < 2 else "every difference is the same"
        value = 0.0 if not n else nonzero[0]
        return Estimate(name, value, None, None, confidence, method, f"no interval: {why}")
    import numpy as np

    x = np.asarray(nonzero)
    walsh = np.add.outer(x, x)[np.triu_indices(n)] / 2
    estimate = float(np.median(walsh))
    if n < EXACT_LIMIT and not zeros and len(tie_sizes([abs(d) for d in nonzero])) == n:
        walsh.sort()
        qu = max(dist.signed_rank_quantile((1 - confidence) / 2, n), 1)
        low, high = float(walsh[qu - 1]), float(walsh[n * (n + 1) // 2 - qu])
        return Estimate(name, estimate, low, high, confidence, method + ", exact interval")
    low, high = _asymptotic(_signed_rank_z(nonzero), min(nonzero), max(nonzero), confidence)
    note = f"{zeros} zero difference(s) dropped" if zeros else None
    return Estimate(name, estimate, low, high, confidence, method + ", asymptotic interval", note)
