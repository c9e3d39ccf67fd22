"""The statistics of a comparison, by name: baseline versus candidate.

Every two-sample function takes ``baseline`` and ``candidate`` and reports the
difference as *candidate minus baseline*, the way R reports ``x - y`` for
``t.test(x, y)`` with ``x`` the candidate. The choices follow R's ``stats``
package so that results agree with R's documented outputs:

- t-tests (:mod:`.ttest`): Welch (``var.equal = FALSE``), Student (pooled
  variance) and paired.
- Mann-Whitney U (:mod:`.ranktest`, ``wilcox.test(x, y)``): the exact
  distribution when both groups have fewer than 50 values and there are no
  ties, otherwise the normal approximation with tie and continuity
  corrections. ``W`` is the candidate's U.
- Wilcoxon signed-rank (``wilcox.test(x, y, paired = TRUE)``): zero
  differences dropped; exact when fewer than 50 non-zero differences remain
  and there are no ties and no zeros, otherwise normal with continuity
  correction. ``V`` is the sum of the ranks of the positive differences.
- A seeded, order-free BCa bootstrap interval with its Monte Carlo error
  (:mod:`.bootstrap`).
- Effect sizes with intervals (:mod:`.effects`, :mod:`.shift`): Hedges' g as
  ``effectsize::hedges_g``, Cliff's delta as ``effsize::cliff.delta``, the
  Hodges-Lehmann shift as ``wilcox.test(conf.int = TRUE)``, P(improvement).
- The seeds needed to resolve a difference (:mod:`.power`, ``power.t.test``).
- Holm's step-down adjustment (``p.adjust(p, "holm")``).

Every rule about too few runs and about data without variance (up to
rounding) is in :mod:`.sample`, shared with the gate and verify. A test that
is undefined for the data returns a result whose ``p_value`` is ``None`` and
whose ``note`` says why; nothing returns NaN. SciPy and NumPy are imported
inside the functions so that importing :mod:`manifest` stays cheap, and only
``scipy.special`` is used (:mod:`.distributions`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from .bootstrap import BootstrapInterval, bootstrap_interval, bootstrap_intervals
from .htest import ALTERNATIVES, Summary, TestResult
from .ranktest import mann_whitney, probability_of_improvement, wilcoxon_signed_rank
from .ttest import contrast_t, paired_t, two_sample_t

__all__ = [
    "ALTERNATIVES",
    "BootstrapInterval",
    "Summary",
    "TestResult",
    "bootstrap_interval",
    "bootstrap_intervals",
    "contrast_t",
    "holm",
    "mann_whitney",
    "paired_t",
    "probability_of_improvement",
    "summarize",
    "two_sample_t",
    "wilcoxon_signed_rank",
]


def summarize(values: Sequence[float]) -> Summary:
    """n, mean, sample standard deviation (None for n < 2), median, min, max."""
    if not values:
        raise ValueError("no values to summarize")
    data = [float(v) for v in values]
    return Summary(
        n=len(data),
        mean=math.fsum(data) / len(data),
        std=statistics.stdev(data) if len(data) > 1 else None,
        median=statistics.median(data),
        min=min(data),
        max=max(data),
    )


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given (R's ``p.adjust``)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(p_values[index])))
        adjusted[index] = running
    return adjusted
