"""Comparison + policy -> a promotion decision (accept, warn or block) with evidence.

The rules' criteria are evaluated by :mod:`manifest.gating.rules` (their exact
semantics are documented there). Invalid or edited manifests, and evidence
that the policy requires but that is missing, block; runs that did not
complete warn. The decision is ``block`` if any blocking check fails, else
``warn`` if any check warns, else ``accept``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..comparison.bootstrap import DEFAULT_RESAMPLES
from ..comparison.comparison import Comparison, compare
from ..comparison.groups import Group
from ..core.canonical import pretty_bytes
from ..core.results import FAIL, PASS, WARN, Check, Report
from .evidence import require_checks
from .policy import Policy
from .rules import ACCEPT, BLOCK, WARN_DECISION, RuleCheck, rule_checks

__all__ = ["ACCEPT", "BLOCK", "WARN_DECISION", "Decision", "RuleCheck", "gate"]

REPORT_SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Decision:
    """The decision, the next action, every check and the comparison behind them."""

    decision: str
    action: str
    policy: Policy
    comparison: Comparison
    checks: tuple[RuleCheck, ...]

    def as_json(self) -> dict[str, Any]:
        """The gate report (``schemas/gate-report.schema.json``): no clock, so
        the same inputs give the same report and the same digest."""
        c = self.comparison
        side = {
            label: {
                "runs": [
                    {"path": r.path, "run_id": r.run_id, "digest": r.digest} for r in group.runs
                ],
                "skipped": [{"path": s.path, "reason": s.reason} for s in group.skipped],
            }
            for label, group in (("baseline", c.baseline), ("candidate", c.candidate))
        }
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "kind": "gate-report",
            "decision": self.decision,
            "action": self.action,
            "policy": self.policy.as_json(),
            "paired": c.paired,
            **side,
            "checks": [check.as_json() for check in self.checks],
            "metrics": [m.as_json() for m in c.metrics],
        }

    def report(self) -> Report:
        """The checks as a :class:`~manifest.core.results.Report` (for JUnit XML)."""
        status = {ACCEPT: PASS, WARN_DECISION: WARN, BLOCK: FAIL}
        checks = tuple(
            Check(
                subject=f"rule {c.id}",
                check=c.kind,
                status=status[c.outcome],
                message=c.message,
                pointer=f"/metrics/{c.metric}" if c.metric else "",
                expected=c.expected,
                found=c.found,
                owner=c.owner,
                action=c.action,
            )
            for c in self.checks
        )
        subjects = tuple(dict.fromkeys(c.subject for c in checks))
        return Report("gate", subjects, checks, extra={"decision": self.decision})


def _group_check(group: Group, rule: str, severity: str, **said: Any) -> RuleCheck:
    """A failing check of one side's runs as a whole (not of one metric)."""
    return RuleCheck(
        id=f"{rule}.{group.label}",
        rule=rule,
        metric="",
        kind=rule,
        severity=severity,
        status=FAIL,
        **said,
    )


def _input_checks(comparison: Comparison) -> list[RuleCheck]:
    """What the gate says about the runs it was given: invalid manifests
    block; copies of one run and runs that did not complete warn."""
    checks = []
    for group in (comparison.baseline, comparison.candidate):
        label, copies = group.label, group.copies
        invalid = [s for s in group.skipped if not s.reason.startswith("status ")]
        failed = [s for s in group.skipped if s.reason.startswith("status ")]
        if invalid:
            checks.append(
                _group_check(
                    group,
                    "inputs",
                    BLOCK,
                    message=f"{len(invalid)} {label} manifest(s) are not valid: "
                    f"{invalid[0].path}: {invalid[0].reason}",
                    expected="valid manifests with matching digests",
                    found=f"{len(invalid)} invalid",
                    action="run manifest validate on them; re-record edited manifests",
                    evidence={"invalid": [asdict(s) for s in invalid]},
                )
            )
        if copies:
            checks.append(
                _group_check(
                    group,
                    "copies",
                    WARN_DECISION,
                    message=f"{len(copies)} {label} manifest(s) are another manifest's run "
                    f"(same digest or run id), counted once: {copies[0].path}: "
                    f"{copies[0].reason}",
                    expected="one manifest per run",
                    found=f"{len(copies)} duplicate(s)",
                    action="remove the duplicates; the gate counts each run once",
                    evidence={"copies": [asdict(s) for s in copies]},
                )
            )
        if failed:
            checks.append(
                _group_check(
                    group,
                    "runs",
                    WARN_DECISION,
                    message=f"{len(failed)} {label} run(s) did not complete and are left out",
                    expected="every run completed",
                    found=f"{len(failed)} not completed",
                    action="look at why they failed before promoting",
                    evidence={"not_completed": [asdict(s) for s in failed]},
                )
            )
    return checks


def _decide(checks: Sequence[RuleCheck]) -> tuple[str, str]:
    blocking = [c for c in checks if c.outcome == BLOCK]
    warning = [c for c in checks if c.outcome == WARN_DECISION]
    if blocking:
        todo = "; ".join(f"{c.id}: {c.action or c.message}" for c in blocking)
        return BLOCK, f"do not promote. To unblock: {todo}"
    if warning:
        todo = "; ".join(f"{c.id}: {c.message}" for c in warning)
        return WARN_DECISION, f"promotion allowed with warnings; review: {todo}"
    return (
        ACCEPT,
        "promote: every rule holds (manifest registry promote MODEL CANDIDATE... "
        "--baseline BASELINE... --policy POLICY)",
    )


def gate(
    baseline: Group,
    candidate: Group,
    policy: Policy,
    *,
    evidence: Sequence[tuple[str, Any]] = (),
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
) -> Decision:
    """Decide whether ``candidate`` may replace ``baseline`` under ``policy``.

    ``evidence`` holds (path, parsed JSON report) pairs of ``manifest verify``
    and ``manifest validate`` reports for the policy's ``require`` list.
    """
    names_b = {k for r in baseline.runs for k in r.metrics}
    names_c = {k for r in candidate.runs for k in r.metrics}
    metrics = [r.metric for r in policy.rules if r.metric in names_b and r.metric in names_c]
    comparison = compare(
        baseline,
        candidate,
        metrics=list(dict.fromkeys(metrics)),
        declared=[(f"policy {policy.path}", policy.directions())],
        confidence=policy.confidence,
        seed=seed,
        resamples=resamples,
        min_runs=policy.min_runs,
    )
    checks = _input_checks(comparison) + require_checks(policy, comparison, evidence)
    for rule in policy.rules:
        checks.extend(rule_checks(rule, comparison, policy.confidence))
    decision, action = _decide(checks)
    return Decision(decision, action, policy, comparison, tuple(checks))


def report_bytes(decision: Decision) -> bytes:
    """The gate report as written to disk: sorted keys, indented, LF."""
    return pretty_bytes(decision.as_json())
