"""t-tests and rank tests against scipy.stats, every alternative and edge.

``test_stats.py`` pins the tests to R's printed examples (two-sided, no null
difference); here each test is compared with ``scipy.stats`` (which follows
R's conventions for these tests) on every alternative, at a non-default
confidence and null difference, and on the data where the tests are
undefined: too few runs, constant groups, empty groups, every value tied.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats as sp

from manifest.comparison import stats
from manifest.comparison.ttest import contrast_t, mean_var

BASE = [2.1, 2.9, 3.4, 2.2, 3.8, 2.6]
CAND = [3.05, 3.5, 4.4, 2.95, 4.1, 3.85]
SHORT = [1.2, 3.9, 2.2, 3.1]  # a different size, unequal spread
ALTERNATIVES = ["two-sided", "greater", "less"]
NORMAL = "test with continuity correction (normal approximation)"


def interval_of(result: stats.TestResult) -> tuple[float, float]:
    assert result.interval is not None
    low, high = result.interval
    return (-math.inf if low is None else low, math.inf if high is None else high)


def assert_like_scipy(result: stats.TestResult, ref: object, df: float) -> None:
    assert result.statistic == pytest.approx(ref.statistic, rel=1e-12)  # type: ignore[attr-defined]
    assert result.p_value == pytest.approx(ref.pvalue, rel=1e-9)  # type: ignore[attr-defined]
    assert result.df == pytest.approx(df, rel=1e-12)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("equal_var", [False, True], ids=["welch", "student"])
def test_two_sample_t_is_scipys_on_every_alternative(alternative: str, equal_var: bool) -> None:
    r = stats.two_sample_t(
        SHORT, CAND, equal_var=equal_var, alternative=alternative, confidence=0.9,
        null_difference=0.25,
    )  # fmt: skip
    shifted = [c - 0.25 for c in CAND]  # scipy has no mu for two samples
    ref = sp.ttest_ind(shifted, SHORT, equal_var=equal_var, alternative=alternative)
    assert_like_scipy(r, ref, ref.df)
    ci = ref.confidence_interval(0.9)
    assert interval_of(r) == pytest.approx((ci.low + 0.25, ci.high + 0.25), rel=1e-9)
    assert r.estimate == pytest.approx(sum(CAND) / 6 - sum(SHORT) / 4)
    assert (r.alternative, r.confidence, r.constant) == (alternative, 0.9, False)
    assert r.method == (
        "Student two-sample t-test (pooled variance)" if equal_var else "Welch two-sample t-test"
    )


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_paired_t_is_scipys_on_every_alternative(alternative: str) -> None:
    r = stats.paired_t(BASE, CAND, alternative=alternative, confidence=0.8, null_difference=0.3)
    diffs = [c - b for b, c in zip(BASE, CAND, strict=True)]
    ref = sp.ttest_1samp(diffs, 0.3, alternative=alternative)
    assert_like_scipy(r, ref, 5)
    assert (r.test, r.method) == ("paired_t", "Paired t-test")
    ci = ref.confidence_interval(0.8)
    assert interval_of(r) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert r.estimate == pytest.approx(sum(diffs) / 6)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("paired", [False, True], ids=["welch", "paired"])
def test_contrast_t_tests_candidate_against_a_multiple_of_baseline(
    alternative: str, paired: bool
) -> None:
    """mean(c) - 1.1 mean(b) is the difference of c and 1.1 b, for both designs."""
    r = contrast_t(BASE, CAND, weight=1.1, paired=paired, alternative=alternative, confidence=0.9)
    scaled = [1.1 * b for b in BASE]
    if paired:
        ref = sp.ttest_rel(CAND, scaled, alternative=alternative)
    else:
        ref = sp.ttest_ind(CAND, scaled, equal_var=False, alternative=alternative)
    assert_like_scipy(r, ref, ref.df)
    ci = ref.confidence_interval(0.9)
    assert interval_of(r) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert r.test == ("paired_t" if paired else "welch_t")


def test_contrast_t_with_unequal_groups_weights_the_baseline_variance() -> None:
    r = contrast_t(SHORT, CAND, weight=0.5, paired=False, alternative="two-sided")
    ref = sp.ttest_ind(CAND, [0.5 * b for b in SHORT], equal_var=False)
    assert_like_scipy(r, ref, ref.df)


def test_a_two_sided_p_value_reaches_exactly_one_at_t_0() -> None:
    r = stats.two_sample_t([1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
    assert (r.statistic, r.p_value) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("base", "cand", "estimate"),
    [
        pytest.param([1.0], [2.0, 4.0], 2.0, id="one-baseline-run"),
        pytest.param([1.0, 3.0], [5.0], 3.0, id="one-candidate-run"),
        pytest.param([], [2.0, 4.0], 3.0, id="no-baseline-run"),
        pytest.param([1.0, 3.0], [], -2.0, id="no-candidate-run"),
    ],
)
@pytest.mark.parametrize("equal_var", [False, True], ids=["welch", "student"])
def test_two_sample_t_needs_two_runs_a_side_and_still_reports_the_difference(
    base: list[float], cand: list[float], estimate: float, equal_var: bool
) -> None:
    r = stats.two_sample_t(base, cand, equal_var=equal_var, alternative="less")
    assert (r.statistic, r.p_value, r.interval, r.alternative) == (None, None, None, "less")
    assert r.estimate == estimate and not r.constant
    assert r.note == "undefined: each group needs at least 2 values"
    assert r.test == ("student_t" if equal_var else "welch_t")


def test_paired_t_needs_two_pairs_of_the_same_length() -> None:
    one = stats.paired_t([1.0], [3.5], alternative="greater")
    assert (one.p_value, one.estimate, one.note) == (None, 2.5, "undefined: needs at least 2 pairs")
    assert (one.test, one.method, one.alternative) == ("paired_t", "Paired t-test", "greater")
    assert stats.paired_t([], []).estimate == 0.0
    two = stats.paired_t([1.0, 2.0], [2.0, 4.0])
    assert two.p_value == pytest.approx(sp.ttest_rel([2.0, 4.0], [1.0, 2.0]).pvalue)
    with pytest.raises(ValueError, match=r"^paired samples must have the same length$"):
        stats.paired_t([1.0, 2.0], [1.0])


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(lambda: stats.two_sample_t([2.0] * 3, [5.0] * 4), id="welch"),
        pytest.param(
            lambda: stats.two_sample_t([2.0] * 3, [5.0] * 4, equal_var=True), id="student"
        ),
        pytest.param(lambda: stats.paired_t([0.1, 0.2, 0.3], [0.4, 0.5, 0.6]), id="paired-shift"),
    ],
)
def test_constant_data_make_the_t_test_undefined_but_keep_the_estimate(run: object) -> None:
    r = run()  # type: ignore[operator]
    assert (r.statistic, r.p_value, r.constant) == (None, None, True)
    assert r.estimate == pytest.approx(3.0 if r.test != "paired_t" else 0.3)
    assert r.note == "undefined: the data are essentially constant (no variance beyond rounding)"
    assert r.alternative == "two-sided" and r.method in (
        "Welch two-sample t-test",
        "Student two-sample t-test (pooled variance)",
        "Paired t-test",
    )


def test_one_constant_group_is_still_a_welch_test() -> None:
    """Welch's t against a constant baseline is the one-sample t of the candidate."""
    r = stats.two_sample_t([2.0, 2.0, 2.0], CAND, alternative="greater")
    assert_like_scipy(r, sp.ttest_1samp(CAND, 2.0, alternative="greater"), 5)


