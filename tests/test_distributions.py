"""The exact null distributions of the rank statistics and their quantiles,
against brute-force enumeration; the bisection every interval solves with.

R's ``pwilcox``/``qwilcox`` and ``psignrank``/``qsignrank`` are defined by
counting: of the C(m + n, m) ways to place the candidate's ranks, how many
give each U; of the 2^n sign patterns, how many give each V. Here those
counts are enumerated directly and compared with the generating functions.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from scipy import stats as sp

from manifest.comparison import distributions as dist

PROBABILITIES = [0.01, 0.025, 0.04, 0.27, 0.5, 0.73, 0.96, 0.975, 0.99]


def rank_sum_law(m: int, n: int) -> list[Fraction]:
    """P(U = u), u = 0..mn, for m candidate and n baseline values."""
    counts = [0] * (m * n + 1)
    for chosen in itertools.combinations(range(1, m + n + 1), m):
        counts[sum(chosen) - m * (m + 1) // 2] += 1
    total = math.comb(m + n, m)
    return [Fraction(c, total) for c in counts]


def signed_rank_law(n: int) -> list[Fraction]:
    """P(V = v), v = 0..n(n+1)/2, over the 2^n sign patterns."""
    counts = [0] * (n * (n + 1) // 2 + 1)
    for signs in itertools.product((0, 1), repeat=n):
        counts[sum(rank for rank, s in zip(range(1, n + 1), signs, strict=True) if s)] += 1
    return [Fraction(c, 2**n) for c in counts]


def smallest_with_cdf_at_least(law: list[Fraction], p: float) -> int:
    running = Fraction(0)
    for q, prob in enumerate(law):
        running += prob
        if running >= Fraction(p):
            return q
    return len(law) - 1


@pytest.mark.parametrize(("m", "n"), [(1, 1), (1, 4), (2, 3), (3, 2), (4, 4), (3, 6)])
def test_rank_sum_cdf_and_quantile_count_every_arrangement(m: int, n: int) -> None:
    law = rank_sum_law(m, n)
    for u in range(-1, m * n + 2):
        expected = float(sum(law[: max(u + 1, 0)]))
        assert dist.rank_sum_cdf(u, m, n) == pytest.approx(expected, abs=1e-15)
        assert dist.rank_sum_cdf(u + 0.5, m, n) == dist.rank_sum_cdf(u, m, n)  # a step function
    for p in PROBABILITIES:
        assert dist.rank_sum_quantile(p, m, n) == smallest_with_cdf_at_least(law, p), p


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_signed_rank_cdf_and_quantile_count_every_sign_pattern(n: int) -> None:
    law = signed_rank_law(n)
    for v in range(-1, len(law) + 1):
        expected = float(sum(law[: max(v + 1, 0)]))
        assert dist.signed_rank_cdf(v, n) == pytest.approx(expected, abs=1e-15)
        assert dist.signed_rank_cdf(v + 0.5, n) == dist.signed_rank_cdf(v, n)
    for p in PROBABILITIES:
        assert dist.signed_rank_quantile(p, n) == smallest_with_cdf_at_least(law, p), p


def test_quantiles_at_the_extremes_are_the_ends_of_the_support() -> None:
    assert dist.rank_sum_quantile(0.0, 3, 4) == 0 and dist.rank_sum_quantile(1.0, 3, 4) == 12
    assert dist.signed_rank_quantile(0.0, 4) == 0 and dist.signed_rank_quantile(1.0, 4) == 10


def test_the_continuous_distributions_are_scipys() -> None:
    assert dist.t_cdf(-1.3, 7.5) == pytest.approx(sp.t.cdf(-1.3, 7.5), rel=1e-12)
    assert dist.t_sf(1.3, 7.5) == pytest.approx(sp.t.sf(1.3, 7.5), rel=1e-12)
    assert dist.t_ppf(0.9, 7.5) == pytest.approx(sp.t.ppf(0.9, 7.5), rel=1e-12)
    assert dist.norm_cdf(-0.7) == pytest.approx(sp.norm.cdf(-0.7), rel=1e-12)
    assert dist.norm_ppf(0.2) == pytest.approx(sp.norm.ppf(0.2), rel=1e-12)
    assert dist.nct_cdf(1.1, 6.0, 0.8) == pytest.approx(sp.nct.cdf(1.1, 6.0, 0.8), rel=1e-9)


def test_bisect_finds_a_root_whichever_way_the_function_goes() -> None:
    assert dist.bisect(lambda x: x * x - 2, 0.0, 2.0) == pytest.approx(math.sqrt(2), rel=1e-15)
    assert dist.bisect(lambda x: 2 - x * x, 0.0, 2.0) == pytest.approx(math.sqrt(2), rel=1e-15)
    # three halvings of [0, 1] towards 0.3: [0, .5], [.25, .5], [.25, .375]
    assert dist.bisect(lambda x: x - 0.3, 0.0, 1.0, iterations=3) == 0.3125


def test_the_rank_sum_cdf_never_exceeds_one_when_counts_pass_2_to_the_53() -> None:
    """C(63, 31) arrangements do not fit a float's 53 bits: their rounded
    counts sum to a hair over the total, and P(U <= mn) must still be 1."""
    assert dist.rank_sum_cdf(31 * 32, 31, 32) == 1.0
    assert dist.rank_sum_cdf(30 * 38 + 5, 30, 38) == 1.0
