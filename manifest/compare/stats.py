"""Pure statistics over metric samples: baseline versus candidate.

Every two-sample function takes ``baseline`` and ``candidate`` and reports the
difference as *candidate minus baseline*, the way R reports ``x - y`` for
``t.test(x, y)`` with ``x`` the candidate. The choices follow R's ``stats``
package so that results agree with R's documented outputs:

- t-tests: Welch (``var.equal = FALSE``), Student (pooled variance) and paired.
- Mann-Whitney U (``wilcox.test(x, y)``): the exact distribution when both
  groups have fewer than 50 values and there are no ties, otherwise the normal
  approximation with tie and continuity corrections. ``W`` is the candidate's U.
- Wilcoxon signed-rank (``wilcox.test(x, y, paired = TRUE)``): zero differences
  dropped; exact when fewer than 50 non-zero differences remain and there are
  no ties and no zeros, otherwise normal with continuity correction. ``V`` is
  the sum of the ranks of the positive differences.
- Holm's step-down adjustment (``p.adjust(p, "holm")``).

A test that is undefined for the data (too few values, no variance) returns a
result whose ``p_value`` is ``None`` and whose ``note`` says why; nothing
returns NaN. SciPy and NumPy are imported inside the functions so that
importing :mod:`manifest` stays cheap.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ALTERNATIVES = ("two-sided", "greater", "less")
EXACT_LIMIT = 50  # R: exact rank tests when n < 50 (and no ties)


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of one group's values (``std`` is the sample SD)."""

    n: int
    mean: float
    std: float | None
    median: float
    min: float
    max: float


@dataclass(frozen=True)
class TestResult:
    """One hypothesis test of candidate against baseline.

    ``estimate`` is the difference (candidate minus baseline: of means for
    t-tests), ``interval`` its confidence interval at ``confidence`` (for a
    one-sided alternative one end is infinite and given as ``None``).
    """

    test: str
    method: str
    statistic: float | None
    p_value: float | None
    alternative: str = "two-sided"
    df: float | None = None
    estimate: float | None = None
    interval: tuple[float | None, float | None] | None = None
    confidence: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Interval:
    """A confidence interval for the difference of means."""

    low: float
    high: float
    confidence: float
    method: str
    note: str | None = None


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _check_alternative(alternative: str) -> None:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, not {alternative!r}")


def summarize(values: Sequence[float]) -> Summary:
    """n, mean, sample standard deviation (None for n < 2), median, min, max."""
    if not values:
        raise ValueError("no values to summarize")
    import statistics

    data = [float(v) for v in values]
    return Summary(
        n=len(data),
        mean=math.fsum(data) / len(data),
        std=statistics.stdev(data) if len(data) > 1 else None,
        median=statistics.median(data),
        min=min(data),
        max=max(data),
    )


def _interval(ci: Any) -> tuple[float | None, float | None]:
    return _finite(ci.low), _finite(ci.high)


def _t_result(
    test: str, method: str, result: Any, estimate: float, confidence: float, alternative: str
) -> TestResult:
    statistic, p_value = _finite(result.statistic), _finite(result.pvalue)
    if statistic is None or p_value is None:
        return TestResult(
            test,
            method,
            None,
            None,
            alternative,
            estimate=estimate,
            note="undefined: the values have no variance",
        )
    return TestResult(
        test,
        method,
        statistic,
        p_value,
        alternative,
        df=float(result.df),
        estimate=estimate,
        interval=_interval(result.confidence_interval(confidence)),
        confidence=confidence,
    )


def _mean(values: Sequence[float]) -> float:
    return math.fsum(float(v) for v in values) / len(values)


def two_sample_t(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    equal_var: bool = False,
    confidence: float = 0.95,
    alternative: str = "two-sided",
    null_difference: float = 0.0,
) -> TestResult:
    """Welch's (default) or Student's two-sample t-test of candidate - baseline.

    Matches R's ``t.test(candidate, baseline, var.equal = equal_var,
    mu = null_difference)``.
    """
    _check_alternative(alternative)
    test, method = (
        ("student_t", "Student two-sample t-test (pooled variance)")
        if equal_var
        else ("welch_t", "Welch two-sample t-test")
    )
    estimate = _mean(candidate) - _mean(baseline)
    if len(baseline) < 2 or len(candidate) < 2:
        return TestResult(
            test,
            method,
            None,
            None,
            alternative,
            estimate=estimate,
            note="undefined: each group needs at least 2 values",
        )
    from scipy import stats

    shifted = [float(v) - null_difference for v in candidate]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # zero variance: reported as a note
        result = stats.ttest_ind(
            shifted, [float(v) for v in baseline], equal_var=equal_var, alternative=alternative
        )
        out = _t_result(test, method, result, estimate, confidence, alternative)
    if out.interval is not None and null_difference:
        low, high = out.interval
        out = _replace_interval(out, low, high, null_difference)
    return out


def _replace_interval(
    out: TestResult, low: float | None, high: float | None, shift: float
) -> TestResult:
    from dataclasses import replace

    return replace(
        out, interval=(None if low is None else low + shift, None if high is None else high + shift)
    )