def test_an_unknown_alternative_is_refused() -> None:
    with pytest.raises(
        ValueError,
        match=r"^alternative must be one of \('two-sided', 'greater', 'less'\), not 'bigger'$",
    ):
        stats.two_sample_t(BASE, CAND, alternative="bigger")
    with pytest.raises(ValueError, match="'bigger'"):
        stats.mann_whitney(BASE, CAND, alternative="bigger")
    with pytest.raises(ValueError, match="alternative"):
        stats.wilcoxon_signed_rank(BASE, CAND, alternative="bigger")


def test_mean_var_of_one_value_has_no_variance() -> None:
    assert mean_var([4.0]) == (4.0, 0.0)
    assert mean_var([1.0, 2.0, 6.0]) == (3.0, 7.0)


# rank tests


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize(
    ("base", "cand", "method"),
    [
        pytest.param(BASE, CAND, "exact", id="exact"),
        pytest.param(SHORT, CAND, "exact", id="exact-unequal"),
        pytest.param(CAND, SHORT, "exact", id="exact-lower"),
        pytest.param([1.0, 2.0, 2.0, 3.0, 5.0], [2.0, 3.0, 3.0, 4.0], "asymptotic", id="ties"),
    ],
)
def test_mann_whitney_is_scipys_on_every_alternative(
    alternative: str, base: list[float], cand: list[float], method: str
) -> None:
    r = stats.mann_whitney(base, cand, alternative=alternative)
    ref = sp.mannwhitneyu(cand, base, alternative=alternative, method=method)
    assert r.statistic == ref.statistic
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert (r.test, r.alternative) == ("mann_whitney", alternative)
    assert (
        r.method
        == {
            "exact": "Wilcoxon rank-sum exact test",
            "asymptotic": f"Wilcoxon rank-sum {NORMAL}",
        }[method]
    )


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_mann_whitney_beyond_50_runs_is_scipys_normal_approximation(alternative: str) -> None:
    base = [float(i) for i in range(50)]
    cand = [i + 0.5 for i in range(4, 54)]
    r = stats.mann_whitney(base, cand, alternative=alternative)
    ref = sp.mannwhitneyu(cand, base, alternative=alternative, method="asymptotic")
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9) and "continuity" in r.method


