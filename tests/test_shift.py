"""The Hodges-Lehmann shift (manifest/comparison/shift.py): which interval a
comparison reports, and why there is none, field by field.

Its values are checked against R's ``wilcox.test(conf.int = TRUE)`` and the
rank tests in test_effects.py; these tests pin the choices around them.
"""

from __future__ import annotations

import pytest

from manifest.comparison import shift
from manifest.comparison.effects import Estimate
from manifest.comparison.ranktest import EXACT_LIMIT
from manifest.comparison.shift import hodges_lehmann

UNPAIRED = "median of all differences"
PAIRED = "pseudomedian of the paired differences"


def estimate(base: list[float], cand: list[float], paired: bool = False) -> Estimate:
    return hodges_lehmann(base, cand, paired=paired, confidence=0.9)


@pytest.mark.parametrize(("base", "cand"), [([1.0], [2.0, 3.0]), ([1.0, 2.0], [3.0]), ([], [])])
def test_fewer_than_two_runs_a_side_have_no_shift(base: list[float], cand: list[float]) -> None:
    assert estimate(base, cand) == Estimate(
        "hodges_lehmann", None, None, None, 0.9, UNPAIRED, "needs 2 runs per side"
    )


def test_too_many_pairs_are_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shift, "PAIRS_LIMIT", 6)
    assert estimate([1.0, 2.0], [3.0, 4.0, 5.0]).value is not None  # 6 pairs: on the line
    assert estimate([1.0, 2.0, 3.0], [3.0, 4.0, 5.0]) == Estimate(
        "hodges_lehmann", None, None, None, 0.9, UNPAIRED, "too many pairs"
    )
    assert estimate([1.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).note == "needs 2 runs per side"


def test_constant_sides_give_a_shift_without_an_interval() -> None:
    why = "no interval: every run of each side gives the same value"
    assert estimate([1.0, 1.0], [3.5, 3.5, 3.5]) == Estimate(
        "hodges_lehmann", 2.5, None, None, 0.9, UNPAIRED, why
    )
    one_side = estimate([1.0, 1.0], [3.0, 4.0, 5.0])  # only one side constant: an interval
    assert one_side.value == 3.0 and one_side.low is not None and one_side.note is None


def test_two_runs_a_side_span_every_difference() -> None:
    got = estimate([1.0, 2.0], [4.0, 7.0])
    assert got == Estimate("hodges_lehmann", 4.0, 2.0, 6.0, 0.9, UNPAIRED + ", exact interval")


def test_the_exact_interval_stops_at_the_rank_tests_limit() -> None:
    below = [float(i) for i in range(EXACT_LIMIT - 1)]
    at = [float(i) for i in range(EXACT_LIMIT)]
    shifted = [v + 0.5 for v in below]
    assert estimate(below, shifted).method == UNPAIRED + ", exact interval"
    assert estimate(at, shifted).method == UNPAIRED + ", asymptotic interval"
    assert estimate(shifted, at).method == UNPAIRED + ", asymptotic interval"
    tied = estimate([1.0, 2.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert tied == Estimate(
        "hodges_lehmann", tied.value, tied.low, tied.high, 0.9, UNPAIRED + ", asymptotic interval"
    )


def test_paired_shifts_without_an_interval_say_why() -> None:
    assert estimate([1.0, 2.0], [1.0, 2.0], paired=True) == Estimate(
        "hodges_lehmann", 0.0, None, None, 0.9, PAIRED,
        "no interval: fewer than 2 non-zero differences",
    )  # fmt: skip
    assert estimate([1.0, 2.0], [1.0, 4.0], paired=True) == Estimate(
        "hodges_lehmann", 2.0, None, None, 0.9, PAIRED,
        "no interval: fewer than 2 non-zero differences",
    )  # fmt: skip
    assert estimate([1.0, 2.0, 3.0], [2.0, 3.0, 4.0], paired=True) == Estimate(
        "hodges_lehmann", 1.0, None, None, 0.9, PAIRED, "no interval: every difference is the same"
    )


def test_paired_intervals_say_which_and_what_was_dropped() -> None:
    exact = estimate([1.0, 2.0, 3.0], [2.0, 4.0, 7.0], paired=True)
    assert exact == Estimate("hodges_lehmann", 2.25, 1.0, 4.0, 0.9, PAIRED + ", exact interval")
    tied = estimate([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 5.0, 7.0], paired=True)  # |d| ties
    assert (tied.name, tied.confidence, tied.method, tied.note) == (
        "hodges_lehmann", 0.9, PAIRED + ", asymptotic interval", None,
    )  # fmt: skip
    dropped = estimate([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 5.0, 8.0], paired=True)
    assert (dropped.name, dropped.confidence, dropped.method, dropped.note) == (
        "hodges_lehmann", 0.9, PAIRED + ", asymptotic interval", "1 zero difference(s) dropped",
    )  # fmt: skip
    assert dropped.low is not None and dropped.high is not None
    assert dropped.low <= dropped.value <= dropped.high  # type: ignore[operator]
