"""Effect sizes, shifts, sample sizes, the bootstrap and the distributions
behind them, against their references.

References (R 4.2.2 with effectsize 0.8.3, as printed with ``options(digits = 12)``):
- ``effectsize::hedges_g(x, y)`` on R's sleep data (x = group 1, y = group 2):
  g = -0.796935239191, 95% CI [-1.66517166633, 0.0914077686653]; paired:
  -1.17392490351, [-1.93560218677, -0.378917809795]. effectsize finds the
  noncentral-t interval with ``optim``, good to about 1e-3; here it is solved
  exactly, so its ends are also checked against the defining equation.
- ``wilcox.test(x, y, conf.int = TRUE)`` (Bauer 1972): Hollander & Wolfe p. 69
  data, exact: 0.305, [-0.15, 0.76]; paired (p. 29): 0.46, [0.010, 0.786];
  sleep data (ties, normal approximation): [-3.59994709104, 0.0999535598809],
  paired [-2.94992079954, -1.05001799066] (R's ``uniroot`` stops within 1e-4);
  x = 3.7 i (i = 1..60), y = 5.3 i + 0.3 (i = 1..55): W = 1244.5,
  p = 0.0233554802182, [-66.80004083533, -4.89990755956]; paired on the first
  55: V = 0, p = 1.13865641333e-10, [-52.3000366008, -37.8999633992], -45.1.
- ``effsize::cliff.delta(treatment, control)``, the package's own example:
  delta = -0.25, 95% CI [-0.7265846, 0.3890062] (its default: unbiased
  variance, Student t with n1 + n2 - 2 df; Feng and Cliff 2004).
- ``power.t.test(n = 20, delta = 1)$power`` = 0.868952801692;
  ``power.t.test(power = .90, delta = 1)$n`` = 22.0210977039;
  ``power.t.test(power = .80, delta = 1, type = "paired")$n`` = 9.93786390032
  (R solves with ``uniroot``, tol about 1e-5).
- ``scipy.stats.bootstrap(..., method="BCa", batch=1000)`` on the same sorted
  data and generator gives the same interval (on data without ties: see
  :mod:`manifest.comparison.bootstrap`).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from test_stats import HW_EARLY, HW_TERM, HW_VISIT_1, HW_VISIT_2, SLEEP_1, SLEEP_2

from manifest.comparison import distributions as dist
from manifest.comparison.bootstrap import bootstrap_interval, bootstrap_intervals
from manifest.comparison.effects import (
    Estimate,
    cliffs_delta,
    hedges_g,
    probability_of_improvement,
)
from manifest.comparison.power import power, seeds_needed
from manifest.comparison.ranktest import mann_whitney, wilcoxon_signed_rank
from manifest.comparison.shift import hodges_lehmann
from manifest.comparison.stats import paired_t, two_sample_t

X60 = [i * 37 / 10 for i in range(1, 61)]
Y55 = [i * 53 / 10 + 0.3 for i in range(1, 56)]


def test_hedges_g_matches_effectsize() -> None:
    g = hedges_g(SLEEP_2, SLEEP_1, paired=False, confidence=0.95)
    assert g.value == pytest.approx(-0.796935239191, abs=1e-11)
    assert (g.low, g.high) == pytest.approx((-1.66517166633, 0.0914077686653), abs=1e-6)
    gz = hedges_g(SLEEP_2, SLEEP_1, paired=True, confidence=0.95)
    assert gz.value == pytest.approx(-1.17392490351, abs=1e-11)
    assert (gz.low, gz.high) == pytest.approx((-1.93560218677, -0.378917809795), abs=1e-6)


def test_hedges_g_interval_solves_the_noncentral_t_exactly() -> None:
    g = hedges_g(Y55, X60[:55], paired=True, confidence=0.95)
    diffs = [x - y for x, y in zip(X60[:55], Y55, strict=True)]
    n = len(diffs)
    t = float(np.mean(diffs) / (np.std(diffs, ddof=1) / math.sqrt(n)))
    j = math.exp(
        math.lgamma((n - 1) / 2) - math.log(math.sqrt((n - 1) / 2)) - math.lgamma(n / 2 - 1)
    )
    assert g.low is not None and g.high is not None
    for end, quantile in ((g.low, 0.975), (g.high, 0.025)):
        assert sps.nct.cdf(t, n - 1, end / j * math.sqrt(n)) == pytest.approx(quantile, abs=1e-12)
    # effectsize's optim lands within 1e-3: -2.14916197392, -1.31477836575
    assert (g.low, g.high) == pytest.approx((-2.14916197392, -1.31477836575), abs=1e-3)


def test_hedges_g_is_undefined_without_variance() -> None:
    g = hedges_g([0.9] * 6, [0.95] * 6, paired=False, confidence=0.95)
    assert g.value is None and g.note is not None and "do not vary" in g.note


@pytest.mark.parametrize(
    ("base", "cand", "paired", "estimate", "interval", "tol"),
    [
        pytest.param(HW_EARLY, HW_TERM, False, 0.305, (-0.15, 0.76), 1e-12, id="exact"),
        pytest.param(HW_VISIT_2, HW_VISIT_1, True, 0.46, (0.010, 0.786), 1e-12, id="exact-paired"),
        pytest.param(
            SLEEP_2, SLEEP_1, False, None, (-3.59994709104, 0.0999535598809), 1e-4, id="ties"
        ),
        pytest.param(
            SLEEP_2, SLEEP_1, True, -1.40003067219, (-2.94992079954, -1.05001799066), 1e-4,
            id="ties-paired",
        ),
        pytest.param(Y55, X60, False, None, (-66.80004083533, -4.89990755956), 1e-4, id="n60"),
        pytest.param(
            Y55, X60[:55], True, -45.1, (-52.3000366008, -37.8999633992), 1e-4, id="n55-paired"
        ),
    ],
)  # fmt: skip
def test_hodges_lehmann_matches_r_wilcox_test(
    base: list[float],
    cand: list[float],
    paired: bool,
    estimate: float | None,
    interval: tuple[float, float],
    tol: float,
) -> None:
    hl = hodges_lehmann(base, cand, paired=paired, confidence=0.95)
    assert (hl.low, hl.high) == pytest.approx(interval, abs=tol)
    if estimate is not None:
        assert hl.value == pytest.approx(estimate, abs=tol)
    else:  # R's asymptotic estimate is a root of a flat function: ours is the median
        diffs = np.subtract.outer(np.asarray(cand), np.asarray(base))
        assert hl.value == pytest.approx(float(np.median(diffs)))


def test_rank_tests_match_r_beyond_50_runs() -> None:
    mw = mann_whitney(Y55, X60)
    assert mw.statistic == 1244.5 and mw.p_value == pytest.approx(0.0233554802182, rel=1e-10)
    w = wilcoxon_signed_rank(Y55, X60[:55])
    assert w.statistic == 0 and w.p_value == pytest.approx(1.13865641333e-10, rel=1e-10)


def test_cliffs_delta_matches_effsize_and_maps_to_p_improvement() -> None:
    treatment = [10, 10, 20, 20, 20, 30, 30, 30, 40, 50]
    control = [10, 20, 30, 40, 40, 50]
    delta = cliffs_delta(control, treatment, confidence=0.95)
    assert delta.value == -0.25
    assert (delta.low, delta.high) == pytest.approx((-0.7265846, 0.3890062), abs=5e-8)
    better = probability_of_improvement(delta, "higher")
    assert (better.value, better.low, better.high) == pytest.approx(
        (0.375, (1 - 0.7265846) / 2, (1 + 0.3890062) / 2), abs=5e-8
    )
    lower = probability_of_improvement(delta, "lower")
    assert (lower.value, lower.low, lower.high) == pytest.approx(
        (0.625, (1 - 0.3890062) / 2, (1 + 0.7265846) / 2), abs=5e-8
    )


def test_cliffs_delta_of_disjoint_samples_reaches_one() -> None:
    delta = cliffs_delta([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], confidence=0.95)
    assert delta.value == 1.0 and delta.high == 1.0 and delta.low is not None and delta.low < 1
    normal = cliffs_delta(
        [10, 20, 30, 40, 40, 50], [10, 10, 20, 20, 20, 30, 30, 30, 40, 50],
        confidence=0.95, normal=True,
    )  # fmt: skip
    assert normal.low is not None and normal.low > -0.7265846  # normal tails are thinner


def test_power_and_seeds_needed_match_power_t_test() -> None:
    assert power(20, 1, 1, paired=False, alpha=0.05, sides=2) == pytest.approx(
        0.868952801692, abs=1e-10
    )
    assert seeds_needed(1, 1, target=0.9) == pytest.approx(22.0210977039, abs=1e-4)
    assert seeds_needed(1, 1, paired=True) == pytest.approx(9.93786390032, abs=1e-4)
    assert seeds_needed(0.0, 1) is None and seeds_needed(1, 0.0) is None


def test_bootstrap_is_scipys_bca_on_sorted_data() -> None:
    def difference(b: np.ndarray, c: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(c, axis=axis) - np.mean(b, axis=axis)

    # continuous data: no resample mean can tie with the observed one, where
    # scipy's exact float comparison and our rounding-aware one would differ
    data = np.random.default_rng(11)
    base, cand = list(data.gamma(2.0, 1.0, 9)), list(data.gamma(3.0, 1.0, 12))
    ours = bootstrap_interval(base, cand, seed=3, resamples=5000)
    kwargs = {"n_resamples": 5000, "batch": 1000, "method": "BCa", "vectorized": True}
    generator = np.random.default_rng(3)
    sides = (np.sort(base), np.sort(cand))
    try:
        ref = sps.bootstrap(sides, difference, rng=generator, **kwargs)
    except TypeError:  # scipy < 1.15 names it random_state
        ref = sps.bootstrap(sides, difference, random_state=generator, **kwargs)
    assert ours is not None
    assert (ours.low, ours.high) == pytest.approx(
        (ref.confidence_interval.low, ref.confidence_interval.high), abs=1e-12
    )
    assert ours.monte_carlo_se > 0 and "BCa" in ours.method


def test_bootstrap_ignores_order_and_other_metrics() -> None:
    alone = bootstrap_interval(SLEEP_2, SLEEP_1, paired=True)
    shuffled = bootstrap_interval(SLEEP_2[::-1], SLEEP_1[::-1], paired=True)
    together = bootstrap_intervals(
        [SLEEP_1, SLEEP_2], [SLEEP_2, SLEEP_1], paired=True
    )  # fmt: skip
    assert alone == shuffled == together[1]
    flat = bootstrap_interval([0.9] * 5, [0.95] * 5)
    assert flat is not None and (flat.low, flat.high) == pytest.approx((0.05, 0.05))
    assert flat.method == "degenerate"


@pytest.mark.parametrize("seed", range(5))
def test_distributions_agree_with_scipy_stats(seed: int) -> None:
    rng = np.random.default_rng(seed)
    b = list(np.round(rng.normal(0, 1, 12), 1))
    c = list(np.round(rng.normal(0.5, 1.5, 9), 1))
    welch = two_sample_t(b, c)
    ref = sps.ttest_ind(c, b, equal_var=False)
    assert (welch.statistic, welch.p_value) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-9)
    paired = paired_t(b[:9], c)
    ref = sps.ttest_rel(c, b[:9])
    assert (paired.statistic, paired.p_value) == pytest.approx(
        (ref.statistic, ref.pvalue), rel=1e-9
    )
    b_distinct = list(rng.normal(0, 1, 8))
    c_distinct = list(rng.normal(1, 1, 7))
    exact = mann_whitney(b_distinct, c_distinct)
    ref = sps.mannwhitneyu(c_distinct, b_distinct, method="exact")
    assert (exact.statistic, exact.p_value) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-9)
    approx = mann_whitney(b, c)  # rounded: ties, so R's and scipy's normal approximation
    ref = sps.mannwhitneyu(c, b, method="asymptotic", use_continuity=True)
    assert approx.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    signed = wilcoxon_signed_rank(b_distinct[:7], c_distinct)
    ref = sps.wilcoxon(np.subtract(c_distinct, b_distinct[:7]), method="exact")
    assert signed.p_value == pytest.approx(ref.pvalue, rel=1e-9)


@pytest.mark.parametrize(("m", "n"), [(1, 1), (3, 4), (7, 7), (12, 30), (49, 49)])
def test_exact_rank_sum_distribution_sums_to_one(m: int, n: int) -> None:
    assert dist.rank_sum_cdf(m * n, m, n) == pytest.approx(1.0, abs=1e-12)
    median = dist.rank_sum_quantile(0.5, m, n)
    assert dist.rank_sum_cdf(median, m, n) >= 0.5 > dist.rank_sum_cdf(median - 1, m, n)


def scipy_bca(
    *sides: list[float], seed: int, resamples: int, confidence: float = 0.95
) -> tuple[float, float]:
    """SciPy's BCa interval of mean(c) - mean(b) (two sides, sorted) or of the
    mean (one side: paired differences, sorted)."""

    def statistic(*groups: np.ndarray, axis: int = -1) -> np.ndarray:
        means = [np.mean(g, axis=axis) for g in groups]
        return means[-1] - means[0] if len(means) == 2 else means[0]

    kwargs = {"n_resamples": resamples, "batch": 1000, "method": "BCa", "vectorized": True}
    kwargs["confidence_level"] = confidence
    data = tuple(np.sort(side) for side in sides)
    generator = np.random.default_rng(seed)
    try:
        ref = sps.bootstrap(data, statistic, rng=generator, **kwargs)
    except TypeError:  # scipy < 1.15 names it random_state
        ref = sps.bootstrap(data, statistic, random_state=generator, **kwargs)
    return float(ref.confidence_interval.low), float(ref.confidence_interval.high)


@pytest.mark.parametrize("constant_side", ["baseline", "candidate"])
def test_bootstrap_with_one_constant_group_resamples_the_other(constant_side: str) -> None:
    """One group without spread is no reason for a zero-width interval: the
    other group's spread is resampled, as SciPy does."""
    data = np.random.default_rng(5)
    varying = list(data.gamma(3.0, 1.0, 12))
    base, cand = ([2.0] * 9, varying) if constant_side == "baseline" else (varying, [2.0] * 9)
    ours = bootstrap_interval(base, cand, seed=1, resamples=4000)
    assert ours is not None and ours.method.startswith("BCa") and ours.note is None
    assert ours.high - ours.low > 0.5
    assert (ours.low, ours.high) == pytest.approx(scipy_bca(base, cand, seed=1, resamples=4000))