def test_mann_whitney_at_the_centre_has_p_one() -> None:
    r = stats.mann_whitney([1.0, 4.0], [2.0, 3.0])
    assert (r.statistic, r.p_value) == (2.0, 1.0)


@pytest.mark.parametrize(
    ("base", "cand", "why"),
    [
        pytest.param([], [1.0, 2.0], "a group has no values", id="no-baseline"),
        pytest.param([1.0, 2.0], [], "a group has no values", id="no-candidate"),
        pytest.param([3.0, 3.0], [3.0, 3.0, 3.0], "every value is the same", id="all-tied"),
    ],
)
def test_mann_whitney_undefined(base: list[float], cand: list[float], why: str) -> None:
    r = stats.mann_whitney(base, cand, alternative="greater")
    assert (r.statistic, r.p_value, r.note) == (None, None, f"undefined: {why}")
    assert (r.test, r.method, r.alternative) == (
        "mann_whitney",
        "Wilcoxon rank-sum (Mann-Whitney U) test",
        "greater",
    )


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize(
    ("base", "cand", "method"),
    [
        pytest.param(BASE, CAND, "exact", id="exact"),
        pytest.param(CAND, BASE, "exact", id="exact-negative"),
        pytest.param(
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2.0, 3.0, 5.0, 3.0, 6.0, 9.0], "approx", id="ties"
        ),
    ],
)
def test_wilcoxon_is_scipys_on_every_alternative(
    alternative: str, base: list[float], cand: list[float], method: str
) -> None:
    r = stats.wilcoxon_signed_rank(base, cand, alternative=alternative)
    diffs = [c - b for b, c in zip(base, cand, strict=True)]
    ref = sp.wilcoxon(diffs, alternative=alternative, method=method, correction=True)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert (r.test, r.alternative) == ("wilcoxon", alternative)
    assert (
        r.method
        == {
            "exact": "Wilcoxon signed-rank exact test",
            "approx": f"Wilcoxon signed-rank {NORMAL}",
        }[method]
    )
    ranks = sp.rankdata([abs(d) for d in diffs])
    assert r.statistic == sum(rank for rank, d in zip(ranks, diffs, strict=True) if d > 0)


def test_wilcoxon_statistic_is_the_sum_of_positive_ranks() -> None:
    # |d| = 1, 2, 3, 4 with signs + - + +: V = 1 + 3 + 4
    r = stats.wilcoxon_signed_rank([0.0, 0.0, 0.0, 0.0], [1.0, -2.0, 3.0, 4.0])
    assert r.statistic == 8 and "exact" in r.method and r.note is None
    # the 4 differences tie: ranks 2.5 each, positives 3 of them
    tied = stats.wilcoxon_signed_rank([0.0] * 4, [1.0, -1.0, 1.0, 1.0])
    assert tied.statistic == 7.5 and "continuity" in tied.method and tied.note is None


def test_wilcoxon_with_a_zero_difference_drops_it_and_says_so() -> None:
    base, cand = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1.0, 3.5, 2.0, 7.0, 9.0, 6.5]
    r = stats.wilcoxon_signed_rank(base, cand, alternative="greater")
    diffs = [c - b for b, c in zip(base, cand, strict=True)]
    ref = sp.wilcoxon(diffs, alternative="greater", method="approx", correction=True)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert r.note == "1 zero difference(s) dropped" and "continuity" in r.method


