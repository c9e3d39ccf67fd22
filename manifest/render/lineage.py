"""A :class:`~manifest.lineage.walk.Lineage` as text or JSON (Graphviz DOT and
Mermaid are in :mod:`manifest.render.lineage_graph`).

The text of a run's lineage is two trees, as ``cargo tree`` draws them: the
runs it derives from (upstream) and the runs that derive from it
(downstream); a run met twice is drawn once and then marked ``(*)``. The text
of an incident query is a table of every run that wrote, read or descends
from the bytes.
"""

from __future__ import annotations

import json
from typing import Any

from ..lineage.graph import FILE, MISSING, SOURCE, Edge, Graph, Node
from ..lineage.walk import Lineage
from .escape import escape
from .lineage_graph import dot, mermaid, via
from .table import columns

FORMATS = ("text", "json", "dot", "mermaid")


def describe(node: Node) -> str:
    """One line naming a node: a run's id, config and status, or the source."""
    if node.record is not None:
        return f"{node.name}  {node.record.label}  {node.record.status}"
    if node.kind == SOURCE:
        return f"source {node.name}"
    if node.kind == FILE:
        return f"file {node.path} (sha256 {node.name[:12]}, written by no recorded run)"
    return f"{node.name}  (no manifest)"


def _tree(view: Lineage, root: str, *, up: bool) -> list[str]:
    """The runs reached from ``root`` in one direction, as an indented tree
    (drawn with an explicit stack: a chain can be thousands of runs long)."""
    graph, reach = view.graph, view.upstream if up else view.downstream
    lines: list[str] = []
    drawn: set[str] = set()

    def branches(node: str) -> list[Edge]:
        edges = graph.parents_of(node) if up else graph.children_of(node)
        return [e for e in edges if (e.source if up else e.target) in reach]

    stack = [(edge, "", number == 0, 0) for number, edge in enumerate(reversed(branches(root)))]
    while stack:
        edge, prefix, last, level = stack.pop()
        other = edge.source if up else edge.target
        seen = other in drawn
        text = f"{describe(graph.node(other))}  [{via(edge)}]" + ("  (*)" if seen else "")
        lines.append(prefix + ("└── " if last else "├── ") + escape(text))
        drawn.add(other)
        inner = prefix + ("    " if last else "│   ")
        if seen:
            continue
        if view.depth is None or level + 1 < view.depth:
            children = branches(other)
            stack += [(e, inner, n == 0, level + 1) for n, e in enumerate(reversed(children))]
        elif graph.parents_of(other) if up else graph.children_of(other):
            lines.append(inner + "└── ... (beyond --depth)")
    return lines or ["(none)"]


def _run_text(view: Lineage) -> str:
    graph = view.graph
    lines: list[str] = []
    for root in view.roots:
        node = graph.node(root)
        where = f"  {node.record.path}" if node.record is not None else ""
        lines.append(escape(describe(node) + where))
        if view.up:
            lines += ["upstream:", *_tree(view, root, up=True)]
        if view.down:
            lines += ["downstream:", *_tree(view, root, up=False)]
    if any("(*)" in line for line in lines):
        lines.append("(*) shown above")
    return "\n".join(lines) + "\n"


def _incident_rows(view: Lineage) -> list[list[str]]:
    graph, sha = view.graph, str(view.artifact)
    rows = [["relation", "run", "config", "status", "detail"]]
    for record, artifact in graph.producers.get(sha, []):
        rows.append(["wrote", record.run_id, record.label, record.status, artifact.path])
    for record, item in graph.consumers.get(sha, []):
        rows.append(
            ["read", record.run_id, record.label, record.status, f"{item.key} = {item.path}"]
        )
    reached = {e.target: e for e in view.edges if e.target in view.downstream}
    for node_id in sorted(view.downstream, key=lambda n: (view.downstream[n], n)):
        node, edge = graph.node(node_id), reached[node_id]
        label = node.record.label if node.record else "-"
        status = node.record.status if node.record else node.kind
        detail = f"from {graph.node(edge.source).name} via {via(edge)}"
        rows.append(["downstream", node.name, label, status, detail])
    for node_id in sorted(view.upstream, key=lambda n: (view.upstream[n], n)):
        node = graph.node(node_id)
        label = node.record.label if node.record else node.kind
        status = node.record.status if node.record else "-"
        rows.append(["upstream", node.name, label, status, f"{view.upstream[node_id]} step(s) up"])
    return rows


def _incident_text(view: Lineage) -> str:
    graph, sha = view.graph, str(view.artifact)
    wrote, read = len(graph.producers.get(sha, [])), len(graph.consumers.get(sha, []))
    head = (
        f"sha256 {sha}: written by {wrote} run(s), read by {read} run(s), "
        f"{len(view.downstream)} more downstream"
    )
    if not wrote and not read:
        return f"sha256 {sha}: no recorded run wrote or read these bytes\n"
    rows = _incident_rows(view)
    cells = [[escape(cell) for cell in row] for row in rows]
    return "\n".join([head, *columns(cells)]) + "\n"


def _node_json(view: Lineage, node_id: str) -> dict[str, Any]:
    node = view.graph.node(node_id)
    side = (
        "root"
        if node_id in view.roots
        else "upstream"
        if node_id in view.upstream
        else "downstream"
    )
    distance = view.upstream.get(node_id, view.downstream.get(node_id, 0))
    entry: dict[str, Any] = {"id": node_id, "kind": node.kind, "name": node.name, "side": side}
    entry["distance"] = distance
    if node.record is not None:
        r = node.record
        entry.update(run_id=r.run_id, path=r.path, digest=r.digest, status=r.status)
        entry.update(config_name=r.config_name, task=r.task, created=r.created)
    elif node.kind == FILE:
        entry["path"] = node.path
    return entry


def _edge_json(edge: Edge) -> dict[str, Any]:
    entry: dict[str, Any] = {"from": edge.source, "to": edge.target, "kind": edge.kind}
    if edge.artifact is not None:
        entry["artifact"] = {"path": edge.artifact.path, "sha256": edge.artifact.sha256}
    if edge.input is not None:
        i = edge.input
        entry["input"] = {"key": i.key, "path": i.path, "sha256": i.sha256, "version": i.version}
    return entry


def as_json(view: Lineage) -> dict[str, Any]:
    """The lineage as plain data: the question, nodes and edges."""
    graph = view.graph
    document: dict[str, Any] = {
        "roots": list(view.roots),
        "depth": view.depth,
        "nodes": [_node_json(view, n) for n in view.nodes],
        "edges": [_edge_json(e) for e in view.edges],
        "problems": [{"file": p.path, "message": p.message} for p in graph.problems],
    }
    if view.artifact is not None:
        sha = view.artifact
        document["artifact"] = {
            "sha256": sha,
            "written_by": [
                {"run_id": r.run_id, "path": a.path} for r, a in graph.producers.get(sha, [])
            ],
            "read_by": [
                {"run_id": r.run_id, "key": i.key, "path": i.path}
                for r, i in graph.consumers.get(sha, [])
            ],
        }
    return document


def render(view: Lineage, fmt: str) -> str:
    """``view`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json.dumps(as_json(view), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "dot":
        return dot(view)
    if fmt == "mermaid":
        return mermaid(view)
    return _incident_text(view) if view.artifact is not None else _run_text(view)


def graph_summary(graph: Graph) -> str:
    """How many runs and edges a graph holds, for a status line."""
    runs = len(graph.runs)
    missing = sum(n.kind == MISSING for n in graph.nodes.values())
    text = f"{runs} runs, {len(graph.edges)} edges"
    return text + (f", {missing} missing parents" if missing else "")