def test_paired_bootstrap_resamples_the_differences() -> None:
    data = np.random.default_rng(8)
    base = list(data.normal(1.0, 1.0, 10))
    cand = [b + d for b, d in zip(base, data.gamma(2.0, 0.5, 10), strict=True)]
    diffs = [c - b for b, c in zip(base, cand, strict=True)]
    ours = bootstrap_interval(base, cand, paired=True, seed=2, resamples=3000)
    assert ours is not None and ours.method == "BCa bootstrap, 3000 resamples, seed 2, paired"
    assert ours.low < float(np.mean(diffs)) < ours.high and ours.low > 0
    assert (ours.low, ours.high) == pytest.approx(scipy_bca(diffs, seed=2, resamples=3000))
    shifted = bootstrap_interval([1.0, 2.0, 3.0, 4.0], [1.5, 2.5, 3.5, 4.5], paired=True)
    assert shifted is not None and shifted.method == "degenerate"
    assert (shifted.low, shifted.high) == pytest.approx((0.5, 0.5))
    assert shifted.note == "every resample gives the same difference: the runs do not vary"


def test_bootstrap_draws_a_last_partial_batch_as_scipy_does() -> None:
    data = np.random.default_rng(4)
    base, cand = list(data.gamma(2.0, 1.0, 8)), list(data.gamma(2.5, 1.0, 11))
    ours = bootstrap_interval(base, cand, seed=6, resamples=1500, confidence=0.9)
    assert ours is not None and (ours.resamples, ours.confidence) == (1500, 0.9)
    assert ours.method == "BCa bootstrap, 1500 resamples, seed 6"
    reference = scipy_bca(base, cand, seed=6, resamples=1500, confidence=0.9)
    assert (ours.low, ours.high) == pytest.approx(reference, abs=1e-12)


