"""Cliff's delta and the probability of improvement (manifest/comparison/effects.py).

The unbiased variance is checked against ``effsize::cliff.delta`` in
test_effects.py. Here every interval, including those where Cliff's
consistent variance replaces a negative unbiased one (disjoint samples,
where Feng and Cliff also shrink |d| = 1 to (n1*n2 - 1) / (n1*n2)), is
checked against the dominance matrix computed cell by cell and Cliff's
(1993) interval (d - d^3 +- z s sqrt((1 - d^2)^2 + z^2 s^2)) / (1 - d^2 + z^2 s^2),
with the exact fields a comparison report shows.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from manifest.comparison.effects import Estimate, cliffs_delta, probability_of_improvement

METHOD = "Feng-Cliff interval"
P_METHOD = "from Cliff's delta; ties count half"


def by_the_matrix(
    baseline: list[float], candidate: list[float], confidence: float, normal: bool
) -> tuple[float, float, float]:
    cells = np.sign(np.subtract.outer(np.array(candidate), np.array(baseline)))
    n1, n2 = cells.shape
    d = float(cells.mean())
    shrunk = d * (n1 * n2 - 1) / (n1 * n2) if abs(d) == 1 else d
    rows_ss = float(((cells.mean(axis=1) - shrunk) ** 2).sum())
    cols_ss = float(((cells.mean(axis=0) - shrunk) ** 2).sum())
    cells_ss = float(((cells - shrunk) ** 2).sum())
    var = (n2**2 * rows_ss + n1**2 * cols_ss - cells_ss) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    if var <= 0:  # Cliff's consistent estimate
        var = (
            (n2 - 1) * rows_ss / (n1 - 1)
            + (n1 - 1) * cols_ss / (n2 - 1)
            + cells_ss / (n1 - 1) / (n2 - 1)
        ) / (n1 * n2)
    alpha = 1 - confidence
    z = stats.norm.ppf(1 - alpha / 2) if normal else stats.t.ppf(1 - alpha / 2, n1 + n2 - 2)
    root = z * math.sqrt(var) * math.sqrt((1 - shrunk**2) ** 2 + z**2 * var)
    bottom = 1 - shrunk**2 + z**2 * var
    low, high = (shrunk - shrunk**3 - root) / bottom, (shrunk - shrunk**3 + root) / bottom
    return d, (-1.0 if d == -1 else low), (1.0 if d == 1 else high)


SAMPLES = {
    "disjoint-3-3": ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
    "disjoint-2-5": ([1.0, 2.0], [3.0, 4.0, 5.0, 6.0, 7.0]),
    "disjoint-below-4-2": ([5.0, 6.0, 7.0, 8.0], [1.0, 2.0]),
    "ties": ([1.0, 2.0, 2.0, 3.0], [2.0, 2.0, 3.0, 3.0, 4.0]),
    "overlap": ([0.81, 0.79, 0.80, 0.83, 0.82], [0.84, 0.80, 0.85, 0.86, 0.83, 0.85]),
    "all-tied": ([1.0, 1.0], [1.0, 1.0, 1.0]),
    "two-a-side": ([1.0, 3.0], [2.0, 4.0]),
}


@pytest.mark.parametrize("normal", [False, True], ids=["t", "normal"])
@pytest.mark.parametrize("confidence", [0.95, 0.8])
@pytest.mark.parametrize("sample", list(SAMPLES))
def test_cliffs_delta_is_the_dominance_matrix_and_cliffs_interval(
    sample: str, confidence: float, normal: bool
) -> None:
    baseline, candidate = SAMPLES[sample]
    got = cliffs_delta(baseline, candidate, confidence=confidence, normal=normal)
    d, low, high = by_the_matrix(baseline, candidate, confidence, normal)
    assert (got.name, got.confidence, got.method, got.note) == (
        "cliffs_delta",
        confidence,
        METHOD,
        None,
    )
    assert got.value == pytest.approx(d, abs=1e-15)
    assert (got.low, got.high) == pytest.approx((low, high), rel=1e-12, abs=1e-15)
    assert got.low is not None and got.high is not None
    assert -1 <= got.low <= got.value <= got.high <= 1


@pytest.mark.parametrize(
    ("baseline", "candidate"),
    [([1.0], [2.0, 3.0]), ([1.0, 2.0], [3.0]), ([], [1.0, 2.0])],
)
def test_fewer_than_two_runs_a_side_has_no_delta(
    baseline: list[float], candidate: list[float]
) -> None:
    assert cliffs_delta(baseline, candidate, confidence=0.9) == Estimate(
        "cliffs_delta", None, None, None, 0.9, METHOD, "needs 2 runs per side"
    )


def test_the_probability_of_improvement_follows_the_direction() -> None:
    delta = Estimate("cliffs_delta", 0.5, -0.25, 0.75, 0.9, METHOD)
    assert probability_of_improvement(delta, "higher") == Estimate(
        "probability_of_improvement", 0.75, 0.375, 0.875, 0.9, P_METHOD
    )
    assert probability_of_improvement(delta, None) == Estimate(
        "probability_of_improvement", 0.75, 0.375, 0.875, 0.9, P_METHOD
    )
    assert probability_of_improvement(delta, "lower") == Estimate(
        "probability_of_improvement", 0.25, 0.125, 0.625, 0.9, P_METHOD
    )


@pytest.mark.parametrize(
    "delta",
    [
        Estimate("cliffs_delta", None, None, None, 0.8, METHOD, "needs 2 runs per side"),
        Estimate("cliffs_delta", 0.5, None, 0.75, 0.8, METHOD, "why"),
        Estimate("cliffs_delta", 0.5, -0.25, None, 0.8, METHOD, "why"),
    ],
)
def test_an_undefined_delta_gives_an_undefined_probability(delta: Estimate) -> None:
    assert probability_of_improvement(delta, "lower") == Estimate(
        "probability_of_improvement", None, None, None, 0.8, P_METHOD, delta.note
    )
