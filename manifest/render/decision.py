"""Reporters for :class:`~manifest.gating.decision.Decision`: text, JSON, JUnit XML, Markdown.

JSON is the gate report itself (what ``--write-report`` writes and what the
registry records the digest of); JUnit XML goes through
:func:`manifest.render.report.junit` with one test case per rule criterion.
"""

from __future__ import annotations

from ..gating.decision import ACCEPT, BLOCK, Decision, RuleCheck, report_bytes
from .escape import escape
from .escape import json_text as safe_json
from .table import md_cell, md_code

FORMATS = ("text", "json", "junit", "markdown")
_LABEL = {"pass": "PASS", "fail": "FAIL", "undefined": "UNDEF", "inconclusive": "INCONCL"}


def _mark(check: RuleCheck) -> str:
    if check.status == "pass":
        return "PASS"
    return f"{_LABEL[check.status]} ({check.severity})"


def _evidence(check: RuleCheck) -> str:
    e = check.evidence
    parts = []
    if "test" in e and e.get("p_value") is not None:
        parts.append(f"{e['test']} p = {e['p_value']:.4g}")
    if e.get("interval"):
        low, high = e["interval"]
        low_text = "(-inf" if low is None else f"[{low:.6g}"
        high_text = "inf)" if high is None else f"{high:.6g}]"
        parts.append(f"candidate - baseline CI {low_text}, {high_text}")
    if "n_baseline" in e:
        parts.append(f"n = {e['n_baseline']} / {e['n_candidate']}")
    return "; ".join(parts)


def text(result: Decision) -> str:
    c = result.comparison
    lines = [
        f"gate: {result.decision.upper()} (policy {escape(result.policy.path)}, "
        f"{len(result.policy.rules)} rule(s), confidence {result.policy.confidence:g}, "
        f"at least {result.policy.min_runs} runs per side)",
        f"baseline {len(c.baseline.runs)} run(s), candidate {len(c.candidate.runs)} run(s); "
        f"{escape(c.pairing_note)}",
    ]
    width = max((len(escape(ch.id)) for ch in result.checks), default=10)
    for check in result.checks:
        lines.append(f"  {_mark(check):<17} {escape(check.id):<{width}}  {escape(check.message)}")
        evidence = _evidence(check)
        if evidence:
            lines.append(f"  {'':<17} {'':<{width}}  evidence: {escape(evidence)}")
        if check.action and check.status != "pass":
            lines.append(f"  {'':<17} {'':<{width}}  action: {escape(check.action)}")
    lines.append(f"decision: {result.decision}")
    lines.append(f"next: {escape(result.action)}")
    return "\n".join(lines) + "\n"


def markdown(result: Decision) -> str:
    icon = {ACCEPT: "✅", BLOCK: "❌"}.get(result.decision, "⚠️")
    c = result.comparison
    lines = [
        f"### {icon} manifest gate: **{result.decision}**",
        "",
        f"Policy {md_code(result.policy.path)} at confidence {result.policy.confidence:g}; "
        f"baseline {len(c.baseline.runs)} run(s), candidate {len(c.candidate.runs)} run(s); "
        f"{md_cell(c.pairing_note)}.",
        "",
        "| | check | severity | result | expected | found | evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    marks = {"pass": "✅", "fail": "❌", "undefined": "❔", "inconclusive": "⏳"}
    for check in result.checks:
        cells = [
            marks[check.status],
            md_code(check.id),
            check.severity,
            check.message,
            check.expected or "",
            check.found or "",
            _evidence(check),
        ]
        lines.append("| " + " | ".join(md_cell(x) for x in cells) + " |")
    lines += ["", f"**Next:** {md_cell(result.action)}"]
    return "\n".join(lines) + "\n"


def render(result: Decision, fmt: str) -> str:
    if fmt == "json":
        return safe_json(report_bytes(result).decode("utf-8"))
    if fmt == "junit":
        from .report import junit

        return junit(result.report())
    if fmt == "markdown":
        return markdown(result)
    return text(result)


__all__ = ["FORMATS", "render"]