def test_the_monte_carlo_error_is_the_spread_of_neighbouring_order_statistics() -> None:
    from manifest.comparison.bootstrap import quantile_se

    resamples = np.arange(1001.0)  # the q quantile is 1000 q
    assert quantile_se(resamples, 0.5) == pytest.approx(1000 * math.sqrt(0.25 / 1001))
    assert quantile_se(resamples, 0.1) == pytest.approx(1000 * math.sqrt(0.09 / 1001))
    # near an end the neighbours stop at the smallest and largest resample
    assert quantile_se(np.arange(11.0), 0.95) == pytest.approx(
        (10 - 10 * (0.95 - 0.0657)) / 2, abs=1e-3
    )
    assert quantile_se(np.arange(11.0), 0.05) == pytest.approx(10 * (0.05 + 0.0657) / 2, abs=1e-3)


def test_an_interval_from_resamples_that_do_not_vary_has_no_monte_carlo_error() -> None:
    # two runs a side, one of them constant: few distinct resample means
    ours = bootstrap_interval([1.0, 1.0], [2.0, 4.0], seed=0, resamples=2000)
    assert ours is not None and ours.method.startswith("BCa") and ours.monte_carlo_se == 0.0


@pytest.mark.parametrize(
    ("n_b", "n_c", "n"), [(19, 30, 19), (30, 19, 19), (20, 20, None), (25, 20, None)]
)
def test_the_bootstrap_undercovers_below_20_runs_a_side(n_b: int, n_c: int, n: int | None) -> None:
    from manifest.comparison.bootstrap import undercoverage

    warning = undercoverage(n_b, n_c)
    if n is None:
        assert warning is None
    else:
        assert warning == (
            f"the bootstrap interval undercovers with n = {n} per side (fewer than 20): "
            "it is too narrow, trust the t interval"
        )


