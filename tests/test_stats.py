"""manifest.stats against R's documented outputs (R 4.x, package stats).

References, quoted from R's help pages and their printed example output:
- ``t.test(extra ~ group, data = sleep)`` (?t.test): Welch, t = -1.8608,
  df = 17.776, p-value = 0.07939, 95 percent CI -3.3654832 0.2054832;
  ``var.equal = TRUE``: t = -1.8608, df = 18, p-value = 0.07919,
  CI -3.363874 0.203874; ``paired = TRUE``: t = -4.0621, df = 9,
  p-value = 0.002833, CI -2.4598858 -0.7001142.
- ``wilcox.test`` (?wilcox.test), Hollander & Wolfe (1973): two-sample
  (p. 69) ``wilcox.test(x, y, alternative = "g")``: W = 35, p-value = 0.1272;
  one-sample paired (p. 29) ``wilcox.test(x, y, paired = TRUE,
  alternative = "greater")``: V = 40, p-value = 0.01953.
- ``wilcox.test(extra ~ group, data = sleep)``: ties, so the normal
  approximation with continuity correction: W = 25.5, p-value = 0.06933;
  paired: V = 0, p-value = 0.009091 (a zero difference and ties).
- ``p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm")`` = 0.05 0.08 0.09 0.09
  0.09; Holm's procedure on (0.01, 0.04, 0.03, 0.005) from the worked example
  of the Holm-Bonferroni method (Wikipedia): 0.03 0.06 0.06 0.02.

R's difference is x - y; here x is the candidate. The sleep data are R's
``datasets::sleep``; the Hollander & Wolfe vectors are copied from ?wilcox.test.
"""

from __future__ import annotations

import math
import sys

import pytest

from manifest.comparison import stats

SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
HW_TERM = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
HW_EARLY = [1.15, 0.88, 0.90, 0.74, 1.21]
HW_VISIT_1 = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_VISIT_2 = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def sig(value: float | None, digits: int) -> str:
    """``value`` as R prints it with ``digits`` significant digits."""
    assert value is not None
    return f"{value:.{digits}g}"


def test_welch_matches_r_sleep() -> None:
    r = stats.two_sample_t(SLEEP_2, SLEEP_1)
    assert (sig(r.statistic, 5), sig(r.df, 5), sig(r.p_value, 4)) == (
        "-1.8608",
        "17.776",
        "0.07939",
    )
    assert r.interval is not None
    assert r.interval[0] == pytest.approx(-3.3654832, abs=5e-8)
    assert r.interval[1] == pytest.approx(0.2054832, abs=5e-8)
    assert r.estimate == pytest.approx(0.75 - 2.33)


def test_student_matches_r_sleep() -> None:
    r = stats.two_sample_t(SLEEP_2, SLEEP_1, equal_var=True)
    assert (sig(r.statistic, 5), sig(r.df, 5), sig(r.p_value, 4)) == ("-1.8608", "18", "0.07919")
    assert r.interval is not None
    assert r.interval[0] == pytest.approx(-3.363874, abs=5e-7)
    assert r.interval[1] == pytest.approx(0.203874, abs=5e-7)


def test_paired_t_matches_r_sleep() -> None:
    r = stats.paired_t(SLEEP_2, SLEEP_1)
    assert (sig(r.statistic, 5), sig(r.df, 5), sig(r.p_value, 4)) == ("-4.0621", "9", "0.002833")
    assert r.interval is not None
    assert r.interval[0] == pytest.approx(-2.4598858, abs=5e-8)
    assert r.interval[1] == pytest.approx(-0.7001142, abs=5e-8)


def test_mann_whitney_exact_matches_r_hollander_wolfe() -> None:
    greater = stats.mann_whitney(HW_EARLY, HW_TERM, alternative="greater")
    assert greater.statistic == 35 and sig(greater.p_value, 4) == "0.1272"
    assert "exact" in greater.method
    two_sided = stats.mann_whitney(HW_EARLY, HW_TERM)
    assert sig(two_sided.p_value, 4) == "0.2544"  # R: min(2 * 0.1272061, 1)


def test_mann_whitney_with_ties_is_asymptotic_like_r() -> None:
    r = stats.mann_whitney(SLEEP_2, SLEEP_1)
    assert r.statistic == 25.5 and sig(r.p_value, 4) == "0.06933"
    assert "continuity" in r.method


def test_mann_whitney_50_runs_without_ties_is_asymptotic() -> None:
    base = [i * 1.0 for i in range(50)]
    cand = [i + 0.5 for i in range(3, 53)]
    r = stats.mann_whitney(base, cand)
    assert "continuity" in r.method
    # R's normal approximation, written out: z = (W - n1 n2 / 2 - 0.5 sign) / sigma
    w = sum(1.0 for c in cand for b in base if c > b)
    assert r.statistic == w
    z = w - 50 * 50 / 2
    z = (z - math.copysign(0.5, z)) / math.sqrt(50 * 50 * 101 / 12)
    p = math.erfc(abs(z) / math.sqrt(2))
    assert r.p_value == pytest.approx(p, rel=1e-12)


