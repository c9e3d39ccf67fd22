"""Gate criteria that are tests: what the runs *show*, not what the means say.

With the *improvement* ``c - b`` (higher is better) or ``b - c`` (lower is
better) of the metric's means, and the one-sided t-test of the policy's
confidence (paired t when the runs are paired by seed, else Welch):

- ``min_change: d`` (superiority by a margin): holds when the one-sided
  lower confidence bound of the improvement reaches ``d``, i.e. the test
  rejects H0 ``improvement <= d``; a negative ``d`` is the regression allowed.
  ``point_estimate: true`` judges the improvement of the means alone.
- ``min_relative_change: r``: ``improvement / b >= r``, shown by the t-test of
  ``c - (1 + r) b > 0`` (lower is better: ``c - (1 - r) b < 0``), with
  Welch-Satterthwaite df; undefined when ``b <= 0``. ``point_estimate: true``
  judges ``improvement / b`` alone.
- ``non_inferiority_margin: m``: the lower confidence bound of the
  improvement is above ``-m`` (H0 ``improvement <= -m`` rejected).
- ``equivalence: m`` (TOST, Schuirmann 1987; statsmodels ``ttost_ind`` /
  ``ttost_paired``): both one-sided tests reject, i.e. the ``1 - 2 alpha``
  interval of the difference lies inside ``(-m, m)``; needs no direction.

Runs without variance beyond rounding (:mod:`manifest.comparison.sample`) have a
bound equal to the observed value. A check that fails says whether the
candidate falls short or the interval is too wide, and then about how many
seeds per side would resolve it (R's ``power.t.test``, one-sided).
"""

from __future__ import annotations

from typing import Any

from ..comparison import stats
from ..comparison.comparison import HIGHER, MetricComparison
from ..comparison.directions import improvement
from ..comparison.metric import spread
from ..comparison.power import seeds_needed
from ..comparison.sample import more_seeds, tolerance
from .policy import PolicyRule
from .rulecheck import RuleCheck, check, g


def changed(amount: float, tol: float = 0.0) -> str:
    """``improved by 0.048``, ``regressed by 0.02`` or ``unchanged``."""
    if abs(amount) <= tol:
        return "unchanged"
    return f"improved by {g(amount)}" if amount > 0 else f"regressed by {g(-amount)}"


def _test(m: MetricComparison, null: float, alternative: str, confidence: float) -> Any:
    base, cand = m.values
    if m.paired:
        return stats.paired_t(
            base, cand, confidence=confidence, alternative=alternative, null_difference=null
        )
    return stats.two_sample_t(
        base, cand, confidence=confidence, alternative=alternative, null_difference=null
    )


def _lower_bound(m: MetricComparison, margin: float, confidence: float) -> tuple[Any, float | None]:
    """The one-sided test of H0 ``improvement <= margin`` and the lower
    confidence bound of the improvement (the observed one without variance)."""
    higher = m.direction == HIGHER
    result = _test(m, margin if higher else -margin, "greater" if higher else "less", confidence)
    if result.constant:
        return result, improvement(m.direction, m.difference)
    if result.interval is None:
        return result, None
    low, high = result.interval
    return result, low if higher else (None if high is None else -high)


def _too_wide(m: MetricComparison, delta: float, alpha: float) -> str:
    base, cand = m.values
    n = seeds_needed(delta, spread(base, cand, m.paired), paired=m.paired, alpha=alpha, sides=1)
    have = min(len(base), len(cand))
    return f"the interval is too wide to show it: {more_seeds(n, have)}"


def _evidence(m: MetricComparison, result: Any, confidence: float, **extra: Any) -> dict[str, Any]:
    keys = ("test", "method", "alternative", "statistic", "df", "p_value", "interval", "note")
    return {
        **{k: getattr(result, k) for k in keys},
        "confidence": confidence,
        "baseline_mean": m.baseline.mean,
        "candidate_mean": m.candidate.mean,
        "difference": m.difference,
        "improvement": improvement(m.direction, m.difference),
        "direction": m.direction,
        "n_baseline": m.baseline.n,
        "n_candidate": m.candidate.n,
        **extra,
    }


def _how(result: Any) -> str:
    if result.constant:
        return "no variance across the runs: the bound is the observed value"
    return f"{result.method}, one-sided p = {result.p_value:.4g}"


def _min_change(rule: PolicyRule, d: float, m: MetricComparison, confidence: float) -> RuleCheck:
    gain = improvement(m.direction, m.difference)
    tol = tolerance(*m.values)
    if d < 0 and gain < 0:
        short = f"{changed(gain, tol)}, more than the {g(-d)} allowed"
    else:
        short = f"{changed(gain, tol)}, short of the required {g(d)}"
    if rule.point_estimate:
        ok = gain >= d
        message = f"{changed(gain, tol)}, reaching the required {g(d)}" if ok else short
        return check(
            rule, "min_change", ok, message + " (means only: point_estimate)",
            expected=f">= {g(d)}", found=g(gain),
            action=None if ok else "improve the candidate, or lower min_change",
            evidence={"improvement": gain, "baseline_mean": m.baseline.mean,
                      "candidate_mean": m.candidate.mean, "point_estimate": True},
        )  # fmt: skip
    result, bound = _lower_bound(m, d, confidence)
    if bound is None:
        return check(rule, "min_change", None, f"test undefined: {result.note}")
    ok = bound >= d
    level = f"its {confidence:g} lower bound {g(bound)}"
    if ok:
        message = f"{changed(gain, tol)}; {level} reaches the required {g(d)} ({_how(result)})"
    elif gain >= d:
        message = (
            f"{changed(gain, tol)}, but {level} is short of the required {g(d)} ({_how(result)})"
        )
    else:
        message = f"{short}; {level} ({_how(result)})"
    action = None
    if not ok:
        action = (
            _too_wide(m, gain - d, 1 - confidence)
            if gain >= d
            else "the candidate does not improve enough: improve it, or lower min_change"
        )
    return check(
        rule, "min_change", ok, message, expected=f"lower bound >= {g(d)}", found=g(bound),
        action=action, evidence=_evidence(m, result, confidence, improvement_lower_bound=bound),
    )  # fmt: skip


