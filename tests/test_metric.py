"""One metric's statistics and verdict, without runs on disk.

``compare`` (tests/test_compare.py, tests/test_decisions.py) reaches the
same functions through sweeps of runs; here the verdict's every branch is
pinned on values chosen to sit on it: too few runs, constant groups that
agree or differ, undefined tests, a p-value exactly at alpha, undeclared
directions, Holm's adjustment across metrics and the seeds-needed hint.
"""

from __future__ import annotations

import pytest
from scipy import stats as sp

from manifest.comparison import stats
from manifest.comparison.directions import Direction
from manifest.comparison.effects import hedges_g
from manifest.comparison.metric import MetricComparison, measure, spread, verdict, with_holm
from manifest.comparison.shift import hodges_lehmann

HIGHER = Direction("higher", "declared by the runs")
LOWER = Direction("lower", "the policy")
NONE = Direction(None, "not declared")
BASE = [0.81, 0.83, 0.80, 0.84, 0.82, 0.79]
CAND = [0.86, 0.88, 0.85, 0.87, 0.89, 0.855]
NEAR = [0.80, 0.84, 0.81, 0.83, 0.83, 0.80]  # no significant difference from BASE


def one(
    base: list[float],
    cand: list[float],
    direction: Direction = HIGHER,
    *,
    paired: bool = False,
    min_runs: int = 5,
    alpha: float = 0.05,
) -> MetricComparison:
    m = measure(
        "acc", direction, base, cand, paired=paired, confidence=1 - alpha, min_runs=min_runs
    )
    return with_holm([m], alpha)[0]


@pytest.mark.parametrize(
    ("direction", "base", "cand", "text"),
    [
        pytest.param(HIGHER, BASE, CAND, "candidate better", id="higher-better"),
        pytest.param(HIGHER, CAND, BASE, "candidate worse", id="higher-worse"),
        pytest.param(LOWER, BASE, CAND, "candidate worse", id="lower-worse"),
        pytest.param(LOWER, CAND, BASE, "candidate better", id="lower-better"),
        pytest.param(NONE, BASE, CAND, "candidate higher (direction not declared)", id="up"),
        pytest.param(NONE, CAND, BASE, "candidate lower (direction not declared)", id="down"),
        pytest.param(HIGHER, BASE, NEAR, "no significant difference", id="no-difference"),
    ],
)
def test_the_verdict_follows_the_direction(
    direction: Direction, base: list[float], cand: list[float], text: str
) -> None:
    m = one(base, cand, direction)
    assert m.verdict == text


def test_a_metric_reports_its_statistics() -> None:
    m = one(BASE, CAND, paired=True)
    assert (m.metric, m.direction, m.direction_source, m.paired) == (
        "acc",
        "higher",
        "declared by the runs",
        True,
    )
    assert m.difference == pytest.approx(0.0525)
    assert set(m.tests) == {"welch_t", "student_t", "mann_whitney", "paired_t", "wilcoxon"}
    assert m.primary == "paired_t" and m.min_runs == 5
    assert m.baseline == stats.summarize(BASE) and m.candidate == stats.summarize(CAND)
    assert m.probability_of_improvement == 1.0 and m.values == (tuple(BASE), tuple(CAND))
    assert set(m.effects) == {
        "hedges_g",
        "cliffs_delta",
        "hodges_lehmann",
        "probability_of_improvement",
    }
    assert m.effects["probability_of_improvement"].value == 1.0
    assert not m.small_sample and not m.constant and m.warnings == ()
    document = m.as_json()
    assert document["primary_test"] == "paired_t" and "values" not in document
    assert document["tests"]["paired_t"]["p_value"] == m.tests["paired_t"].p_value
    assert document["effects"]["hedges_g"]["value"] == m.effects["hedges_g"].value
    assert document["warnings"] == [] and document["holm"] == m.holm
    unpaired = one(BASE, CAND)
    assert set(unpaired.tests) == {"welch_t", "student_t", "mann_whitney"}
    assert unpaired.primary == "welch_t"


def test_the_tests_use_the_confidence_asked_for() -> None:
    m = measure("acc", HIGHER, BASE, CAND, paired=True, confidence=0.9, min_runs=5)
    ref = stats.paired_t(BASE, CAND, confidence=0.9)
    assert m.tests["paired_t"].interval == ref.interval
    assert m.tests["student_t"] == stats.two_sample_t(BASE, CAND, equal_var=True, confidence=0.9)
    assert m.effects["hedges_g"] == hedges_g(BASE, CAND, paired=True, confidence=0.9)
    assert m.effects["hodges_lehmann"] == hodges_lehmann(BASE, CAND, paired=True, confidence=0.9)
    assert m.tests["welch_t"].confidence == m.tests["student_t"].confidence == 0.9
    assert m.effects["hedges_g"].confidence == 0.9


def test_lower_is_better_flips_the_probability_of_improvement() -> None:
    m = one(BASE, CAND, LOWER)
    assert m.probability_of_improvement == 0.0
    assert m.effects["probability_of_improvement"].value == 0.0


def test_too_few_runs_are_inconclusive_whatever_the_difference() -> None:
    m = one(BASE[:4], CAND, min_runs=5)
    assert m.verdict == "inconclusive: fewer than 5 runs per side"
    assert m.small_sample and m.effects == {} and m.seeds_hint is None
    assert m.warnings[0].endswith("run 1 more baseline seed")
    enough = one(BASE[:4], CAND[:4], min_runs=4)
    assert enough.verdict == "candidate better" and not enough.small_sample