def test_bootstrap_needs_two_runs_a_side_per_metric() -> None:
    two = bootstrap_intervals([[1.0, 2.0], [1.0]], [[2.0, 4.0], [2.0, 3.0]], paired=False)
    assert two[0] is not None and two[1] is None
    degenerate = bootstrap_interval([1.0, 1.0], [3.0, 3.0], confidence=0.8)
    assert degenerate is not None and degenerate.confidence == 0.8


def scipy_power(n: float, delta: float, sd: float, paired: bool, alpha: float, sides: int) -> float:
    df = n - 1 if paired else 2 * (n - 1)
    ncp = math.sqrt(n if paired else n / 2) * abs(delta) / sd
    return float(sps.nct.sf(sps.t.ppf(1 - alpha / sides, df), df, ncp))


@pytest.mark.parametrize("paired", [False, True], ids=["unpaired", "paired"])
@pytest.mark.parametrize("sides", [1, 2])
def test_power_and_seeds_needed_agree_with_scipys_noncentral_t(paired: bool, sides: int) -> None:
    from scipy.optimize import brentq

    got = power(7.5, -0.8, 1.3, paired=paired, alpha=0.1, sides=sides)
    assert got == pytest.approx(scipy_power(7.5, -0.8, 1.3, paired, 0.1, sides), rel=1e-9)
    n = seeds_needed(0.8, 1.3, paired=paired, alpha=0.1, target=0.9, sides=sides)
    root = brentq(lambda m: scipy_power(m, 0.8, 1.3, paired, 0.1, sides) - 0.9, 2, 1e4, xtol=1e-12)
    assert n == pytest.approx(root, rel=1e-9)


