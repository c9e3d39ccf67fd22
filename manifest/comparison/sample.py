"""One small-sample and degeneracy policy for compare, gate and verify.

- **Too few runs.** Below ``min_runs`` runs on a side (default
  :data:`MIN_RUNS`, settable with ``--min-runs`` or a policy's ``min_runs``)
  nothing is declared better, worse, shown or equivalent: the verdict and every
  gate rule are *inconclusive*, and say how many more seeds to run.
- **Essentially constant.** Runs that agree up to floating-point rounding have
  no variance, whatever rounding left in them: R's ``t.test`` stops with "data
  are essentially constant" when the standard error is below
  ``10 * .Machine$double.eps`` times the larger mean. Here the scale is the
  largest magnitude of the values compared (for paired runs: of the runs
  themselves, not of their differences), so integers and floats, paired and
  unpaired runs, are judged alike: ``[0.1, ..., 0.5]`` against
  ``[0.2, ..., 0.6]`` paired is as constant a shift as ``[1, ..., 5]`` against
  ``[2, ..., 6]``.
- **Ties.** Rank statistics (Mann-Whitney, Wilcoxon, Cliff's delta,
  P(improvement), Hodges-Lehmann) see values within that same tolerance as
  tied (:func:`snap`), so float noise never breaks a tie.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence

MIN_RUNS = 5
EPSILONS = 10  # R's t.test: 10 * .Machine$double.eps
RELATIVE_TOLERANCE = EPSILONS * sys.float_info.epsilon


def scale(*groups: Iterable[float]) -> float:
    """The largest magnitude among the values of ``groups`` (0 for none)."""
    return max((abs(float(v)) for group in groups for v in group), default=0.0)


def tolerance(*groups: Iterable[float]) -> float:
    """The spread below which the values of ``groups`` are essentially constant."""
    return RELATIVE_TOLERANCE * scale(*groups)


def negligible(stderr: float, *groups: Iterable[float]) -> bool:
    """Whether a standard error of ``stderr`` is rounding noise for data on
    the scale of ``groups`` (R: ``stderr < 10 * eps * max(abs(mx), abs(my))``;
    here ``<=`` on the largest magnitude, so all-zero data are constant too)."""
    return stderr <= tolerance(*groups)


def snap(values: Sequence[float], tol: float) -> list[float]:
    """``values`` with every run of sorted values at most ``tol`` from its
    neighbour replaced by the smallest of the run: ties that rounding split
    are ties again. The result does not depend on the order of ``values``."""
    data = [float(v) for v in values]
    if not data:
        return data
    order = sorted(range(len(data)), key=data.__getitem__)
    out = list(data)
    anchor = data[order[0]]
    previous = anchor
    for i in order:
        if data[i] - previous > tol:
            anchor = data[i]
        previous = data[i]
        out[i] = anchor
    return out


def snap_zero(values: Sequence[float], tol: float) -> list[float]:
    """``values`` with magnitudes at most ``tol`` set to exactly 0."""
    return [0.0 if abs(v) <= tol else float(v) for v in values]


def shortfall(n_baseline: int, n_candidate: int, min_runs: int) -> str | None:
    """Why ``n`` runs per side are too few (None when both sides have
    ``min_runs``), with how many more seeds each side needs."""
    missing = [
        f"{min_runs - n} more {label} seed{'s' if min_runs - n > 1 else ''}"
        for label, n in (("baseline", n_baseline), ("candidate", n_candidate))
        if n < min_runs
    ]
    if not missing:
        return None
    return (
        f"n = {n_baseline} baseline, {n_candidate} candidate: at least {min_runs} runs per "
        f"side are needed before a side is declared better; run {' and '.join(missing)}"
    )


def more_seeds(needed: float | None, have: int) -> str:
    """``run about 12 more seeds per side`` (``needed`` per side in all)."""
    if needed is None or not math.isfinite(needed):
        return "run more seeds per side"
    extra = max(math.ceil(needed) - have, 1)
    return f"run about {extra} more seed{'s' if extra > 1 else ''} per side"
