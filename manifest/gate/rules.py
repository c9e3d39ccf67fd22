"""Policy rules evaluated on a comparison: one :class:`RuleCheck` per criterion.

Let ``b`` and ``c`` be the baseline and candidate means of the metric and the
*improvement* ``c - b`` when higher is better, ``b - c`` when lower is better:

- ``threshold``: ``c >= threshold`` (higher) or ``c <= threshold`` (lower);
- ``min`` / ``max``: ``c >= min`` / ``c <= max`` whatever the direction;
- ``min_change``: ``improvement >= min_change``;
- ``min_relative_change``: ``improvement / b >= min_relative_change``,
  *undefined* when ``b <= 0`` (nothing is divided);
- ``non_inferiority_margin`` ``m``: a one-sided t-test (paired when the runs
  are paired by seed, else Welch) of H0 ``improvement <= -m`` against
  H1 ``improvement > -m``; it holds when p < 1 - confidence, i.e. when the
  one-sided lower confidence bound of the improvement is above ``-m``. When
  the runs have no variance at all the bound is the observed improvement.

A check that fails or is undefined (a missing metric, too few runs, a zero
baseline) counts with its rule's severity.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..compare import stats
from ..compare.comparison import HIGHER, Comparison, MetricComparison
from ..compare.groups import paired_values
from ..core.results import FAIL, PASS
from .policy import PolicyRule

ACCEPT, WARN_DECISION, BLOCK = "accept", "warn", "block"


@dataclass(frozen=True)
class RuleCheck:
    """One criterion of one rule, evaluated: ``status`` pass, fail or undefined."""

    id: str
    rule: str
    metric: str
    kind: str
    severity: str
    status: str
    message: str
    expected: str | None = None
    found: str | None = None
    action: str | None = None
    owner: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        """``accept`` when it holds, else its severity (``block`` or ``warn``)."""
        return ACCEPT if self.status == PASS else self.severity

    def as_json(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        out["outcome"] = self.outcome
        return out


def _g(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.6g}"


def _check(rule: PolicyRule, kind: str, ok: bool | None, message: str, **extra: Any) -> RuleCheck:
    status = "undefined" if ok is None else (PASS if ok else FAIL)
    return RuleCheck(
        id=f"{rule.id}.{kind}",
        rule=rule.id,
        metric=rule.metric,
        kind=kind,
        severity=rule.severity,
        status=status,
        message=message,
        owner=rule.owner,
        **extra,
    )


def _bound(rule: PolicyRule, kind: str, bound: float, m: MetricComparison) -> RuleCheck:
    mean = m.candidate.mean
    floor = kind == "min" or (kind == "threshold" and m.direction == HIGHER)
    ok = mean >= bound if floor else mean <= bound
    word = "floor" if floor else "ceiling"
    relation = "at least" if floor else "at most"
    verb = ("is" if ok else "is not") + f" {relation}"
    return _check(
        rule,
        kind,
        ok,
        f"candidate mean {_g(mean)} {verb} the {word} {_g(bound)}",
        expected=f"{relation} {_g(bound)}",
        found=_g(mean),
        action=None if ok else "improve the candidate, or change the bound in the policy",
        evidence={"candidate": asdict(m.candidate), "bound": bound, "bound_kind": word},
    )


def _improvement(m: MetricComparison) -> float:
    return m.difference if m.direction == HIGHER else -m.difference


def _change(rule: PolicyRule, value: float, m: MetricComparison) -> RuleCheck:
    improvement = _improvement(m)
    ok = improvement >= value
    primary = m.tests[m.primary]
    evidence = {
        "baseline_mean": m.baseline.mean,
        "candidate_mean": m.candidate.mean,
        "difference": m.difference,
        "improvement": improvement,
        "direction": m.direction,
        "test": m.primary,
        "p_value": primary.p_value,
        "p_holm": m.holm.get(m.primary),
        "interval": primary.interval,
        "bootstrap": asdict(m.bootstrap) if m.bootstrap else None,
    }
    return _check(
        rule,
        "min_change",
        ok,
        f"improvement {_g(improvement)} ({m.direction} is better) "
        f"{'reaches' if ok else 'does not reach'} {_g(value)}",
        expected=f">= {_g(value)}",
        found=_g(improvement),
        action=None if ok else "the candidate regressed more than the policy allows",
        evidence=evidence,
    )


def _relative(rule: PolicyRule, value: float, m: MetricComparison) -> RuleCheck:
    base = m.baseline.mean
    if base <= 0:
        return _check(
            rule,
            "min_relative_change",
            None,
            f"relative change undefined: the baseline mean is {_g(base)}, and a "
            "relative change needs a baseline mean > 0",
            expected="a baseline mean > 0",
            found=_g(base),
            action="use min_change (an absolute change) for this metric",
            evidence={"baseline_mean": base, "candidate_mean": m.candidate.mean},
        )
    relative = _improvement(m) / base
    ok = relative >= value
    return _check(
        rule,
        "min_relative_change",
        ok,
        f"relative improvement {relative:.4%} {'reaches' if ok else 'does not reach'} {value:.4%}",
        expected=f">= {_g(value)}",
        found=_g(relative),
        action=None if ok else "the candidate regressed more than the policy allows",
        evidence={
            "baseline_mean": base,
            "candidate_mean": m.candidate.mean,
            "improvement": _improvement(m),
            "relative_improvement": relative,
        },
    )


def _one_sided_test(
    m: MetricComparison, comparison: Comparison, margin: float, confidence: float
) -> tuple[list[float], list[float], stats.TestResult]:
    """The values compared and the one-sided t-test of H0 ``improvement <=
    -margin``: paired when the runs are paired by seed, else Welch."""
    higher = m.direction == HIGHER
    alternative = "greater" if higher else "less"
    null = -margin if higher else margin
    if m.paired:
        base, cand = paired_values(
            [r for r in comparison.baseline.runs if m.metric in r.metrics],
            [r for r in comparison.candidate.runs if m.metric in r.metrics],
            m.metric,
        )
        result = stats.paired_t(
            base, cand, confidence=confidence, alternative=alternative, null_difference=null
        )
        return base, cand, result
    base, cand = comparison.baseline.values(m.metric), comparison.candidate.values(m.metric)
    result = stats.two_sample_t(
        base, cand, confidence=confidence, alternative=alternative, null_difference=null
    )
    return base, cand, result


def _test_evidence(result: stats.TestResult) -> dict[str, Any]:
    keys = ("test", "method", "alternative", "statistic", "df", "p_value", "note")
    return {k: getattr(result, k) for k in keys}


def _non_inferiority(
    rule: PolicyRule, margin: float, m: MetricComparison, comparison: Comparison, confidence: float
) -> RuleCheck:
    higher = m.direction == HIGHER
    base, cand, result = _one_sided_test(m, comparison, margin, confidence)
    alpha = 1 - confidence
    if result.note and "no variance" in result.note:
        # every run agrees exactly: the interval collapses onto the observed improvement
        bound: float | None = _improvement(m)
        ok = _improvement(m) > -margin
        how = "no variance across the runs: the bound is the observed improvement"
    elif result.p_value is None or result.interval is None:
        return _check(
            rule,
            "non_inferiority",
            None,
            f"test undefined: {result.note}",
            action="run more seeds",
            evidence={"test": result.test},
        )
    else:
        low, high = result.interval
        bound = low if higher else (None if high is None else -high)
        ok = result.p_value < alpha
        how = f"{result.method}, one-sided p = {result.p_value:.4g}"
    evidence = {
        "margin": margin,
        **_test_evidence(result),
        "confidence": confidence,
        "improvement": _improvement(m),
        "improvement_lower_bound": bound,
        "n_baseline": len(base),
        "n_candidate": len(cand),
    }
    small = " (n < 5: run more seeds)" if m.small_sample else ""
    message = (
        f"improvement lower bound {_g(bound)} at {confidence:g} "
        f"{'is above' if ok else 'is not above'} -{_g(margin)} ({how}){small}"
    )
    action = None
    if not ok:
        action = (
            "the interval is too wide to conclude: run more seeds"
            if _improvement(m) > -margin
            else "the candidate is worse by more than the margin"
        )
    return _check(
        rule,
        "non_inferiority",
        ok,
        message,
        expected=f"lower bound > -{_g(margin)}",
        found=_g(bound),
        action=action,
        evidence=evidence,
    )


def rule_checks(rule: PolicyRule, comparison: Comparison, confidence: float) -> list[RuleCheck]:
    """Every criterion of ``rule``, evaluated on ``comparison``."""
    m = comparison.metric(rule.metric)
    if m is None:
        where = [
            g.label
            for g in (comparison.baseline, comparison.candidate)
            if not g.values(rule.metric)
        ]
        return [
            _check(
                rule,
                kind,
                None,
                f"metric {rule.metric!r} is missing from the {' and '.join(where)} runs",
                expected="the metric in every group",
                found="missing",
                action="record the metric in the runs",
            )
            for kind, _ in rule.criteria
        ]
    checks = []
    for kind, value in rule.criteria:
        if kind in ("threshold", "min", "max"):
            checks.append(_bound(rule, kind, value, m))
        elif kind == "min_change":
            checks.append(_change(rule, value, m))
        elif kind == "min_relative_change":
            checks.append(_relative(rule, value, m))
        else:
            checks.append(_non_inferiority(rule, value, m, comparison, confidence))
    return checks
