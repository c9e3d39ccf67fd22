"""A bootstrap confidence interval (BCa) of the difference of means.

- **Independent of input order.** Each group's values (the differences, for
  paired runs) are sorted before resampling, so the same values give the same
  interval whatever the order of the files, their names or run ids.
- **The same interval as SciPy.** The resamples are drawn as
  ``scipy.stats.bootstrap`` draws them (a ``numpy`` generator seeded with
  ``seed``, ``batch`` rows per group in turn) and the BCa interval is Efron's,
  computed as SciPy computes it; with ``batch=BATCH`` and the same sorted
  data, SciPy gives the same interval (``tests/test_effects.py``). One
  difference: a resample whose mean equals the observed one up to the
  rounding of a sum counts as equal (SciPy compares exact floats, so a
  one-ulp difference from summation order can move its bias correction). Doing it
  here avoids importing ``scipy.stats`` (see :mod:`.distributions`) and
  works alike on every SciPy version (``rng=`` needs SciPy 1.15).
- **Its Monte Carlo error is stated.** Each end is a quantile of B
  resamples; its standard error is estimated from the order statistics
  ``B * (p -+ sqrt(p (1 - p) / B))`` around it (about 0.7% of the interval's
  width at B = 10,000 for a smooth distribution). Reporters print the ends to
  the decimal place of that error, so every digit but the last stays put when
  the seed changes; more ``--resamples`` give more digits.
- **Where it undercovers, it says so.** With few runs the bootstrap
  distribution is too narrow (plug-in variance, normal tails): see
  :data:`UNDERCOVERS_BELOW`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import distributions as dist
from .sample import negligible, tolerance

DEFAULT_RESAMPLES = 10_000
BATCH = 1000
UNDERCOVERS_BELOW = 20


@dataclass(frozen=True)
class BootstrapInterval:
    """A bootstrap confidence interval for the difference of means."""

    low: float
    high: float
    confidence: float
    method: str
    monte_carlo_se: float = 0.0
    resamples: int = 0
    note: str | None = None


def _replicates(columns: list[Any], resamples: int, seed: int) -> Any:
    """Mean of each resample of each column of ``columns`` (one (n, M) array
    per group): an (M, B) array of candidate minus baseline (or of the mean of
    the single group)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = [np.ascontiguousarray(c.T) for c in columns]  # (M, n): one gather per metric
    out = []
    for start in range(0, resamples, BATCH):
        size = min(BATCH, resamples - start)
        draws = [rng.integers(0, len(c), size=(size, len(c)), dtype=np.int64) for c in columns]
        means = [
            np.stack([np.take(row, idx).mean(axis=1) for row in values])
            for values, idx in zip(rows, draws, strict=True)
        ]
        out.append(means[-1] - means[0] if len(means) == 2 else means[0])
    return np.concatenate(out, axis=1)


def _jackknife_acceleration(columns: list[Any]) -> Any:
    """Efron's acceleration from the leave-one-out means, per metric (SciPy's
    formula, each group jackknifed in turn)."""
    import numpy as np

    nums, dens = 0.0, 0.0
    for sign, values in zip((-1.0, 1.0) if len(columns) == 2 else (1.0,), columns, strict=True):
        n = values.shape[0]
        loo = sign * (values.sum(axis=0) - values) / (n - 1)  # (n, M)
        u = (n - 1) * (loo.mean(axis=0) - loo)
        nums = nums + (u**3).sum(axis=0) / n**3
        dens = dens + (u**2).sum(axis=0) / n**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return nums / 6 / dens**1.5


def _levels(
    theta_b: Any, theta: float, a: float, confidence: float, tie: float
) -> tuple[float, float]:
    """BCa's percentile levels of the two ends (NaN when undefined); a
    resample within ``tie`` of ``theta`` (summation order) counts as equal."""
    import numpy as np

    b = len(theta_b)
    below, above = np.sum(theta_b < theta - tie), np.sum(theta_b > theta + tie)
    share = (2 * below + (b - below - above)) / (2 * b)
    z0 = dist.norm_ppf(float(share))  # Python floats from here: inf / inf is NaN, no warning
    z = dist.norm_ppf((1 - confidence) / 2)
    ends = []
    for zq in (z, -z):
        num = z0 + zq
        ends.append(dist.norm_cdf(z0 + num / (1 - a * num)))
    return ends[0], ends[1]


