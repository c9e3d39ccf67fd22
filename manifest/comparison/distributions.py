"""The distributions the statistics need, from :mod:`scipy.special`.

``scipy.stats`` is not imported: on its own it costs about 0.85 s of CPU at
start-up, close to half the 2 s budget of ``compare`` over 2 x 1,000
manifests (``benchmarks/bench_compare.py``), while ``scipy.special`` holds
every function needed here (Student's t, the normal and the noncentral t)
and has had them since long before the project's scipy floor. The exact null
distributions of the rank statistics (R's ``pwilcox`` and ``psignrank``) are
counted here from their generating functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any


def _special() -> Any:
    from scipy import special

    return special


def t_cdf(x: float, df: float) -> float:
    """P(T <= x) for Student's t with ``df`` degrees of freedom (R: ``pt``)."""
    return float(_special().stdtr(df, x))


def t_sf(x: float, df: float) -> float:
    """P(T > x) (R: ``pt(x, df, lower.tail = FALSE)``)."""
    return float(_special().stdtr(df, -x))


def t_ppf(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t (R: ``qt``)."""
    return float(_special().stdtrit(df, p))


def norm_cdf(x: float) -> float:
    return float(_special().ndtr(x))


def norm_ppf(p: float) -> float:
    return float(_special().ndtri(p))


def nct_cdf(x: float, df: float, ncp: float) -> float:
    """P(T <= x) for the noncentral t (R: ``pt(x, df, ncp)``)."""
    return float(_special().nctdtr(df, ncp, x))


@lru_cache(maxsize=64)
def _rank_sum_counts(m: int, n: int) -> tuple[float, ...]:
    """How many arrangements give each Mann-Whitney U = 0..m*n: the
    coefficients of the Gaussian binomial prod_i (1 - z^(n+i)) / (1 - z^i)."""
    import numpy as np

    counts = np.zeros(m * n + 1)
    counts[0] = 1.0
    for i in range(1, m + 1):
        size = -(-len(counts) // i) * i  # divide by (1 - z^i): running sums with stride i
        padded = np.zeros(size)
        padded[: len(counts)] = counts
        counts = np.cumsum(padded.reshape(-1, i), axis=0).reshape(-1)[: len(counts)]
        shift = n + i  # multiply by (1 - z^(n+i))
        counts[shift:] = counts[shift:] - counts[:-shift].copy()
    return tuple(float(c) for c in counts)


def rank_sum_cdf(u: float, m: int, n: int) -> float:
    """P(U <= u) under H0 for samples of ``m`` and ``n`` values (R: ``pwilcox``)."""
    if u < 0:
        return 0.0
    counts = _rank_sum_counts(min(m, n), max(m, n))  # beyond 2**53 not exact: cap at 1
    return min(math.fsum(counts[: math.floor(u) + 1]) / math.comb(m + n, m), 1.0)


def _quantile(probabilities: list[float], p: float) -> int:
    """R's search in ``qwilcox``/``qsignrank``: the smallest q with
    P(X <= q) >= p, with R's fuzz of 10 epsilons, counted from the upper end
    for p > 0.5."""
    eps = 2.220446049250313e-16
    running = 0.0
    if p <= 0.5:
        for q, prob in enumerate(probabilities):
            running += prob
            if running >= p - 10 * eps:
                return q
        return len(probabilities) - 1
    for q, prob in enumerate(probabilities):
        running += prob
        if running > 1 - p + 10 * eps:
            return len(probabilities) - 1 - q
    return 0


def rank_sum_quantile(p: float, m: int, n: int) -> int:
    """The smallest u with P(U <= u) >= p (R: ``qwilcox``)."""
    total = math.comb(m + n, m)
    return _quantile([c / total for c in _rank_sum_counts(min(m, n), max(m, n))], p)


@lru_cache(maxsize=64)
def _signed_rank_counts(n: int) -> tuple[float, ...]:
    """How many sign patterns give each signed-rank V = 0..n(n+1)/2:
    the coefficients of prod_i (1 + z^i)."""
    import numpy as np

    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for i in range(1, n + 1):
        counts[i:] = counts[i:] + counts[:-i].copy()
    return tuple(float(c) for c in counts)


def signed_rank_cdf(v: float, n: int) -> float:
    """P(V <= v) under H0 for ``n`` non-zero differences (R: ``psignrank``)."""
    if v < 0:
        return 0.0
    counts = _signed_rank_counts(n)
    return min(math.fsum(counts[: math.floor(v) + 1]) / 2.0**n, 1.0)


def signed_rank_quantile(p: float, n: int) -> int:
    """The smallest v with P(V <= v) >= p (R: ``qsignrank``)."""
    return _quantile([c / 2.0**n for c in _signed_rank_counts(n)], p)


def bisect(f: Callable[[float], float], low: float, high: float, *, iterations: int = 200) -> float:
    """A root of ``f`` between ``low`` and ``high`` where ``f`` changes sign,
    to the last bit a float can tell (bisection: slow but sure)."""
    f_low = f(low)
    for _ in range(iterations):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        f_middle = f(middle)
        if (f_middle < 0) == (f_low < 0):
            low, f_low = middle, f_middle
        else:
            high = middle
    return (low + high) / 2
