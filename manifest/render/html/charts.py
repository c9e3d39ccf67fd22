"""Inline SVG charts drawn on the server: readable without JavaScript.

Coordinates are numbers we compute; labels go through :func:`markup.text`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .markup import number, text

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
MAX_POINTS = 400


def _scale(lo: float, hi: float, a: float, b: float) -> tuple[float, float]:
    if hi == lo:
        lo, hi = lo - 1.0, hi + 1.0
    factor = (b - a) / (hi - lo)
    return factor, a - lo * factor


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[int, float]]]],
    *,
    width: int = 560,
    height: int = 220,
) -> str:
    """One polyline per (label, points) series, with axes and a legend."""
    points = [p for _, pts in series for p in pts]
    if not points:
        return ""
    left, right, top, bottom = 64, width - 12, 12, height - 28
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    fx, cx = _scale(min(xs), max(xs), left, right)
    fy, cy = _scale(min(ys), max(ys), bottom, top)
    lines = []
    for i, (label, pts) in enumerate(series):
        step = max(1, len(pts) // MAX_POINTS)
        coords = " ".join(f"{x * fx + cx:.1f},{y * fy + cy:.1f}" for x, y in pts[::step])
        lines.append(
            f'<polyline fill="none" stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="1.5" '
            f'points="{coords}"><title>{text(label)}</title></polyline>'
        )
    axes = (
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" class="axis"/>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{number(max(ys))}</text>'
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end">{number(min(ys))}</text>'
        f'<text x="{left}" y="{height - 8}">{number(min(xs))}</text>'
        f'<text x="{right}" y="{height - 8}" text-anchor="end">step {number(max(xs))}</text>'
    )
    legend = "".join(
        f'<li><span class="swatch" style="background:{PALETTE[i % len(PALETTE)]}"></span>'
        f"{text(label)}</li>"
        for i, (label, _) in enumerate(series)
    )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img">{axes}{"".join(lines)}</svg><ul class="legend">{legend}</ul>'
    )


def distribution(
    groups: Sequence[tuple[str, Sequence[float]]],
    interval: tuple[float, float] | None,
    difference: float,
    *,
    width: int = 560,
) -> str:
    """Each group's runs as dots on one axis (mean as a bar), and below, the
    difference candidate - baseline with its interval against zero."""
    values = [v for _, vs in groups for v in vs]
    if not values:
        return ""
    left, right, row = 90, width - 16, 26
    fx, cx = _scale(min(values), max(values), left, right)
    parts = []
    for i, (label, vs) in enumerate(groups):
        y = 18 + i * row
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{text(label)}</text>')
        parts += [
            f'<circle cx="{v * fx + cx:.1f}" cy="{y}" r="4" fill="{colour}" fill-opacity="0.6">'
            f"<title>{number(v)}</title></circle>"
            for v in vs
        ]
        if vs:
            mean = sum(vs) / len(vs)
            parts.append(
                f'<line x1="{mean * fx + cx:.1f}" y1="{y - 9}" x2="{mean * fx + cx:.1f}" '
                f'y2="{y + 9}" stroke="{colour}" stroke-width="2"/>'
            )
    height = 18 + len(groups) * row
    parts.append(f'<text x="{left}" y="{height}">{number(min(values))}</text>')
    parts.append(f'<text x="{right}" y="{height}" text-anchor="end">{number(max(values))}</text>')
    top = height + 8
    parts.append(_difference(interval, difference, left, right, top))
    return (
        f'<svg class="chart" viewBox="0 0 {width} {top + 40}" width="{width}" '
        f'height="{top + 40}" role="img">{"".join(parts)}</svg>'
    )


def _difference(
    interval: tuple[float, float] | None, difference: float, left: int, right: int, top: int
) -> str:
    ends = [0.0, difference, *(interval or ())]
    fx, cx = _scale(min(ends), max(ends), left, right)
    y = top + 16
    out = [
        f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">difference</text>',
        f'<line x1="{cx:.1f}" y1="{y - 12}" x2="{cx:.1f}" y2="{y + 12}" class="zero"/>',
        f'<circle cx="{difference * fx + cx:.1f}" cy="{y}" r="4" fill="#333">'
        f"<title>{number(difference)}</title></circle>",
    ]
    if interval is not None:
        lo, hi = interval
        out.append(
            f'<line x1="{lo * fx + cx:.1f}" y1="{y}" x2="{hi * fx + cx:.1f}" y2="{y}" '
            f'stroke="#333" stroke-width="2"><title>[{number(lo)}, {number(hi)}]</title></line>'
        )
    out.append(f'<text x="{cx:.1f}" y="{y + 24}" text-anchor="middle">0</text>')
    return "".join(out)
