"""Reporters for :class:`~manifest.comparison.stratify.Stratified`: text, JSON, Markdown.

One table per metric: a row per stratum (its runs, difference, interval,
Holm-adjusted p-value, P(better) and verdict), then the aggregate across
strata (IQM of each side and their difference, P(improvement)), each with
its stratified bootstrap interval printed to the digits its Monte Carlo
error leaves stable.
"""

from __future__ import annotations

import json

from ..comparison.metric import MetricComparison
from ..comparison.stratify import Aggregate, Stratified
from .comparison import mc_rounded, num, pval
from .escape import escape
from .table import columns, md_cell, md_code, md_table

FORMATS = ("text", "json", "markdown")


def _row(stratum: str, m: MetricComparison) -> list[str]:
    primary = m.tests[m.primary]
    ci = "n/a"
    if primary.interval:
        ci = f"[{num(primary.interval[0], 4)}, {num(primary.interval[1], 4)}]"
    p = f"n < {m.min_runs}" if m.small_sample else pval(m.holm.get(m.primary))
    return [
        stratum,
        str(m.baseline.n),
        str(m.candidate.n),
        num(m.difference, 4),
        ci,
        p,
        f"{m.probability_of_improvement:.3f}",
        m.verdict,
    ]


def _aggregate_lines(a: Aggregate, level: str) -> list[str]:
    se = a.monte_carlo_se
    d, share = a.iqm_difference, a.probability_of_improvement
    assert d.low is not None and d.high is not None
    assert share.value is not None and share.low is not None and share.high is not None
    better = "P(candidate better)" if a.direction else "P(candidate higher)"
    return [
        f"  across {a.strata} strata: IQM baseline {num(a.iqm_baseline, 6)}, candidate "
        f"{num(a.iqm_candidate, 6)}; difference {num(d.value, 6)}, {level} CI "
        f"[{mc_rounded(d.low, se)}, {mc_rounded(d.high, se)}]",
        f"  {better} averaged over strata = {share.value:.4f}, {level} CI "
        f"[{mc_rounded(share.low, se)}, {mc_rounded(share.high, se)}] "
        f"(Monte Carlo error {se:.2g}; {d.method})",
    ]


def _by_metric(result: Stratified) -> dict[str, list[tuple[str, MetricComparison]]]:
    out: dict[str, list[tuple[str, MetricComparison]]] = {}
    for stratum, comparison in result.strata:
        for m in comparison.metrics:
            out.setdefault(m.metric, []).append((stratum, m))
    return out


def text(result: Stratified) -> str:
    first = result.strata[0][1]
    level = f"{first.confidence * 100:g}%"
    names = ", ".join(escape(s) for s, _ in result.strata)
    total = sum(len(c.metrics) for _, c in result.strata)
    lines = [
        f"stratified by {escape(result.key)}: {len(result.strata)} strata ({names}); "
        f"Holm correction across {total} stratum-metric tests; at least {first.min_runs} "
        f"runs per side in a stratum",
        "",
    ]
    header = ["stratum", "n_b", "n_c", "difference", f"{level} CI", "p (Holm)", "P(better)"]
    aggregates = {a.metric: a for a in result.aggregates}
    for metric, rows in sorted(_by_metric(result).items()):
        direction = rows[0][1].direction
        better = f"{direction} is better" if direction else "direction not declared"
        lines.append(f"{escape(metric)} ({better})")
        table = [[*header, "verdict"], *(_row(escape(s), m) for s, m in rows)]
        lines.extend("  " + line for line in columns(table, right={1, 2, 3}))
        lines.extend(_aggregate_lines(aggregates[metric], level))
        lines.append("")
    lines.extend(f"WARNING: {escape(w)}" for w in result.warnings)
    return "\n".join(lines).rstrip("\n") + "\n"


def markdown(result: Stratified) -> str:
    level = f"{result.strata[0][1].confidence * 100:g}%"
    lines = [f"### manifest compare, stratified by {md_code(result.key)}", ""]
    aggregates = {a.metric: a for a in result.aggregates}
    for metric, rows in sorted(_by_metric(result).items()):
        a = aggregates[metric]
        lines += [f"**{md_cell(metric)}**", ""]
        header = ["stratum", "n_b", "n_c", "difference", f"{level} CI", "p (Holm)", "P(better)"]
        lines += md_table([*header, "verdict"], [_row(s, m) for s, m in rows])
        lines += ["", *(md_cell(line.strip()) for line in _aggregate_lines(a, level)), ""]
    lines += [f"- ⚠️ {md_cell(w)}" for w in result.warnings]
    return "\n".join(lines).rstrip("\n") + "\n"


def render(result: Stratified, fmt: str) -> str:
    if fmt == "json":
        document = {"command": "compare", **result.as_json()}
        return json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n"
    if fmt == "markdown":
        return markdown(result)
    return text(result)
