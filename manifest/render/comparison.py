"""Reporters for :class:`~manifest.comparison.comparison.Comparison`: text, JSON, Markdown.

Numbers are printed at R's precision for ``htest`` objects: statistics and
degrees of freedom to 5 significant digits, p-values to 4, intervals to 7,
so a printed line can be checked against R's output by eye.
"""

from __future__ import annotations

import json
import math

from ..comparison.comparison import Comparison, MetricComparison
from ..comparison.stats import BootstrapInterval, TestResult
from .escape import escape
from .table import md_cell, md_code

FORMATS = ("text", "json", "markdown")
_TEST_NAMES = {
    "welch_t": "Welch t",
    "student_t": "Student t",
    "paired_t": "paired t",
    "mann_whitney": "Mann-Whitney",
    "wilcoxon": "Wilcoxon signed-rank",
}
_EFFECTS = (
    ("hedges_g", "Hedges' g", 4),
    ("cliffs_delta", "Cliff's delta", 4),
    ("hodges_lehmann", "Hodges-Lehmann shift", 7),
    ("probability_of_improvement", "", 4),
)


def num(value: float | None, digits: int = 7) -> str:
    """``value`` to ``digits`` significant digits; ``n/a`` for None."""
    return "n/a" if value is None else f"{value:.{digits}g}"


