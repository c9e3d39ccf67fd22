"""Policy rules evaluated on a comparison: one :class:`RuleCheck` per criterion.

Let ``b`` and ``c`` be the baseline and candidate means of the metric and the
*improvement* ``c - b`` when higher is better, ``b - c`` when lower is better:

- ``threshold``: ``c >= threshold`` (higher) or ``c <= threshold`` (lower);
- ``min`` / ``max``: ``c >= min`` / ``c <= max`` whatever the direction;
- ``min_change``, ``min_relative_change``, ``non_inferiority_margin`` and
  ``equivalence`` are tests (:mod:`manifest.gating.margins`).

Every criterion is *inconclusive* while a side it looks at has fewer than the
policy's ``min_runs`` runs (the bounds look at the candidate only), and
*undefined* when it needs a direction that nobody declares or a metric is
missing. A check that does not pass counts with its rule's severity, and its
action says what to do (how many more seeds, how to declare a direction).
"""

from __future__ import annotations

from dataclasses import asdict

from ..comparison.comparison import HIGHER, Comparison, MetricComparison
from ..comparison.directions import how_to_declare
from .margins import margin_check
from .policy import PolicyRule
from .rulecheck import ACCEPT, BLOCK, INCONCLUSIVE, WARN_DECISION, RuleCheck, check, g, kind_of

NEEDS_DIRECTION = ("threshold", "min_change", "min_relative_change", "non_inferiority_margin")
__all__ = ["ACCEPT", "BLOCK", "WARN_DECISION", "RuleCheck", "rule_checks"]


def _bound(rule: PolicyRule, kind: str, bound: float, m: MetricComparison) -> RuleCheck:
    mean = m.candidate.mean
    floor = kind == "min" or (kind == "threshold" and m.direction == HIGHER)
    ok = mean >= bound if floor else mean <= bound
    word = "floor" if floor else "ceiling"
    relation = "at least" if floor else "at most"
    verb = ("is" if ok else "is not") + f" {relation}"
    return check(
        rule,
        kind,
        ok,
        f"candidate mean {g(mean)} {verb} the {word} {g(bound)}",
        expected=f"{relation} {g(bound)}",
        found=g(mean),
        action=None if ok else "improve the candidate, or change the bound in the policy",
        evidence={"candidate": asdict(m.candidate), "bound": bound, "bound_kind": word},
    )


def _too_few(rule: PolicyRule, criterion: str, m: MetricComparison) -> RuleCheck | None:
    """The inconclusive check when a side the criterion looks at is short of runs."""
    sides = [("candidate", m.candidate.n)]
    if criterion not in ("threshold", "min", "max"):
        sides.insert(0, ("baseline", m.baseline.n))
    short = [(label, n) for label, n in sides if n < m.min_runs]
    if not short:
        return None
    counts = ", ".join(f"{n} {label}" for label, n in sides)
    more = " and ".join(
        f"{m.min_runs - n} more {label} seed{'s' if m.min_runs - n > 1 else ''}"
        for label, n in short
    )
    return check(
        rule,
        kind_of(criterion),
        None,
        f"inconclusive: {counts} run(s); the policy needs at least {m.min_runs} per side",
        status=INCONCLUSIVE,
        expected=f"at least {m.min_runs} runs per side",
        found=counts,
        action=f"run {more}",
        evidence={"n_baseline": m.baseline.n, "n_candidate": m.candidate.n},
    )


def _missing(rule: PolicyRule, comparison: Comparison) -> list[RuleCheck]:
    where = [
        grp.label
        for grp in (comparison.baseline, comparison.candidate)
        if not grp.values(rule.metric)
    ]
    return [
        check(
            rule,
            kind_of(criterion),
            None,
            f"metric {rule.metric!r} is missing from the {' and '.join(where)} runs",
            expected="the metric in every group",
            found="missing",
            action="record the metric in the runs",
        )
        for criterion, _ in rule.criteria
    ]


def rule_checks(rule: PolicyRule, comparison: Comparison, confidence: float) -> list[RuleCheck]:
    """Every criterion of ``rule``, evaluated on ``comparison``."""
    m = comparison.metric(rule.metric)
    if m is None:
        return _missing(rule, comparison)
    checks = []
    for criterion, value in rule.criteria:
        early = _too_few(rule, criterion, m)
        if early is None and m.direction is None and criterion in NEEDS_DIRECTION:
            early = check(
                rule,
                kind_of(criterion),
                None,
                f"undefined: {how_to_declare(rule.metric)}",
                expected="a declared direction",
                found="none",
                action=f"add direction: higher|lower to the rule, or declare {rule.metric} "
                "in manifest.metrics of the run config",
            )
        if early is not None:
            checks.append(early)
        elif criterion in ("threshold", "min", "max"):
            checks.append(_bound(rule, criterion, value, m))
        else:
            checks.append(margin_check(rule, criterion, value, m, confidence))
    return checks