def test_seeds_needed_at_the_ends_of_its_search() -> None:
    from scipy.optimize import brentq

    assert seeds_needed(50.0, 1.0) == 2.0  # two runs a side already resolve it
    # two runs a side would do unpaired (df 2), not two pairs (df 1)
    assert seeds_needed(8.0, 1.0) == 2.0
    root = brentq(lambda m: scipy_power(m, 8.0, 1.0, True, 0.05, 2) - 0.8, 2, 10, xtol=1e-12)
    assert seeds_needed(8.0, 1.0, paired=True) == pytest.approx(root, rel=1e-9)
    assert seeds_needed(1e200, 1e200) == seeds_needed(1.0, 1.0)  # only the ratio matters
    assert seeds_needed(1e-6, 1.0) is None  # not within ten million runs
    assert seeds_needed(float("inf"), 1.0) is None and seeds_needed(1.0, float("inf")) is None


def test_the_seeds_hint_says_how_many_and_at_which_spread() -> None:
    from manifest.comparison.power import hint

    n = seeds_needed(0.5, 1.0)
    assert n is not None
    assert hint(-0.5, 1.0, paired=False, alpha=0.05) == (
        f"about {math.ceil(n)} seeds per side to resolve a difference of 0.5 at this "
        "spread (sd 1; 80% power, two-sided 5%)"
    )
    pairs = seeds_needed(0.5, 1.0, paired=True, alpha=0.1, sides=1)
    assert pairs is not None and math.ceil(pairs) != math.ceil(n)
    assert hint(0.5, 1.0, paired=True, alpha=0.1, sides=1) == (
        f"about {math.ceil(pairs)} pairs of seeds to resolve a difference of 0.5 at this "
        "spread (sd 1; 80% power, one-sided 10%)"
    )
    assert hint(0.5, 1.0, paired=False, alpha=0.05, have=math.ceil(n)) is None
    assert hint(0.5, 1.0, paired=False, alpha=0.05, have=math.ceil(n) - 1) is not None
    assert hint(0.0, 1.0, paired=False, alpha=0.05) is None