def test_wilcoxon_undefined_and_unpaired() -> None:
    r = stats.wilcoxon_signed_rank([1.0, 2.0], [1.0, 2.0], alternative="less")
    assert (r.test, r.method, r.statistic) == ("wilcoxon", "Wilcoxon signed-rank test", None)
    assert (r.p_value, r.note, r.alternative) == (
        None,
        "undefined: every difference is zero",
        "less",
    )
    with pytest.raises(ValueError, match=r"^paired samples must have the same length$"):
        stats.wilcoxon_signed_rank([1.0, 2.0], [1.0])


def test_probability_of_improvement_needs_both_groups() -> None:
    with pytest.raises(ValueError, match=r"^both groups need values$"):
        stats.probability_of_improvement([], [1.0])
    with pytest.raises(ValueError, match=r"^both groups need values$"):
        stats.probability_of_improvement([1.0], [])
    assert stats.probability_of_improvement([1.0, 3.0], [2.0, 4.0, 5.0]) == pytest.approx(5 / 6)
    assert stats.probability_of_improvement(
        [1.0, 3.0], [2.0, 4.0, 5.0], higher_is_better=False
    ) == pytest.approx(1 / 6)


def test_summarize_describes_one_group() -> None:
    s = stats.summarize([3, 1.0, 2.0, 6.0])
    assert (s.n, s.mean, s.median, s.min, s.max) == (4, 3.0, 2.5, 1.0, 6.0)
    assert s.std == pytest.approx(float(sp.tstd([3, 1.0, 2.0, 6.0])), rel=1e-15)
    assert isinstance(s.min, float) and isinstance(s.max, float)
    with pytest.raises(ValueError, match=r"^no values to summarize$"):
        stats.summarize([])


@pytest.mark.parametrize(("n_b", "n_c"), [(50, 49), (49, 50), (49, 49)])
def test_the_exact_rank_sum_test_stops_at_50_runs_a_side(n_b: int, n_c: int) -> None:
    base = [float(i) for i in range(n_b)]
    cand = [i + 0.5 for i in range(3, 3 + n_c)]
    r = stats.mann_whitney(base, cand)
    method = "exact" if max(n_b, n_c) < 50 else "asymptotic"
    ref = sp.mannwhitneyu(cand, base, method=method)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert ("exact" in r.method) is (method == "exact")


@pytest.mark.parametrize("n", [49, 50])
def test_the_exact_signed_rank_test_stops_at_50_differences(n: int) -> None:
    diffs = [(-1.0) ** i * (i + 1) + 0.3 * i for i in range(n)]  # distinct magnitudes
    r = stats.wilcoxon_signed_rank([0.0] * n, diffs, alternative="less")
    method = "exact" if n < 50 else "approx"
    ref = sp.wilcoxon(diffs, alternative="less", method=method, correction=True)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert ("exact" in r.method) is (n < 50)


@pytest.mark.parametrize("small_side", ["baseline", "candidate"])
def test_rounding_ties_are_judged_on_the_scale_of_both_groups(small_side: str) -> None:
    """1 and 1 + 5e-15 are distinct on their own scale but tied next to values
    of 10 (10 epsilons of 12 is 2.7e-14)."""
    small, large = [1.0, 1.0 + 5e-15, 2.0], [10.0, 11.0, 12.0]
    base, cand = (small, large) if small_side == "baseline" else (large, small)
    r = stats.mann_whitney(base, cand)
    assert r.method.endswith("(normal approximation)")  # tied, so not exact


@pytest.mark.parametrize("noisy_side", ["baseline", "candidate"])
def test_a_difference_of_rounding_noise_is_a_zero_difference(noisy_side: str) -> None:
    noisy, zeros = [5e-16, 1.0, 2.0, 3.0, 4.0], [0.0] * 5
    base, cand = (noisy, zeros) if noisy_side == "baseline" else (zeros, noisy)
    r = stats.wilcoxon_signed_rank(base, cand)
    assert r.note == "1 zero difference(s) dropped"


def test_contrast_t_at_two_runs_a_side_and_its_defaults() -> None:
    r = contrast_t([1.0, 2.0], [2.5, 4.8], weight=2.0, paired=False, alternative="less")
    ref = sp.ttest_ind([2.5, 4.8], [2.0, 4.0], equal_var=False, alternative="less")
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9) and r.confidence == 0.95
    assert r.method == "Welch t-test of candidate - 2 x baseline"
    paired = contrast_t([1.0, 2.0], [2.5, 4.8], weight=2.0, paired=True, alternative="less")
    assert paired.method == "Paired t-test of candidate - 2 x baseline"
    assert paired.p_value == pytest.approx(
        sp.ttest_rel([2.5, 4.8], [2.0, 4.0], alternative="less").pvalue
    )