def pval(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "< 2.2e-16" if value < 2.2e-16 else f"{value:.4g}"


def _symbol(test: str) -> str:
    return {"mann_whitney": "W", "wilcoxon": "V"}.get(test, "t")


def test_line(name: str, result: TestResult, holm: float | None, small: int | None) -> str:
    """``Welch t: t = -1.8608, df = 17.776, p-value = 0.07939 (Holm 0.07939)``."""
    label = _TEST_NAMES.get(name, name)
    if result.p_value is None or result.statistic is None:
        return f"{label}: {result.note or 'undefined'}"
    parts = [f"{_symbol(name)} = {num(result.statistic, 5)}"]
    if result.df is not None:
        parts.append(f"df = {num(result.df, 5)}")
    p = pval(result.p_value)
    parts.append(f"p-value {p}" if p.startswith("<") else f"p-value = {p}")
    text = f"{label}: " + ", ".join(parts)
    if holm is not None:
        text += f" (Holm {pval(holm)})"
    if name in ("mann_whitney", "wilcoxon"):
        text += " exact" if "exact" in result.method else " normal approx."
    if small:
        text += f" [n < {small}: not reliable]"
    return text


def _interval(low: float | None, high: float | None) -> str:
    return f"[{num(low)}, {num(high)}]"


def mc_rounded(value: float, se: float) -> str:
    """``value`` to the decimal place of its Monte Carlo error ``se`` (its
    first significant digit), as a measurement is printed to the digit of its
    uncertainty: the digits before the last do not move with the seed. Without
    a Monte Carlo error (ends on resampled values that do not vary), 7
    significant digits."""
    if not se or not math.isfinite(se):
        return num(value)
    exponent = math.floor(math.log10(se))
    unit = 10.0**exponent
    return f"{round(value / unit) * unit + 0.0:.{max(-exponent, 0)}f}"


def bootstrap_text(b: BootstrapInterval, level: str) -> str:
    """``bootstrap 95% CI [-0.006, -0.002] (Monte Carlo error 0.0002; BCa ...)``."""
    ends = f"[{mc_rounded(b.low, b.monte_carlo_se)}, {mc_rounded(b.high, b.monte_carlo_se)}]"
    if b.note:
        return f"bootstrap {level} CI {ends} ({b.note})"
    error = (
        f"Monte Carlo error {b.monte_carlo_se:.2g}"
        if b.monte_carlo_se
        else ("no Monte Carlo error at these ends")
    )
    return f"bootstrap {level} CI {ends} ({error}; {b.method})"


def better_label(m: MetricComparison) -> str:
    """``P(candidate better)``, or ``P(candidate higher)`` without a direction."""
    return "P(candidate better)" if m.direction else "P(candidate higher)"


def _effect_lines(m: MetricComparison, level: str) -> list[str]:
    lines = []
    for key, label, digits in _EFFECTS:
        e = m.effects.get(key)
        if e is None:
            continue
        if key == "probability_of_improvement":
            label = better_label(m)
        if key == "hedges_g" and m.paired:
            label = "Hedges' g_z"
        if e.value is None:
            lines.append(f"{label}: undefined ({e.note})")
            continue
        if e.low is None or e.high is None:
            lines.append(f"{label} = {num(e.value, digits)} ({e.note})")
            continue
        ends = f"[{num(e.low, digits)}, {num(e.high, digits)}]"
        lines.append(f"{label} = {num(e.value, digits)}, {level} CI {ends} ({e.method})")
    if not m.effects:
        lines.append(
            f"{better_label(m)} = {m.probability_of_improvement:.4f} (ties count half; "
            f"no effect sizes or intervals with fewer than {m.min_runs} runs per side)"
        )
    return lines


def _metric_text(m: MetricComparison, confidence: float) -> list[str]:
    better = (
        f"{m.direction} is better; {escape(m.direction_source)}"
        if m.direction
        else "direction not declared"
    )
    level = f"{confidence * 100:g}%"
    lines = [f"{escape(m.metric)} ({better})"]
    lines.append(
        f"  {'group':<10} {'n':>5} {'mean':>12} {'std':>12} {'median':>12} {'min':>12} {'max':>12}"
    )
    for label, s in (("baseline", m.baseline), ("candidate", m.candidate)):
        lines.append(
            f"  {label:<10} {s.n:>5} {num(s.mean, 6):>12} {num(s.std, 6):>12} "
            f"{num(s.median, 6):>12} {num(s.min, 6):>12} {num(s.max, 6):>12}"
        )
    primary = m.tests[m.primary]
    ci = (
        f"{level} CI {_interval(*primary.interval)} ({_TEST_NAMES[m.primary]})"
        if primary.interval
        else "no t interval"
    )
    lines.append(f"  difference (candidate - baseline) = {num(m.difference)}; {ci}")
    if m.bootstrap is not None:
        lines.append("  " + bootstrap_text(m.bootstrap, level))
    small = m.min_runs if m.small_sample else None
    for name, result in m.tests.items():
        lines.append("  " + test_line(name, result, m.holm.get(name), small))
    lines.extend("  " + line for line in _effect_lines(m, level))
    lines.append(f"  verdict: {m.verdict}")
    lines.extend(f"  WARNING: {escape(w)}" for w in m.warnings)
    if m.seeds_hint:
        lines.append(f"  to resolve it: {m.seeds_hint}")
    return lines


def _group_line(label: str, comparison: Comparison) -> str:
    group = getattr(comparison, label)
    skipped = f", {len(group.skipped)} skipped" if group.skipped else ""
    sources = escape(", ".join(group.sources))
    return f"{label}: {len(group.runs)} completed runs{skipped} ({sources})"


def text(comparison: Comparison) -> str:
    """A human report: groups, then one block per metric."""
    c = comparison
    lines = [
        _group_line("baseline", c),
        _group_line("candidate", c),
        f"{c.pairing_note}; confidence {c.confidence:g}; at least {c.min_runs} runs per side; "
        f"bootstrap seed {c.seed}, {c.resamples} resamples; Holm correction across "
        f"{len(c.metrics)} metric(s)",
        "",
    ]
    for group in (c.baseline, c.candidate):
        lines.extend(f"skipped {escape(s.path)}: {escape(s.reason)}" for s in group.skipped)
    for m in c.metrics:
        lines.extend(_metric_text(m, c.confidence))
        lines.append("")
    lines.extend(f"WARNING: {escape(w)}" for w in c.warnings)
    if not c.metrics:
        lines.append("no metric is reported by both groups")
    return "\n".join(lines).rstrip("\n") + "\n"


def json_text(comparison: Comparison) -> str:
    return json.dumps(comparison.as_json(), indent=2, sort_keys=True, allow_nan=False) + "\n"


def _md_row(m: MetricComparison) -> list[object]:
    primary = m.tests[m.primary]
    boot = (
        f"[{mc_rounded(m.bootstrap.low, m.bootstrap.monte_carlo_se)}, "
        f"{mc_rounded(m.bootstrap.high, m.bootstrap.monte_carlo_se)}]"
        if m.bootstrap
        else "n/a"
    )
    ci = _interval(*primary.interval) if primary.interval else "n/a"
    p = (
        f"n < {m.min_runs}"
        if m.small_sample
        else (f"{pval(primary.p_value)} ({pval(m.holm.get(m.primary))})")
    )
    share = m.effects.get("probability_of_improvement")
    better = f"{m.probability_of_improvement:.3f}"
    if share is not None and share.value is not None:
        better = f"{share.value:.3f} [{num(share.low, 3)}, {num(share.high, 3)}]"
    return [
        md_code(m.metric),
        m.direction or "not declared",
        f"{num(m.baseline.mean, 6)} ± {num(m.baseline.std, 4)} ({m.baseline.n})",
        f"{num(m.candidate.mean, 6)} ± {num(m.candidate.std, 4)} ({m.candidate.n})",
        num(m.difference, 6),
        ci,
        boot,
        _TEST_NAMES[m.primary],
        p,
        better,
        m.verdict,
    ]


def markdown(comparison: Comparison) -> str:
    """A Markdown table per comparison, for PR comments and CI summaries."""
    c = comparison
    level = f"{c.confidence * 100:g}%"
    lines = [
        f"### manifest compare: {len(c.candidate.runs)} candidate vs "
        f"{len(c.baseline.runs)} baseline runs",
        "",
        f"{md_cell(c.pairing_note)}. Difference = candidate - baseline; {level} intervals; "
        f"Holm-adjusted p-values across {len(c.metrics)} metric(s); at least "
        f"{c.min_runs} runs per side.",
        "",
        "| metric | better | baseline mean ± sd (n) | candidate mean ± sd (n) | difference "
        f"| {level} CI | bootstrap CI | test | p (Holm) | P(better) | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in c.metrics:
        lines.append("| " + " | ".join(md_cell(x) for x in _md_row(m)) + " |")
    notes = [md_code(m.metric) + ": " + md_cell(x) for m in c.metrics for x in m.warnings]
    notes += [md_code(m.metric) + ": " + md_cell(m.seeds_hint) for m in c.metrics if m.seeds_hint]
    notes += [md_cell(w) for w in c.warnings]
    if notes:
        lines += ["", *(f"- ⚠️ {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def render(comparison: Comparison, fmt: str) -> str:
    if fmt == "json":
        return json_text(comparison)
    if fmt == "markdown":
        return markdown(comparison)
    return text(comparison)