def quantile_se(theta_b: Any, level: float) -> float:
    """Standard error of the ``level`` quantile of B resamples, from the
    order statistics one binomial standard deviation either side."""
    import numpy as np

    b = len(theta_b)
    spread = math.sqrt(level * (1 - level) / b)
    low, high = max(level - spread, 0.0), min(level + spread, 1.0)
    q = np.percentile(theta_b, [100 * low, 100 * high])
    return float(q[1] - q[0]) / 2


def _interval(
    theta_b: Any, theta: float, a: float, confidence: float, label: str, tie: float
) -> Any:
    import numpy as np

    levels = _levels(theta_b, theta, float(a), confidence, tie)
    method = "BCa"
    if not all(math.isfinite(x) for x in levels):
        alpha = (1 - confidence) / 2
        levels, method = (alpha, 1 - alpha), "percentile"
    low, high = (float(x) for x in np.percentile(theta_b, [100 * levels[0], 100 * levels[1]]))
    se = max(quantile_se(theta_b, levels[0]), quantile_se(theta_b, levels[1]))
    if se <= 1e-12 * max(abs(low), abs(high)):  # ends on resampled values that do not vary
        se = 0.0
    return BootstrapInterval(
        low, high, confidence, f"{method} bootstrap, {label}", se, len(theta_b)
    )


def bootstrap_intervals(
    baseline: Sequence[Sequence[float]],
    candidate: Sequence[Sequence[float]],
    *,
    paired: bool,
    confidence: float = 0.95,
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
) -> list[BootstrapInterval | None]:
    """The BCa interval of mean(candidate) - mean(baseline) for each metric
    (``baseline[k]``, ``candidate[k]``; aligned pairs when ``paired``).

    Metrics with the same number of runs share their resample indices, and
    each metric's interval is the one it would get alone. None for a metric
    with fewer than 2 values in a group.
    """
    import numpy as np

    out: list[BootstrapInterval | None] = [None] * len(baseline)
    shapes: dict[tuple[int, int], list[int]] = {}
    for k, (b, c) in enumerate(zip(baseline, candidate, strict=True)):
        if min(len(b), len(c)) >= 2:
            shapes.setdefault((len(b), len(c)), []).append(k)
    label = f"{resamples} resamples, seed {seed}" + (", paired" if paired else "")
    for keys in shapes.values():
        if paired:
            diffs = [np.subtract(candidate[k], baseline[k], dtype=float) for k in keys]
            columns = [np.sort(np.stack(diffs, axis=1), axis=0)]
        else:
            columns = [
                np.sort(np.array([list(map(float, side[k])) for k in keys]).T, axis=0)
                for side in (baseline, candidate)
            ]
        theta = columns[-1].mean(axis=0) - (columns[0].mean(axis=0) if not paired else 0)
        degenerate = [_degenerate(baseline[k], candidate[k], paired) for k in keys]
        needed = [j for j, d in enumerate(degenerate) if not d]
        if needed:
            replicates = _replicates([c[:, needed] for c in columns], resamples, seed)
            accel = _jackknife_acceleration([c[:, needed] for c in columns])
        for j, k in enumerate(keys):
            if degenerate[j]:
                point = float(theta[j])
                note = "every resample gives the same difference: the runs do not vary"
                out[k] = BootstrapInterval(point, point, confidence, "degenerate", note=note)
                continue
            row = needed.index(j)
            n = max(len(baseline[k]), len(candidate[k]))
            tie = n * tolerance(baseline[k], candidate[k])  # rounding of a sum of n values
            out[k] = _interval(replicates[row], float(theta[j]), accel[row], confidence, label, tie)
    return out


def bootstrap_interval(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    confidence: float = 0.95,
    paired: bool = False,
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
) -> BootstrapInterval | None:
    """The BCa interval of one metric (see :func:`bootstrap_intervals`)."""
    return bootstrap_intervals(
        [baseline], [candidate], paired=paired, confidence=confidence, seed=seed,
        resamples=resamples,
    )[0]  # fmt: skip


def _degenerate(base: Sequence[float], cand: Sequence[float], paired: bool) -> bool:
    if paired:
        diffs = [float(c) - float(b) for b, c in zip(base, cand, strict=True)]
        spread = max(diffs) - min(diffs)
    else:
        spread = max(max(base) - min(base), max(cand) - min(cand))
    return negligible(spread, base, cand)


def undercoverage(n_baseline: int, n_candidate: int) -> str | None:
    """A warning when the bootstrap interval is known to be too narrow."""
    n = min(n_baseline, n_candidate)
    if n >= UNDERCOVERS_BELOW:
        return None
    return (
        f"the bootstrap interval undercovers with n = {n} per side (fewer than "
        f"{UNDERCOVERS_BELOW}): it is too narrow, trust the t interval"
    )