def test_contrast_t_of_unequal_pairs_is_refused() -> None:
    with pytest.raises(ValueError):
        contrast_t([1.0, 2.0, 3.0], [1.0, 2.0], weight=1.0, paired=True, alternative="less")


def test_summarize_two_values_has_a_standard_deviation() -> None:
    assert stats.summarize([1.0, 3.0]).std == pytest.approx(2**0.5)
    assert mean_var([1.0, 3.0]) == (2.0, 2.0)


def test_holm_caps_an_adjusted_p_value_at_one() -> None:
    assert stats.holm([0.6, 0.9]) == [1.0, 1.0]
    assert stats.holm([0.3, 0.9]) == pytest.approx([0.6, 0.9])


@pytest.mark.parametrize(
    ("base", "cand"),
    [
        pytest.param([1.0, 3.0, 5.0, 7.0, 9.0, 11.0], [2.0, 4.0, 6.0, 8.0], id="W-10-of-24"),
        pytest.param([1.0, 3.0, 5.0, 7.0], [2.0, 4.0, 8.0, 9.5, 10.0, 12.0], id="W-18-of-24"),
    ],
)
def test_exact_two_sided_rank_sum_p_between_tail_and_centre(
    base: list[float], cand: list[float]
) -> None:
    r = stats.mann_whitney(base, cand)
    ref = sp.mannwhitneyu(cand, base, method="exact")
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9) and r.p_value < 1


@pytest.mark.parametrize(
    "diffs",
    [
        pytest.param([-1.0, -2.0, 3.0, -4.0, -5.0, 6.0], id="V-9-below-10.5"),
        pytest.param([1.0, -2.0, -3.0, -4.0, 5.0, 6.0], id="V-12-above-10.5"),
    ],
)
def test_exact_two_sided_signed_rank_p_near_the_centre(diffs: list[float]) -> None:
    r = stats.wilcoxon_signed_rank([0.0] * 6, diffs)
    ref = sp.wilcoxon(diffs, method="exact")
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9) and r.p_value < 1


def test_normal_approximation_against_the_alternative_and_at_the_centre() -> None:
    """The continuity correction follows the alternative, not the sign of z,
    and vanishes when W sits on its mean (p = 1)."""
    base, cand = [2.0, 3.0, 3.0, 4.0, 6.0], [1.0, 2.0, 2.0, 3.0]
    for alternative in ALTERNATIVES:
        r = stats.mann_whitney(base, cand, alternative=alternative)
        ref = sp.mannwhitneyu(cand, base, alternative=alternative, method="asymptotic")
        assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9), alternative
        diffs = [-1.0, -2.0, -2.0, 1.0, -3.0]
        w = stats.wilcoxon_signed_rank([0.0] * 5, diffs, alternative=alternative)
        ref = sp.wilcoxon(diffs, alternative=alternative, method="approx", correction=True)
        assert w.p_value == pytest.approx(ref.pvalue, rel=1e-9), alternative
    assert stats.mann_whitney([1.0, 2.0, 2.0, 3.0], [1.0, 2.0, 2.0, 3.0]).p_value == 1.0
    assert stats.wilcoxon_signed_rank([0.0] * 4, [1.0, -1.0, 2.0, -2.0]).p_value == 1.0


@pytest.mark.parametrize(
    ("equal_var", "name", "method"),
    [
        (False, "welch_t", "Welch two-sample t-test"),
        (True, "student_t", "Student two-sample t-test (pooled variance)"),
    ],
)
def test_a_two_sample_t_names_itself_with_or_without_a_result(
    equal_var: bool, name: str, method: str
) -> None:
    """The JSON a comparison prints names the test, also when the data are
    too few for one (and it says why instead of a p-value)."""
    from manifest.comparison.ttest import two_sample_t

    done = two_sample_t([1.0, 2.0, 4.0], [2.0, 3.5, 5.0], equal_var=equal_var)
    assert (done.test, done.method) == (name, method) and done.p_value is not None
    too_few = two_sample_t([1.0], [2.0, 3.0], equal_var=equal_var)
    assert (too_few.test, too_few.method) == (name, method) and too_few.p_value is None