def test_wilcoxon_exact_matches_r_hollander_wolfe() -> None:
    greater = stats.wilcoxon_signed_rank(HW_VISIT_2, HW_VISIT_1, alternative="greater")
    assert greater.statistic == 40 and sig(greater.p_value, 4) == "0.01953"
    assert "exact" in greater.method
    assert sig(stats.wilcoxon_signed_rank(HW_VISIT_2, HW_VISIT_1).p_value, 4) == "0.03906"


def test_wilcoxon_with_zero_and_ties_matches_r_sleep() -> None:
    r = stats.wilcoxon_signed_rank(SLEEP_2, SLEEP_1)
    assert r.statistic == 0 and sig(r.p_value, 4) == "0.009091"
    assert "continuity" in r.method and r.note == "1 zero difference(s) dropped"


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        pytest.param(
            [0.01, 0.02, 0.03, 0.04, 0.05], [0.05, 0.08, 0.09, 0.09, 0.09], id="r-p.adjust"
        ),
        pytest.param([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02], id="holm-worked-example"),
        pytest.param([0.5, 0.9], [1.0, 1.0], id="capped-at-1"),
        pytest.param([], [], id="empty"),
    ],
)
def test_holm(p: list[float], expected: list[float]) -> None:
    assert stats.holm(p) == pytest.approx(expected)


def test_probability_of_improvement_counts_ties_half_and_honours_direction() -> None:
    assert stats.probability_of_improvement([1.0, 2.0], [2.0, 3.0]) == pytest.approx(
        (1 + 0.5 + 1 + 1) / 4
    )
    assert stats.probability_of_improvement([1.0, 2.0], [2.0, 3.0], higher_is_better=False) == (
        pytest.approx(0.5 / 4)
    )
    # equals the candidate's Mann-Whitney W / (n_b n_c)
    w = stats.mann_whitney(SLEEP_2, SLEEP_1).statistic
    assert stats.probability_of_improvement(SLEEP_2, SLEEP_1) == pytest.approx(w / 100)


def test_bootstrap_is_seeded_and_brackets_the_difference() -> None:
    a = stats.bootstrap_interval(SLEEP_2, SLEEP_1, seed=7)
    b = stats.bootstrap_interval(SLEEP_2, SLEEP_1, seed=7)
    assert a == b and a is not None
    assert a.low < 0.75 - 2.33 < a.high
    assert stats.bootstrap_interval(SLEEP_2, SLEEP_1, seed=8) != a
    paired = stats.bootstrap_interval(SLEEP_2, SLEEP_1, paired=True)
    assert paired is not None and paired.high < 0  # the paired difference is clearly negative


@pytest.mark.parametrize(
    ("base", "cand", "note"),
    [
        pytest.param([1.0], [2.0, 3.0], "each group needs at least 2 values", id="n1"),
        pytest.param([1.0, 1.0], [1.0, 1.0], "no variance", id="constant"),
    ],
)
def test_undefined_t_tests_say_why(base: list[float], cand: list[float], note: str) -> None:
    r = stats.two_sample_t(base, cand)
    assert r.p_value is None and r.note is not None and note in r.note


def test_degenerate_inputs_give_no_nan() -> None:
    assert stats.wilcoxon_signed_rank([1.0, 2.0], [1.0, 2.0]).p_value is None
    interval = stats.bootstrap_interval([1.0, 1.0, 1.0], [2.0, 2.0, 2.0])
    assert interval is not None and (interval.low, interval.high) == (1.0, 1.0)
    assert stats.bootstrap_interval([1.0], [2.0, 3.0]) is None
    s = stats.summarize([3.0])
    assert s.std is None and s.median == 3.0


def test_importing_manifest_does_not_import_scipy() -> None:
    import subprocess

    code = (
        "import sys, manifest, manifest.cli, manifest.comparison.stats, "
        "manifest.comparison.comparison, manifest.gating.decision, manifest.registry.store; "
        "from manifest.cli.main import build_parser; build_parser(); "
        "print(any(m == 'scipy' or m.startswith(('scipy.', 'numpy')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_contrast_t_needs_two_values_a_group_and_keeps_its_confidence() -> None:
    from manifest.comparison.ttest import contrast_t

    short = contrast_t([1.0], [2.0, 3.0], weight=1.1, paired=False, alternative="greater")
    assert (short.test, short.method, short.alternative) == (
        "welch_t",
        "Welch t-test of candidate - 1.1 x baseline",
        "greater",
    )
    assert short.p_value is None and short.note == "undefined: each group needs at least 2 values"
    welch = contrast_t(
        [1.0, 2.0, 4.0], [3.0, 5.0, 4.0], weight=1.0, paired=False, alternative="two-sided",
        confidence=0.9,
    )  # fmt: skip
    ref = stats.two_sample_t([1.0, 2.0, 4.0], [3.0, 5.0, 4.0], confidence=0.9)
    assert welch.confidence == 0.9 and welch.interval == pytest.approx(ref.interval)