@pytest.mark.parametrize(
    ("base", "cand", "paired", "value", "note"),
    [
        pytest.param([1.0], [2.0, 3.0], False, None, "needs 2 runs per side", id="one-run"),
        pytest.param([1.0, 1.0, 1.0], [3.0, 3.0], False, 2.0,
                     "no interval: every run of each side gives the same value", id="constant"),
        pytest.param([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], True, 0.0,
                     "no interval: fewer than 2 non-zero differences", id="no-difference"),
        pytest.param([1.0, 2.0, 3.0], [1.0, 2.0, 4.5], True, 1.5,
                     "no interval: fewer than 2 non-zero differences", id="one-difference"),
        pytest.param([0.1, 0.2, 0.3], [0.4, 0.5, 0.6], True, 0.3,
                     "no interval: every difference is the same", id="one-shift"),
    ],
)  # fmt: skip
def test_hodges_lehmann_without_an_interval_says_why(
    base: list[float], cand: list[float], paired: bool, value: float | None, note: str
) -> None:
    hl = hodges_lehmann(base, cand, paired=paired, confidence=0.95)
    assert (hl.low, hl.high, hl.note) == (None, None, note)
    assert hl.value == (None if value is None else pytest.approx(value))


def test_hodges_lehmann_names_its_interval() -> None:
    exact = hodges_lehmann(HW_EARLY, HW_TERM, paired=False, confidence=0.9)
    assert exact.method == "median of all differences, exact interval" and exact.confidence == 0.9
    tied = hodges_lehmann(SLEEP_1, SLEEP_2, paired=False, confidence=0.95)
    assert tied.method == "median of all differences, asymptotic interval"
    paired = hodges_lehmann(HW_VISIT_2, HW_VISIT_1, paired=True, confidence=0.95)
    assert paired.method == "pseudomedian of the paired differences, exact interval"
    zero = hodges_lehmann(SLEEP_1, SLEEP_2, paired=True, confidence=0.95)
    assert zero.method == "pseudomedian of the paired differences, asymptotic interval"
    assert zero.note == "1 zero difference(s) dropped"


def test_cliffs_delta_needs_two_runs_a_side_and_reaches_minus_one() -> None:
    short = cliffs_delta([1.0], [2.0, 3.0], confidence=0.95)
    assert (short.value, short.low, short.note) == (None, None, "needs 2 runs per side")
    below = cliffs_delta([4.0, 5.0, 6.0], [1.0, 2.0, 3.0], confidence=0.95)
    assert below.value == -1.0 and below.low == -1.0 and below.high is not None
    assert below.high == pytest.approx(
        -cliffs_delta([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], confidence=0.95).low
    )
    undefined = probability_of_improvement(short, "higher")
    assert (undefined.value, undefined.note) == (None, "needs 2 runs per side")


@pytest.mark.parametrize(("theta", "confidence"), [(-5.0, 0.95), (2000.0, 0.9)])
def test_bca_falls_back_to_the_percentile_interval_when_its_bias_correction_is_infinite(
    theta: float, confidence: float
) -> None:
    """Every resample on one side of the estimate: BCa's z0 is infinite and
    its levels undefined, so the interval is the plain percentile one."""
    from manifest.comparison.bootstrap import _interval

    resamples = np.arange(1000.0)
    found = _interval(resamples, theta, 0.1, confidence, "1000 resamples, seed 0", 0.0)
    alpha = (1 - confidence) / 2
    assert (found.low, found.high) == pytest.approx(
        tuple(np.percentile(resamples, [100 * alpha, 100 * (1 - alpha)]))
    )
    assert found.method == "percentile bootstrap, 1000 resamples, seed 0"
    assert found.confidence == confidence and found.resamples == 1000
    # the larger Monte Carlo error of the two ends (the same here: symmetric)
    assert found.monte_carlo_se == pytest.approx(
        1000 * math.sqrt(alpha * (1 - alpha) / 1000), rel=0.01
    )


