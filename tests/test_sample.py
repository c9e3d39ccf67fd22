"""The shared small-sample and degeneracy policy, pinned at its edges.

R's ``t.test`` (src/library/stats/R/t.test.R): ``if(stderr < 10 *
.Machine$double.eps * max(abs(mx), abs(my))) stop("data are essentially
constant")``; here the scale is the largest magnitude of the values and the
comparison is ``<=``, so data of zeros are constant too.
"""

from __future__ import annotations

import sys

import pytest

from manifest.comparison.sample import (
    RELATIVE_TOLERANCE,
    more_seeds,
    negligible,
    scale,
    shortfall,
    snap,
    snap_zero,
    tolerance,
)


def test_the_tolerance_is_ten_epsilons_of_the_largest_magnitude() -> None:
    assert 10 * sys.float_info.epsilon == RELATIVE_TOLERANCE
    assert scale([0.5, -2.0], [1.0]) == 2.0 and scale([], []) == 0.0
    assert tolerance([0.5, -2.0]) == 20 * sys.float_info.epsilon


@pytest.mark.parametrize(
    ("stderr", "values", "constant"),
    [
        pytest.param(0.0, [0.0, 0.0], True, id="zeros"),
        pytest.param(10 * sys.float_info.epsilon, [1.0], True, id="on-the-line"),
        pytest.param(10.0000001 * sys.float_info.epsilon, [1.0], False, id="just-above"),
        pytest.param(1e-17, [0.95] * 6, True, id="float-noise"),
        pytest.param(1e-3, [0.95] * 6, False, id="spread"),
    ],
)
def test_negligible_standard_errors(stderr: float, values: list[float], constant: bool) -> None:
    assert negligible(stderr, values) is constant


def test_snap_makes_rounding_ties_ties_whatever_the_order() -> None:
    noisy = [0.1 + 0.2, 0.3, 0.7, 0.30000000000000004, 0.3]
    snapped = snap(noisy, tolerance(noisy))
    assert snapped[0] == snapped[1] == snapped[3] == snapped[4] == 0.3 and snapped[2] == 0.7
    assert sorted(snap(noisy[::-1], tolerance(noisy))) == sorted(snapped)
    assert snap([1.0, 1.0 + 1e-9], tolerance([1.0])) == [1.0, 1.0 + 1e-9]  # a real gap stays
    assert snap([2.0, 1.0], 0.0) == [2.0, 1.0]
    assert snap_zero([1e-17, -1e-17, 0.1], 1e-16) == [0.0, 0.0, 0.1]
    assert snap([0.30000000000000004, 0.3], tolerance([0.3])) == [0.3, 0.3]  # two values
    assert snap([], 0.1) == [] and snap([2.5], 0.1) == [2.5]


def test_values_exactly_the_tolerance_apart_are_tied() -> None:
    """The tolerance is inclusive everywhere: a gap of exactly ``tol`` is a tie,
    a magnitude of exactly ``tol`` is zero."""
    assert snap([1.25, 1.0, 1.75], 0.25) == [1.0, 1.0, 1.75]
    assert snap_zero([0.25, -0.25, 0.5], 0.25) == [0.0, 0.0, 0.5]


@pytest.mark.parametrize(
    ("n_b", "n_c", "message"),
    [
        pytest.param(5, 5, None, id="enough"),
        pytest.param(4, 5, "run 1 more baseline seed", id="one-short"),
        pytest.param(1, 3, "run 4 more baseline seeds and 2 more candidate seeds", id="both"),
    ],
)
def test_shortfall_says_how_many_seeds(n_b: int, n_c: int, message: str | None) -> None:
    found = shortfall(n_b, n_c, 5)
    assert found is None if message is None else found is not None and found.endswith(message)


def test_more_seeds() -> None:
    assert more_seeds(23.7, 5) == "run about 19 more seeds per side"
    assert more_seeds(5.2, 5) == "run about 1 more seed per side"
    assert more_seeds(None, 5) == "run more seeds per side"
    assert more_seeds(float("inf"), 5) == "run more seeds per side"


@pytest.mark.parametrize(
    ("needed", "have", "text"),
    [
        pytest.param(None, 5, "run more seeds per side", id="unknown"),
        pytest.param(float("inf"), 5, "run more seeds per side", id="unreachable"),
        pytest.param(5.2, 5, "run about 1 more seed per side", id="one"),
        pytest.param(3.0, 5, "run about 1 more seed per side", id="already-enough"),
        pytest.param(9.1, 5, "run about 5 more seeds per side", id="several"),
        pytest.param(7.0, 5, "run about 2 more seeds per side", id="two"),
    ],
)
def test_more_seeds_says_how_many_per_side(needed: float | None, have: int, text: str) -> None:
    assert more_seeds(needed, have) == text
