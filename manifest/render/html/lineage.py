"""The report's lineage section: the runs of the report joined by content
hashes and declared parents, as inline SVG laid out in layers
(:mod:`manifest.lineage.layout`). No script, no external library, no style
attribute (only presentation attributes), and every name from a manifest
escaped into text or a ``<title>`` tooltip."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lineage.graph import FILE, MISSING, SOURCE, Node
from ...lineage.layout import layout
from ..lineage_graph import merged_edges
from .markup import text as _text

if TYPE_CHECKING:
    from ...lineage.walk import Lineage
    from ...report.build import ReportData

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 200, 52, 110, 24, 8
_CHARS = 30
_LABELLED = 60  # more edges than this: labels only as tooltips
MAX_DRAWN = 300  # nodes; a larger lineage is left to manifest lineage --format dot
_FILL = {
    "completed": "#eef6ee",
    "failed": "#f8d7da",
    "interrupted": "#fff3cd",
    SOURCE: "#e7f0fb",
    FILE: "#fff3cd",
    MISSING: "#ffffff",
}


def _short(value: str) -> str:
    return value if len(value) <= _CHARS else value[: _CHARS - 1] + "…"


def _lines(node: Node) -> tuple[list[str], str, str]:
    """(lines shown, tooltip, fill key) of a node."""
    if node.record is not None:
        r = node.record
        return (
            [r.label, r.run_id, r.status],
            f"{r.run_id}: {r.label}, {r.status} ({r.path})",
            r.status,
        )
    if node.kind == FILE:
        tip = f"{node.path}: sha256 {node.name}, written by no recorded run"
        return [node.path or "file", f"sha256 {node.name[:12]}", "no recorded producer"], tip, FILE
    if node.kind == MISSING:
        return [node.name, "no manifest"], f"parent {node.name}: no manifest", MISSING
    return [node.name, "declared source"], f"source {node.name}", SOURCE


def _node(node: Node, x: int, y: int, root: bool) -> str:
    lines, tip, kind = _lines(node)
    fill = _FILL.get(kind, "#f4f4f4")
    dash = ' stroke-dasharray="4 3"' if kind == MISSING else ""
    radius = NODE_H // 2 if kind == SOURCE else 6
    width = 3 if root else 1
    bold = ' font-weight="bold"'
    text = "".join(
        f'<tspan x="{x + 10}" y="{y + 17 + 14 * i}"{bold if i == 0 else ""}>'
        f"{_text(_short(line))}</tspan>"
        for i, line in enumerate(lines[:3])
    )
    return (
        f'<g class="node {_text(kind)}"><title>{_text(tip)}</title>'
        f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="{radius}" '
        f'fill="{fill}" stroke="#555" stroke-width="{width}"{dash}/>'
        f'<text font-family="sans-serif" font-size="11" fill="#222">{text}</text></g>'
    )


def _edge(start: tuple[int, int], end: tuple[int, int], label: str, labelled: bool) -> str:
    """A curve from the right of ``start`` to the left of ``end``; one that
    skips layers runs along the lane above its rows, not through the nodes
    between."""
    x1, y1 = start[0] + NODE_W, start[1] + NODE_H // 2
    x2, y2 = end[0], end[1] + NODE_H // 2
    half = GAP_X // 2
    if x2 - x1 <= GAP_X:  # neighbouring layers (or a cycle's back edge)
        path = f"M {x1} {y1} C {x1 + half} {y1}, {x2 - half} {y2}, {x2} {y2}"
        mid = ((x1 + x2) // 2, (y1 + y2) // 2 - 4)
    else:
        lane = min(start[1], end[1]) - GAP_Y // 2
        path = (
            f"M {x1} {y1} C {x1 + half} {y1}, {x1 + half} {lane}, {x1 + GAP_X} {lane} "
            f"L {x2 - GAP_X} {lane} C {x2 - half} {lane}, {x2 - half} {y2}, {x2} {y2}"
        )
        mid = ((x1 + x2) // 2, lane - 3)
    shown = ""
    if labelled:
        short = _short(label.rsplit(" -> ", 1)[-1])
        shown = (
            f'<text x="{mid[0]}" y="{mid[1]}" text-anchor="middle" font-family="sans-serif" '
            f'font-size="10" fill="#555">{_text(short)}</text>'
        )
    return (
        f'<g class="edge"><title>{_text(label)}</title><path d="{path}" fill="none" '
        f'stroke="#777" stroke-width="1.2" marker-end="url(#arrow)"/>{shown}</g>'
    )


def svg(view: Lineage) -> str:
    """The nodes and edges of ``view``, left to right, as one ``<svg>``."""
    edges = merged_edges(view)
    placed = layout(view.graph, view.nodes, [(s, t) for s, t, _ in edges])
    where = {
        n: (
            PAD + placed.layer[n] * (NODE_W + GAP_X),
            PAD + GAP_Y + placed.row[n] * (NODE_H + GAP_Y),
        )
        for n in view.nodes
    }
    width = PAD * 2 + placed.width * (NODE_W + GAP_X) - GAP_X
    height = PAD * 2 + placed.height * (NODE_H + GAP_Y)  # and a lane above the first row
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="lineage of {len(view.nodes)} nodes">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#777"/></marker></defs>',
    ]
    for source, target, label in edges:
        parts.append(_edge(where[source], where[target], label, len(edges) <= _LABELLED))
    for node_id in view.nodes:
        x, y = where[node_id]
        parts.append(_node(view.graph.node(node_id), x, y, node_id in view.roots))
    parts.append("</svg>")
    return "".join(parts)


def lineage_section(data: ReportData) -> str | None:
    """The lineage of the report's runs, or None when none is joined to anything."""
    view = data.lineage
    if view is None or not view.nodes:
        return None
    runs = sum(view.graph.node(n).record is not None for n in view.nodes)
    alone = len(data.runs) - runs
    intro = (
        f"<p>{runs} of the {len(data.runs)} runs, joined by {len(view.edges)} edge(s): an "
        "input whose sha256 is the artifact of an earlier run, or a declared parent"
        + (f"; {alone} run(s) joined to no other are not drawn" if alone > 0 else "")
        + ". Hover over a run or an edge for its details.</p>"
    )
    if len(view.nodes) > MAX_DRAWN:
        return intro + (
            f'<p class="note">{len(view.nodes)} nodes are too many to draw here: '
            "<code>manifest lineage RUN --format dot</code> draws one run's lineage.</p>"
        )
    return intro + f'<div class="scroll">{svg(view)}</div>'