def test_the_monte_carlo_error_is_the_larger_of_the_two_ends() -> None:
    from manifest.comparison.bootstrap import _interval, quantile_se

    skewed = -(np.arange(1000.0) ** 2)  # sparse low end, dense high end
    found = _interval(skewed, 1.0, 0.1, 0.95, "x", 0.0)
    low_end, high_end = quantile_se(skewed, 0.025), quantile_se(skewed, 0.975)
    assert low_end > 10 * high_end
    assert found.monte_carlo_se == pytest.approx(low_end)
    mirrored = _interval(-skewed, -1.0, -0.1, 0.95, "x", 0.0)
    assert mirrored.monte_carlo_se == pytest.approx(low_end)


def test_metrics_with_different_numbers_of_runs_each_get_their_own_interval() -> None:
    base = [[1.0, 2.0, 4.0], [1.0, 3.0, 2.0, 5.0], [1.0, 2.0, 3.5]]
    cand = [[2.0, 5.0, 4.5], [3.0, 6.0, 4.0, 7.5], [2.0, 4.0, 3.0]]
    together = bootstrap_intervals(base, cand, paired=False, seed=4, resamples=500)
    alone = [
        bootstrap_interval(b, c, seed=4, resamples=500) for b, c in zip(base, cand, strict=True)
    ]
    assert together == alone and len({i.high for i in together if i is not None}) == 3


@pytest.mark.parametrize(
    ("base", "cand", "paired", "note"),
    [
        pytest.param([1.0, 2.0], [2.0, 4.0], True, "needs more runs", id="two-pairs"),
        pytest.param([1.0], [2.0, 4.0], False, "needs more runs", id="three-runs"),
        pytest.param([1.0, 2.0, 3.0], [1.5, 2.5, 3.5], True,
                     "the runs do not vary, so a standardized difference is undefined", id="shift"),
    ],
)  # fmt: skip
def test_hedges_g_needs_two_degrees_of_freedom_and_spread(
    base: list[float], cand: list[float], paired: bool, note: str
) -> None:
    g = hedges_g(base, cand, paired=paired, confidence=0.9)
    assert (g.value, g.low, g.high, g.note, g.confidence) == (None, None, None, note, 0.9)
    assert g.method == (
        "paired: mean difference over the sd of the differences, noncentral t interval"
        if paired
        else "pooled sd, noncentral t interval"
    )


def test_hedges_g_at_two_degrees_of_freedom_matches_the_noncentral_t() -> None:
    base, cand = [1.0, 2.0, 4.0], [2.0, 3.5, 5.5]  # three pairs: df = 2
    g = hedges_g(base, cand, paired=True, confidence=0.9)
    diffs = np.subtract(cand, base)
    t = float(np.mean(diffs) / (np.std(diffs, ddof=1) / math.sqrt(3)))
    j = math.gamma(1) / (math.sqrt(1) * math.gamma(0.5))
    assert g.value == pytest.approx(j * t / math.sqrt(3), rel=1e-12)
    assert g.low is not None and g.high is not None
    for end, quantile in ((g.low, 0.95), (g.high, 0.05)):
        assert sps.nct.cdf(t, 2, end / j * math.sqrt(3)) == pytest.approx(quantile, abs=1e-10)


def test_metrics_of_the_same_size_share_resamples_but_not_estimates() -> None:
    """Unpaired metrics with equal run counts are resampled together; each
    keeps its own means, and a constant one does not stop the others."""
    base = [[3.0, 3.0, 3.0], [1.0, 2.0, 4.0], [10.0, 12.0, 11.0]]
    cand = [[5.0, 5.0, 5.0], [2.0, 5.0, 4.5], [11.0, 14.5, 12.0]]
    together = bootstrap_intervals(base, cand, paired=False, seed=2, resamples=400)
    alone = [
        bootstrap_interval(b, c, seed=2, resamples=400) for b, c in zip(base, cand, strict=True)
    ]
    assert together == alone
    assert together[0] is not None and together[0].method == "degenerate"
    assert all(i is not None and i.method.startswith("BCa") for i in together[1:])


@pytest.mark.parametrize("large_side", ["baseline", "candidate"])
def test_spread_below_rounding_of_the_larger_group_is_no_spread(large_side: str) -> None:
    """A spread of 1e-13 is noise next to values of 1000 (10 epsilons of 1000
    is 2.2e-12), whichever side holds them."""
    large, small = [1000.0] * 3, [1.0, 1.0 + 1e-13, 1.0]
    base, cand = (large, small) if large_side == "baseline" else (small, large)
    found = bootstrap_interval(base, cand, resamples=200)
    assert found is not None and found.method == "degenerate"