def test_an_undeclared_direction_warns_how_to_declare_it() -> None:
    m = one(BASE, CAND, NONE)
    assert len(m.warnings) == 1 and "--direction acc=higher|lower" in m.warnings[0]
    assert m.probability_of_improvement == 1.0


@pytest.mark.parametrize(
    ("base", "cand", "paired", "direction", "text"),
    [
        pytest.param([0.5] * 5, [0.5] * 5, False, HIGHER,
                     "identical: every run of both groups gives the same value", id="same"),
        pytest.param([0.1, 0.2, 0.3, 0.4, 0.5], [0.1, 0.2, 0.3, 0.4, 0.5], True, HIGHER,
                     "identical: every seed gives the same value on both sides", id="same-paired"),
        pytest.param([0.5] * 5, [0.6] * 5, False, HIGHER,
                     "candidate better and every run agrees (no variance)", id="up"),
        pytest.param([0.6] * 5, [0.5] * 5, False, LOWER,
                     "candidate better and every run agrees (no variance)", id="down-lower"),
        pytest.param([0.1, 0.2, 0.3, 0.4, 0.5], [0.2, 0.3, 0.4, 0.5, 0.6], True, HIGHER,
                     "candidate better by the same amount on every seed (no variance)", id="shift"),
        pytest.param([0.5] * 5, [0.4] * 5, False, NONE,
                     "candidate lower and every run agrees (no variance); direction not declared",
                     id="undeclared"),
    ],
)  # fmt: skip
def test_runs_without_variance_agree_exactly(
    base: list[float], cand: list[float], paired: bool, direction: Direction, text: str
) -> None:
    m = one(base, cand, direction, paired=paired)
    assert m.constant and m.verdict == text and m.seeds_hint is None
    # the constant primary test is not a warning: the verdict says it
    assert not any("constant" in w for w in m.warnings)


def test_a_difference_within_rounding_of_constant_runs_is_identical() -> None:
    m = one([0.1 + 0.2] * 5, [0.3] * 5)  # 0.30000000000000004 against 0.3
    assert m.verdict == "identical: every run of both groups gives the same value"


def test_an_undefined_primary_test_is_inconclusive_and_warns() -> None:
    """With min_runs 1, one run a side passes the sample rule but no t-test exists."""
    m = one([0.5], [0.7], min_runs=1)
    assert m.verdict == "inconclusive: the test is undefined for these values"
    assert "welch_t: undefined: each group needs at least 2 values" in m.warnings


def test_a_holm_p_value_exactly_at_alpha_is_not_significant() -> None:
    m = measure("acc", HIGHER, BASE, CAND, paired=False, confidence=0.95, min_runs=5)
    p = m.tests["welch_t"].p_value
    assert p is not None
    assert verdict(m, p, p) == "no significant difference"
    assert verdict(m, p, p * (1 + 1e-9)) == "candidate better"
    assert verdict(m, None, 0.05) == "inconclusive: the test is undefined for these values"


def test_holm_adjusts_each_test_across_the_metrics() -> None:
    metrics = [
        measure(name, HIGHER, BASE, cand, paired=True, confidence=0.95, min_runs=5)
        for name, cand in (("acc", CAND), ("f1", NEAR), ("same", BASE))
    ]
    out = with_holm(metrics, 0.05)
    for test in ("welch_t", "student_t", "mann_whitney", "paired_t", "wilcoxon"):
        raw = [m.tests[test].p_value for m in metrics if m.tests[test].p_value is not None]
        expected = stats.holm([p for p in raw if p is not None])
        found = [m.holm[test] for m in out if test in m.holm]
        assert found == expected
    # "same": every difference zero, the paired tests undefined and not in the family
    assert "paired_t" not in out[2].holm and "wilcoxon" not in out[2].holm
    assert [m.verdict for m in out] == [
        "candidate better",
        "no significant difference",
        "identical: every seed gives the same value on both sides",
    ]


def test_no_significant_difference_says_how_many_seeds_would_resolve_it() -> None:
    m = one(BASE, NEAR)
    assert m.seeds_hint is not None and m.seeds_hint.startswith("about ")
    assert "seeds per side to resolve a difference of 0.00333 at this spread" in m.seeds_hint
    assert f"sd {spread(BASE, NEAR, False):.3g}" in m.seeds_hint
    assert "two-sided 5%" in m.seeds_hint
    paired = one(BASE, NEAR, paired=True)
    assert paired.seeds_hint is not None
    assert "pairs of seeds" in paired.seeds_hint
    assert f"sd {spread(BASE, NEAR, True):.3g}" in paired.seeds_hint
    assert one(BASE, CAND).seeds_hint is None


def test_spread_is_the_sd_the_test_sees() -> None:
    diffs = [c - b for b, c in zip(BASE, NEAR, strict=True)]
    assert spread(BASE, NEAR, True) == pytest.approx(float(sp.tstd(diffs)), rel=1e-12)
    pooled = ((5 * sp.tvar(BASE) + 3 * sp.tvar(NEAR[:4])) / 8) ** 0.5
    assert spread(BASE, NEAR[:4], False) == pytest.approx(pooled, rel=1e-12)
    assert spread([1.0], [2.0], False) == 0.0