def paired_t(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    confidence: float = 0.95,
    alternative: str = "two-sided",
    null_difference: float = 0.0,
) -> TestResult:
    """Paired t-test of the differences candidate[i] - baseline[i].

    Matches R's ``t.test(candidate, baseline, paired = TRUE, mu = null_difference)``.
    """
    _check_alternative(alternative)
    if len(baseline) != len(candidate):
        raise ValueError("paired samples must have the same length")
    test, method = "paired_t", "Paired t-test"
    diffs = [float(c) - float(b) for b, c in zip(baseline, candidate, strict=True)]
    estimate = _mean(diffs) if diffs else 0.0
    if len(diffs) < 2:
        return TestResult(
            test,
            method,
            None,
            None,
            alternative,
            estimate=estimate,
            note="undefined: needs at least 2 pairs",
        )
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.ttest_1samp(
            [d - null_difference for d in diffs], 0.0, alternative=alternative
        )
        out = _t_result(test, method, result, estimate, confidence, alternative)
    if out.interval is not None and null_difference:
        out = _replace_interval(out, out.interval[0], out.interval[1], null_difference)
    return out


def _has_ties(values: Sequence[float]) -> bool:
    return len(set(values)) != len(values)


def mann_whitney(
    baseline: Sequence[float], candidate: Sequence[float], *, alternative: str = "two-sided"
) -> TestResult:
    """Mann-Whitney U (Wilcoxon rank-sum) test; ``statistic`` is R's ``W``.

    Exact when both groups have fewer than 50 values and no value is tied,
    else the normal approximation with tie and continuity corrections, as in
    R's ``wilcox.test(candidate, baseline)``.
    """
    _check_alternative(alternative)
    if not baseline or not candidate:
        return TestResult(
            "mann_whitney",
            "Wilcoxon rank-sum (Mann-Whitney U) test",
            None,
            None,
            alternative,
            note="undefined: a group has no values",
        )
    from scipy import stats

    base = [float(v) for v in baseline]
    cand = [float(v) for v in candidate]
    exact = len(base) < EXACT_LIMIT and len(cand) < EXACT_LIMIT and not _has_ties(base + cand)
    method = "exact" if exact else "asymptotic"
    label = (
        "Wilcoxon rank-sum exact test"
        if exact
        else "Wilcoxon rank-sum test with continuity correction (normal approximation)"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.mannwhitneyu(
            cand, base, alternative=alternative, method=method, use_continuity=True
        )
    p_value = _finite(result.pvalue)
    note = None if p_value is not None else "undefined: every value is the same"
    return TestResult(
        "mann_whitney", label, float(result.statistic), p_value, alternative, note=note
    )


def _ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def wilcoxon_signed_rank(
    baseline: Sequence[float], candidate: Sequence[float], *, alternative: str = "two-sided"
) -> TestResult:
    """Wilcoxon signed-rank test of candidate[i] - baseline[i]; ``statistic`` is R's ``V``.

    Zero differences are dropped (R's rule). Exact when under 50 non-zero
    differences remain with no ties and no zeros, else the normal
    approximation with continuity correction.
    """
    _check_alternative(alternative)
    if len(baseline) != len(candidate):
        raise ValueError("paired samples must have the same length")
    diffs = [float(c) - float(b) for b, c in zip(baseline, candidate, strict=True)]
    nonzero = [d for d in diffs if d != 0]
    zeros = len(diffs) - len(nonzero)
    if not nonzero:
        return TestResult(
            "wilcoxon",
            "Wilcoxon signed-rank test",
            None,
            None,
            alternative,
            note="undefined: every difference is zero",
        )
    from scipy import stats

    magnitudes = [abs(d) for d in nonzero]
    ranks = _ranks(magnitudes)
    v = math.fsum(r for r, d in zip(ranks, nonzero, strict=True) if d > 0)
    exact = len(nonzero) < EXACT_LIMIT and not zeros and not _has_ties(magnitudes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns about zeros/ties we handle as R does
        result = stats.wilcoxon(
            nonzero,
            zero_method="wilcox",
            correction=not exact,
            alternative=alternative,
            method="exact" if exact else "approx",
        )
    label = (
        "Wilcoxon signed-rank exact test"
        if exact
        else "Wilcoxon signed-rank test with continuity correction (normal approximation)"
    )
    note = f"{zeros} zero difference(s) dropped" if zeros else None
    return TestResult("wilcoxon", label, v, _finite(result.pvalue), alternative, note=note)


def bootstrap_interval(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    confidence: float = 0.95,
    paired: bool = False,
    seed: int = 0,
    resamples: int = 2000,
) -> Interval | None:
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
        return Interval(point, point, confidence, "degenerate", "every resample is the same")
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
            _finite(result.confidence_interval.low),
            _finite(result.confidence_interval.high),
        )
        if low is not None and high is not None:
            label = f"{method} bootstrap, {resamples} resamples, seed {seed}"
            return Interval(low, high, confidence, label + (", paired" if paired else ""))
    return None


def probability_of_improvement(
    baseline: Sequence[float], candidate: Sequence[float], *, higher_is_better: bool = True
) -> float:
    """P(a candidate run beats a baseline run) over all pairs, ties counted half.

    For higher-is-better metrics this is P(C > B) + P(C = B) / 2, which equals
    the candidate's Mann-Whitney U divided by n_b * n_c; for lower-is-better
    metrics, P(C < B) + P(C = B) / 2.
    """
    if not baseline or not candidate:
        raise ValueError("both groups need values")
    pooled = [float(v) for v in candidate] + [float(v) for v in baseline]
    ranks = _ranks(pooled)
    n_c, n_b = len(candidate), len(baseline)
    u_candidate = math.fsum(ranks[:n_c]) - n_c * (n_c + 1) / 2
    share = u_candidate / (n_b * n_c)
    return share if higher_is_better else 1.0 - share


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
