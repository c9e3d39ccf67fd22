"""A lineage as a drawing: Graphviz DOT and Mermaid (which GitHub renders in
Markdown). Nodes are numbered ``n0, n1, ...``; every name from a manifest
goes into a quoted, escaped label, never into the syntax."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..lineage.graph import CONTENT, FILE, MISSING, PARENT, SOURCE, Edge, Node
from .escape import escape

if TYPE_CHECKING:
    from ..lineage.walk import Lineage

_NOT_COMPLETED = ("failed", "interrupted")


def via(edge: Edge) -> str:
    """What joins the two ends of ``edge``: the artifact and the input it
    became, ``parent`` for a declared parent, or the input a source feeds."""
    if edge.kind == CONTENT and edge.artifact is not None and edge.input is not None:
        return f"{edge.artifact.path} -> {edge.input.key}"
    if edge.kind == PARENT:
        return "parent"
    return edge.input.key if edge.input is not None else ""


def _lines(node: Node) -> list[str]:
    if node.record is not None:
        return [node.record.label, node.name, node.record.status]
    if node.kind == FILE:
        return [node.path or "file", f"sha256 {node.name[:12]}", "no recorded producer"]
    if node.kind == MISSING:
        return [node.name, "no manifest"]
    return [node.name]


def merged_edges(view: Lineage) -> list[tuple[str, str, str]]:
    """(source, target, label) per pair of nodes, labels of parallel edges joined."""
    labels: dict[tuple[str, str], list[str]] = {}
    for edge in view.edges:
        labels.setdefault((edge.source, edge.target), []).append(via(edge))
    ids = _ids(view)
    pairs = sorted(labels, key=lambda pair: (int(ids[pair[0]][1:]), int(ids[pair[1]][1:])))
    return [(s, t, "; ".join(dict.fromkeys(labels[(s, t)]))) for s, t in pairs]


def _rank(node: Node) -> tuple[int, str, str]:
    """Sources first, then runs as they started, then missing parents."""
    if node.record is not None:
        return 1, node.record.created, node.name
    return (2 if node.kind == MISSING else 0), node.name, ""


def _ids(view: Lineage) -> dict[str, str]:
    """Short ids of the nodes, numbered in the order they are listed."""
    ordered = sorted(view.nodes, key=lambda n: _rank(view.graph.node(n)))
    return {node: f"n{number}" for number, node in enumerate(ordered)}


def _dot_text(text: str) -> str:
    return escape(text).replace("\\", "\\\\").replace('"', '\\"')


def dot(view: Lineage) -> str:
    """Graphviz DOT: ``manifest lineage RUN --format dot | dot -Tsvg > lineage.svg``."""
    ids = _ids(view)
    lines = [
        "digraph lineage {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for node_id, name in ids.items():
        node = view.graph.node(node_id)
        label = "\\n".join(_dot_text(line) for line in _lines(node))
        attributes = [f'label="{label}"']
        if node.kind == SOURCE:
            attributes.append("shape=ellipse")
        elif node.kind == FILE:
            attributes.append("shape=note")
        elif node.kind == MISSING:
            attributes.append('style="rounded,dashed"')
        elif node.record is not None and node.record.status in _NOT_COMPLETED:
            attributes.append('style="rounded,filled", fillcolor="#f8d7da"')
        if node_id in view.roots:
            attributes.append("penwidth=2")
        lines.append(f"  {name} [{', '.join(attributes)}];")
    for source, target, label in merged_edges(view):
        lines.append(f'  {ids[source]} -> {ids[target]} [label="{_dot_text(label)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}


def _mermaid_text(text: str) -> str:
    safe = escape(text)
    return "".join(_MERMAID_ENTITIES.get(c, c) for c in safe)


def _box(label: str) -> str:
    return f'["{label}"]'


_SHAPES: dict[str, Callable[[str], str]] = {
    SOURCE: lambda label: f'(["{label}"])',
    FILE: lambda label: f'[/"{label}"/]',
    MISSING: lambda label: f'{{{{"{label}"}}}}',
}


def mermaid(view: Lineage) -> str:
    """A Mermaid flowchart, for a ```` ```mermaid ```` block in Markdown."""
    ids = _ids(view)
    lines = ["flowchart LR"]
    failed, roots = [], []
    for node_id, name in ids.items():
        node = view.graph.node(node_id)
        label = "<br/>".join(_mermaid_text(line) for line in _lines(node))
        shape = _SHAPES.get(node.kind, _box)(label)
        lines.append(f"  {name}{shape}")
        if node.record is not None and node.record.status in _NOT_COMPLETED:
            failed.append(name)
        if node_id in view.roots:
            roots.append(name)
    for source, target, label in merged_edges(view):
        arrow = f'-->|"{_mermaid_text(label.replace(" -> ", " → "))}"|' if label else "-->"
        lines.append(f"  {ids[source]} {arrow} {ids[target]}")
    if roots:
        lines += ["  classDef root stroke-width:3px", f"  class {','.join(roots)} root"]
    if failed:
        lines += [
            "  classDef failed fill:#f8d7da,stroke:#c00",
            f"  class {','.join(failed)} failed",
        ]
    return "\n".join(lines) + "\n"