def test_hodges_lehmann_of_two_paired_differences_has_an_interval() -> None:
    hl = hodges_lehmann([1.0, 2.0], [2.0, 4.5], paired=True, confidence=0.5)
    assert (hl.name, hl.value, hl.note) == ("hodges_lehmann", 1.75, None)
    assert hl.method == "pseudomedian of the paired differences, exact interval"
    same = hodges_lehmann([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], paired=True, confidence=0.9)
    assert (same.name, same.confidence) == ("hodges_lehmann", 0.9)
    assert same.method == "pseudomedian of the paired differences"


def z_of(result_p: float | None, statistic: float | None, centre: float) -> float:
    """The signed normal statistic behind a two-sided normal-approximation p."""
    assert result_p is not None and statistic is not None
    return math.copysign(float(sps.norm.isf(result_p / 2)), statistic - centre)


@pytest.mark.parametrize("shift", [-1.0, -0.25, 0.0, 0.5, 1.25, 2.0])
def test_the_shift_intervals_invert_the_rank_tests_at_each_shift(shift: float) -> None:
    """Hodges-Lehmann's asymptotic ends are where the rank test of the data
    shifted by d reaches the quantile: its statistic at d is that test's z."""
    from manifest.comparison.shift import _rank_sum_z, _signed_rank_z

    base = [1.0, 1.5, 1.5, 2.25, 3.0, 3.0, 4.0]  # ties: the normal approximation
    cand = [1.5, 2.0, 2.75, 3.0, 3.5, 4.5]
    moved = [c - shift for c in cand]
    r = mann_whitney(base, moved)
    assert "normal" in r.method
    assert _rank_sum_z(base, cand)(shift, 0.0) == pytest.approx(
        z_of(r.p_value, r.statistic, len(base) * len(cand) / 2), rel=1e-9
    )
    assert _rank_sum_z(base, cand)(shift, 0.7) == pytest.approx(
        _rank_sum_z(base, cand)(shift, 0.0) - 0.7
    )
    diffs = [0.5, 0.5, 1.25, -0.75, 2.0, 1.0, 0.25, 2.0]
    w = wilcoxon_signed_rank([0.0] * 8, [d - shift for d in diffs])
    n = sum(d != shift for d in diffs)  # zero differences are dropped
    assert "normal" in w.method
    assert _signed_rank_z(diffs)(shift, 0.0) == pytest.approx(
        z_of(w.p_value, w.statistic, n * (n + 1) / 4), rel=1e-9
    )


def test_the_signed_rank_statistic_of_all_zero_differences_is_zero() -> None:
    from manifest.comparison.shift import _signed_rank_z

    assert _signed_rank_z([0.5, 0.5])(0.5, 1.5) == -1.5


def test_hedges_g_names_itself_and_its_method_in_every_case() -> None:
    pooled = "pooled sd, noncentral t interval"
    paired = "paired: mean difference over the sd of the differences, noncentral t interval"
    flat = "the runs do not vary, so a standardized difference is undefined"
    got = hedges_g([1.0, 2.0, 3.0], [2.0, 3.5, 4.0], paired=False, confidence=0.9)
    assert (got.name, got.method, got.confidence, got.note) == ("hedges_g", pooled, 0.9, None)
    got = hedges_g([1.0, 2.0, 3.0], [2.0, 3.5, 4.0], paired=True, confidence=0.9)
    assert (got.name, got.method, got.confidence, got.note) == ("hedges_g", paired, 0.9, None)
    assert hedges_g([1.0, 2.0], [3.0], paired=False, confidence=0.9) == Estimate(
        "hedges_g", None, None, None, 0.9, pooled, "needs more runs"
    )
    assert hedges_g([1.0, 1.0], [1.0, 1.0], paired=False, confidence=0.9) == Estimate(
        "hedges_g", None, None, None, 0.9, pooled, flat
    )
    # a spread that is rounding noise on the baseline's scale, not on the candidate's
    noisy = hedges_g([1e6, 1e6 + 1e-9, 1e6], [1.0, 1.0 + 1e-9, 1.0], paired=False, confidence=0.9)
    assert noisy.note == flat