def _relative(rule: PolicyRule, r: float, m: MetricComparison, confidence: float) -> RuleCheck:
    base_mean = m.baseline.mean
    if base_mean <= 0:
        return check(
            rule, "min_relative_change", None,
            f"relative change undefined: the baseline mean is {g(base_mean)}, and a "
            "relative change needs a baseline mean > 0",
            expected="a baseline mean > 0", found=g(base_mean),
            action="use min_change (an absolute change) for this metric",
            evidence={"baseline_mean": base_mean, "candidate_mean": m.candidate.mean},
        )  # fmt: skip
    relative = improvement(m.direction, m.difference) / base_mean + 0.0  # no "-0%"
    evidence: dict[str, Any] = {"relative_improvement": relative, "baseline_mean": base_mean}
    ok: bool | None = relative >= r
    how = "means only: point_estimate"
    if not rule.point_estimate:
        higher = m.direction == HIGHER
        result = stats.contrast_t(
            *m.values, weight=1 + r if higher else 1 - r, paired=m.paired,
            alternative="greater" if higher else "less", confidence=confidence,
        )  # fmt: skip
        if not result.constant:
            ok = None if result.p_value is None else result.p_value <= 1 - confidence
        how = _how(result)
        evidence = _evidence(m, result, confidence, **evidence)
        evidence["contrast_interval"] = evidence.pop("interval")  # of c - (1 +- r) b
    if rule.point_estimate:
        verb = "reaches" if ok else "falls short of"
    else:
        verb = "is shown to reach" if ok else "is not shown to reach"
    action = None if ok else "improve the candidate, or run more seeds to show it"
    return check(
        rule, "min_relative_change", ok,
        f"relative improvement {relative:.4%} {verb} {r:.4%} ({how})",
        expected=f">= {g(r)}", found=g(relative), action=action, evidence=evidence,
    )  # fmt: skip


def _non_inferiority(
    rule: PolicyRule, margin: float, m: MetricComparison, confidence: float
) -> RuleCheck:
    result, bound = _lower_bound(m, -margin, confidence)
    gain = improvement(m.direction, m.difference)
    if bound is None:
        return check(
            rule, "non_inferiority", None, f"test undefined: {result.note}",
            action="run more seeds", evidence={"test": result.test},
        )  # fmt: skip
    ok = bound > -margin
    action = None
    if not ok:
        action = (
            _too_wide(m, gain + margin, 1 - confidence)
            if gain > -margin
            else "the candidate is worse by more than the margin"
        )
    return check(
        rule, "non_inferiority", ok,
        f"{changed(gain, tolerance(*m.values))}; its {confidence:g} lower bound {g(bound)} "
        f"{'is above' if ok else 'is not above'} -{g(margin)} ({_how(result)})",
        expected=f"lower bound > -{g(margin)}", found=g(bound), action=action,
        evidence=_evidence(m, result, confidence, margin=margin, improvement_lower_bound=bound),
    )  # fmt: skip


def _equivalence(rule: PolicyRule, m: float, mc: MetricComparison, confidence: float) -> RuleCheck:
    low_test = _test(mc, -m, "greater", confidence)
    high_test = _test(mc, m, "less", confidence)
    diff, alpha = mc.difference, 1 - confidence
    if low_test.constant:
        low = high = diff
        p, how = None, "no variance across the runs: the interval is the observed difference"
    elif low_test.interval is None or high_test.interval is None:
        return check(rule, "equivalence", None, f"test undefined: {low_test.note}")
    else:
        low, high = low_test.interval[0], high_test.interval[1]
        p = max(low_test.p_value, high_test.p_value)
        how = f"TOST, {low_test.method}, p = {p:.4g}"
    ok = -m < low and high < m
    interval = f"{1 - 2 * alpha:.0%} interval [{g(low)}, {g(high)}]"
    action = None
    if not ok:
        action = (
            _too_wide(mc, m - abs(diff), alpha)
            if abs(diff) < m
            else "the candidate differs by more than the margin"
        )
    return check(
        rule, "equivalence", ok,
        f"difference {g(diff)}, {interval} {'lies' if ok else 'does not lie'} within "
        f"±{g(m)} ({how})",
        expected=f"within (-{g(m)}, {g(m)})", found=f"[{g(low)}, {g(high)}]", action=action,
        evidence={**_evidence(mc, low_test, confidence), "p_value": p, "margin": m,
                  "interval": [low, high], "p_lower": low_test.p_value,
                  "p_upper": high_test.p_value},
    )  # fmt: skip


def margin_check(
    rule: PolicyRule, criterion: str, value: float, m: MetricComparison, confidence: float
) -> RuleCheck:
    """The check of one test criterion of ``rule`` on metric ``m``."""
    if criterion == "min_change":
        return _min_change(rule, value, m, confidence)
    if criterion == "min_relative_change":
        return _relative(rule, value, m, confidence)
    if criterion == "equivalence":
        return _equivalence(rule, value, m, confidence)
    return _non_inferiority(rule, value, m, confidence)


__all__ = ["margin_check"]
