"""A bootstrap confidence interval of the difference of means."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .htest import finite


@dataclass(frozen=True)
class BootstrapInterval:
    """A bootstrap confidence interval for the difference of means."""

    low: float
    high: float
    confidence: float
    method: str
    note: str | None = None


def bootstrap_interval(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    confidence: float = 0.95,
    paired: bool = False,
    seed: int = 0,
    resamples: int = 2000,
) -> BootstrapInterval | None:
    """Bootstrap confidence interval (BCa) of mean(candidate) - mean(baseline).

    Uses :func:`scipy.stats.bootstrap` with a generator seeded by ``seed``, so
    the same inputs give the same interval. Falls back to the percentile
    method where BCa is undefined (degenerate data). None for fewer than 2
    values in a group.
    """
    if len(baseline) < 2 or len(candidate) < 2:
        return None
    import numpy as np
    from scipy import stats

    base = np.asarray(baseline, dtype=float)
    cand = np.asarray(candidate, dtype=float)

    def difference(b: Any, c: Any, axis: int = -1) -> Any:
        return np.mean(c, axis=axis) - np.mean(b, axis=axis)

    point = float(cand.mean() - base.mean())
    if np.ptp(base) == 0 and np.ptp(cand) == 0:
        return BootstrapInterval(
            point, point, confidence, "degenerate", "every resample is the same"
        )
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DegenerateDataWarning: handled by the fallback
            result = stats.bootstrap(
                (base, cand),
                difference,
                n_resamples=resamples,
                vectorized=True,
                paired=paired,
                confidence_level=confidence,
                method=method,
                rng=np.random.default_rng(seed),
            )
        low, high = (
            finite(result.confidence_interval.low),
            finite(result.confidence_interval.high),
        )
        if low is not None and high is not None:
            label = f"{method} bootstrap, {resamples} resamples, seed {seed}"
            return BootstrapInterval(low, high, confidence, label + (", paired" if paired else ""))
    return None
