"""What a gate rule's criterion gives: a :class:`RuleCheck`, and how one is made."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..core.results import FAIL, PASS
from .policy import PolicyRule

ACCEPT, WARN_DECISION, BLOCK = "accept", "warn", "block"
UNDEFINED, INCONCLUSIVE = "undefined", "inconclusive"


@dataclass(frozen=True)
class RuleCheck:
    """One criterion of one rule, evaluated: ``status`` pass, fail,
    inconclusive (too few runs) or undefined."""

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


def g(value: float | None) -> str:
    """A number as the gate prints it (6 significant digits)."""
    return "n/a" if value is None else f"{value + 0.0:.6g}"  # no "-0"


def check(rule: PolicyRule, kind: str, ok: bool | None, message: str, **extra: Any) -> RuleCheck:
    """A :class:`RuleCheck` of ``rule``; ``ok`` None means undefined."""
    status = extra.pop("status", None) or (UNDEFINED if ok is None else (PASS if ok else FAIL))
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


def kind_of(criterion: str) -> str:
    return "non_inferiority" if criterion == "non_inferiority_margin" else criterion
