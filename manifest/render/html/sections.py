"""The sections of the report, each a function of :class:`ReportData` giving
HTML (or None when it has nothing to show). Add one to :data:`SECTIONS`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...report.build import ReportData
from ..runs import default_columns, header
from . import charts
from .lineage import lineage_section
from .markup import badge, number, table, text

VERDICT_KIND = {"better": "good", "worse": "bad"}


@dataclass(frozen=True)
class Section:
    """``id`` is the anchor; ``render`` gives the section's body or None."""

    id: str
    title: str
    render: Callable[[ReportData], str | None]


def runs_section(data: ReportData) -> str:
    table_ = data.runs
    chosen = default_columns(table_)
    directions = table_.directions()
    numeric = {
        c
        for c in chosen
        if c.startswith(("params.", "metrics."))
        and all(isinstance(r.get(c), (int, float, type(None))) for r in table_.rows)
    }
    head = "".join(
        f'<th scope="col" data-type="{"num" if c in numeric else "text"}" title="{text(c)}">'
        f"{text(header(c, directions))}</th>"
        for c in chosen
    )
    rows = []
    for row in table_.rows:
        cells = []
        for c in chosen:
            value = row.get(c)
            shown = text(" ".join(value)) if isinstance(value, list) else number(value)
            if c == "created" and isinstance(value, str):
                shown = text(value[:19].replace("T", " "))
            sort = f' data-v="{float(value)!r}"' if c in numeric and value is not None else ""
            cells.append(f"<td{sort}>{shown}</td>")
        rows.append(f'<tr title="{text(row.path)}">{"".join(cells)}</tr>')
    count = f"{len(table_)} run{'s' if len(table_) != 1 else ''}"
    return (
        f'<p><input type="search" id="runs-filter" placeholder="filter: words that every '
        f'shown row must contain" aria-label="filter runs" hidden> '
        f'<span id="runs-count">{count}</span> from {text(", ".join(data.sources))}</p>'
        f'<div class="scroll"><table id="runs-table" class="runs"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def curves_section(data: ReportData) -> str | None:
    if not data.curves:
        return None
    by_metric: dict[str, list[tuple[str, Any]]] = {}
    for run in data.curves:
        for curve in run.curves:
            by_metric.setdefault(curve.name, []).append((run.run_id, curve.points))
    parts = [
        f"<figure><figcaption>{text(name)}</figcaption>{charts.line_chart(series)}</figure>"
        for name, series in sorted(by_metric.items())
    ]
    notes = [f"<li>{text(r.run_id)}: {text(r.problem)}</li>" for r in data.curves if r.problem] + [
        f"<li>{text(r.run_id)}: {r.skipped_lines} malformed line(s) of metrics.jsonl skipped</li>"
        for r in data.curves
        if r.skipped_lines
    ]
    if notes:
        parts.append(f'<ul class="notes">{"".join(notes)}</ul>')
    return "".join(parts) or None


def _interval(metric: dict[str, Any]) -> tuple[float, float] | None:
    test = (metric.get("tests") or {}).get(metric.get("primary_test") or "") or {}
    interval = test.get("interval")
    if isinstance(interval, (list, tuple)) and len(interval) == 2 and None not in interval:
        return float(interval[0]), float(interval[1])
    return None


def _metric_card(metric: dict[str, Any], values: dict[str, list[float]], confidence: Any) -> str:
    verdict = str(metric.get("verdict", ""))
    kind = next((k for word, k in VERDICT_KIND.items() if word in verdict), "neutral")
    interval = _interval(metric)
    primary = str(metric.get("primary_test") or "")
    p = (metric.get("holm") or {}).get(primary)
    rows = [
        [
            text(side),
            *(
                number((metric.get(side) or {}).get(k))
                for k in ("n", "mean", "std", "median", "min", "max")
            ),
        ]
        for side in ("baseline", "candidate")
    ]
    span = f"[{number(interval[0])}, {number(interval[1])}]" if interval else "undefined"
    return (
        f'<article class="metric"><h3>{text(metric.get("metric"))} '
        f"<small>({text(metric.get('direction'))} is better)</small> {badge(verdict, kind)}</h3>"
        + table(["group", "n", "mean", "std", "median", "min", "max"], rows)
        + f"<p>difference (candidate - baseline) {number(metric.get('difference'))}; "
        f"{number(confidence)} interval {span} ({text(primary)}, Holm p = {number(p)}); "
        f"P(candidate better) = {number(metric.get('probability_of_improvement'))}</p>"
        + charts.distribution(
            [("baseline", values["baseline"]), ("candidate", values["candidate"])],
            interval,
            float(metric.get("difference") or 0.0),
        )
        + "".join(f'<p class="note">{text(w)}</p>' for w in metric.get("warnings") or [])
        + "</article>"
    )


def comparison_section(data: ReportData) -> str | None:
    comparison = data.comparison
    if comparison is None:
        return None
    doc = comparison.as_json()
    parts = [
        f"<p>baseline: {len(comparison.baseline.runs)} run(s) from "
        f"{text(', '.join(comparison.baseline.sources))}; candidate: "
        f"{len(comparison.candidate.runs)} run(s) from "
        f"{text(', '.join(comparison.candidate.sources))}; {text(doc.get('pairing'))}</p>"
    ]
    for metric in doc["metrics"]:
        name = metric.get("metric")
        values = {
            side: [r.metrics[name] for r in group.runs if name in r.metrics]
            for side, group in (
                ("baseline", comparison.baseline),
                ("candidate", comparison.candidate),
            )
        }
        parts.append(_metric_card(metric, values, doc.get("confidence")))
    parts += [f'<p class="note">{text(w)}</p>' for w in doc.get("warnings") or []]
    return "".join(parts)


def gate_section(data: ReportData) -> str | None:
    if data.decision is None:
        return None
    doc = data.decision.as_json()
    decision = str(doc.get("decision"))
    kind = {"accept": "good", "warn": "warn", "block": "bad"}.get(decision, "neutral")
    rows = [
        [
            text(c.get("id")),
            badge(
                str(c.get("outcome")),
                {"accept": "good", "warn": "warn"}.get(str(c.get("outcome")), "bad"),
            ),
            text(c.get("message")),
            text(c.get("expected") or ""),
            text(c.get("found") or ""),
            f"<code>{text(json.dumps(c.get('evidence') or {}, sort_keys=True))}</code>",
            text(c.get("action") or ""),
        ]
        for c in doc.get("checks") or []
    ]
    return (
        f'<p class="decision">decision: {badge(decision.upper(), kind)}</p>'
        f"<p><strong>next:</strong> {text(doc.get('action'))}</p>"
        + table(
            ["rule", "outcome", "evidence", "expected", "found", "numbers", "action"],
            rows,
            "checks",
        )
    )


def verification_section(data: ReportData) -> str | None:
    report = data.verification
    if report is None:
        return None
    kinds = {"verified": "good", "reproduced": "good"}
    manifests = report.get("manifests") or []
    rows = [
        [
            text(m.get("subject")),
            badge(str(m.get("verdict")), kinds.get(str(m.get("verdict")), "bad")),
            number(m.get("reruns")),
            text(m.get("run_id") or ""),
        ]
        for m in manifests
        if isinstance(m, dict)
    ]
    failed = [
        [text(s.get("subject")), text(c.get("check")), text(c.get("pointer") or ""),
         text(c.get("message")), text(c.get("expected") or ""), text(c.get("found") or "")]
        for s in report.get("subjects") or [] if isinstance(s, dict)
        for c in s.get("checks") or [] if isinstance(c, dict) and c.get("status") == "fail"
    ]  # fmt: skip
    verdict = str(report.get("verdict"))
    parts = [
        f"<p>{text(data.verification_source)}: {badge(verdict, kinds.get(verdict, 'bad'))}</p>",
        table(["manifest", "verdict", "re-runs", "run"], rows),
    ]
    if failed:
        parts.append("<h3>Failed checks</h3>")
        parts.append(table(["manifest", "check", "field", "problem", "expected", "found"], failed))
    return "".join(parts)


SECTIONS: list[Section] = [
    Section("runs", "Runs", runs_section),
    Section("curves", "Metric curves", curves_section),
    Section("comparison", "Comparison", comparison_section),
    Section("gate", "Gate decision", gate_section),
    Section("verification", "Verification", verification_section),
    Section("lineage", "Lineage", lineage_section),
]
