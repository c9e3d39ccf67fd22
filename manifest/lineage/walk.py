"""Questions asked of a lineage graph: what is upstream or downstream of some
runs, what produced or consumed some bytes, and in which order ancestors
must be replayed."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import ManifestError
from .graph import CONTENT, MISSING, PARENT, RUN, Edge, Graph, order_key, run_node
from .records import RunRecord


class LineageError(ManifestError, ValueError):
    """A lineage that cannot be replayed: a missing ancestor or a cycle (exit 2)."""


@dataclass(frozen=True)
class Lineage:
    """The part of ``graph`` around ``roots``: each node reached upstream or
    downstream with its distance (roots at 0), and the edges walked."""

    graph: Graph
    roots: tuple[str, ...]
    upstream: dict[str, int] = field(default_factory=dict)
    downstream: dict[str, int] = field(default_factory=dict)
    edges: tuple[Edge, ...] = ()
    depth: int | None = None
    artifact: str | None = None  # the sha256 of an incident query
    up: bool = True  # upstream was asked for
    down: bool = True  # downstream was asked for

    @property
    def nodes(self) -> list[str]:
        """Every node shown: upstream ones, the roots, downstream ones."""
        shown = dict.fromkeys([*self.upstream, *self.roots, *self.downstream])
        return list(shown)


def _walk(
    graph: Graph, roots: Sequence[str], *, up: bool, depth: int | None
) -> tuple[dict[str, int], list[Edge]]:
    """Breadth first from ``roots`` along edges into (``up``) or out of nodes."""
    distance = dict.fromkeys(roots, 0)
    edges: list[Edge] = []
    frontier = list(roots)
    while frontier and (depth is None or distance[frontier[0]] < depth):
        following: list[str] = []
        for node in frontier:
            for edge in graph.parents_of(node) if up else graph.children_of(node):
                edges.append(edge)
                other = edge.source if up else edge.target
                if other not in distance:
                    distance[other] = distance[node] + 1
                    following.append(other)
        frontier = following
    return {n: d for n, d in distance.items() if d > 0}, edges


def around(
    graph: Graph,
    roots: Sequence[str],
    *,
    up: bool = True,
    down: bool = True,
    depth: int | None = None,
    artifact: str | None = None,
) -> Lineage:
    """What is upstream (``up``) and downstream (``down``) of ``roots``
    (node ids), at most ``depth`` edges away."""
    upstream, up_edges = _walk(graph, roots, up=True, depth=depth) if up else ({}, [])
    downstream, down_edges = _walk(graph, roots, up=False, depth=depth) if down else ({}, [])
    for root in roots:  # a root reached from another root is a root
        upstream.pop(root, None)
        downstream.pop(root, None)
    edges = tuple(dict.fromkeys([*up_edges, *down_edges]))
    return Lineage(graph, tuple(roots), upstream, downstream, edges, depth, artifact, up, down)


def incident(
    graph: Graph, sha256: str, *, up: bool = False, down: bool = True, depth: int | None = None
) -> Lineage:
    """Every run that wrote or read the bytes with ``sha256``, and what is
    downstream of them (with ``up``, upstream too): the incident query."""
    touched = [record for record, _ in graph.producers.get(sha256, [])]
    touched += [record for record, _ in graph.consumers.get(sha256, [])]
    roots = [run_node(r.run_id) for r in sorted(set(touched), key=order_key)]
    return around(graph, roots, up=up, down=down, depth=depth, artifact=sha256)


def among(graph: Graph, run_ids: Iterable[str]) -> Lineage:
    """The runs ``run_ids`` that are joined to anything, with the edges
    between them and the sources, files and missing parents they read: the
    lineage of a set of runs, for a report. Runs joined to nothing are left out."""
    runs = {run_node(r) for r in run_ids if r in graph.runs}
    edges = tuple(
        e
        for e in graph.edges
        if e.target in runs and (e.source in runs or graph.nodes[e.source].kind != RUN)
    )
    joined = dict.fromkeys(n for e in edges for n in (e.source, e.target))
    return Lineage(graph, (), {}, {n: 0 for n in joined}, edges, up=False)


def _ancestors(graph: Graph, targets: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = [run_node(t) for t in targets]
    while stack:
        node = stack.pop()
        for edge in graph.parents_of(node):
            if edge.kind in (CONTENT, PARENT) and edge.source not in seen:
                seen.add(edge.source)
                stack.append(edge.source)
    return seen


def _cycle(graph: Graph, nodes: set[str]) -> list[str]:
    """One cycle among ``nodes`` (each of which lies on or behind one), in
    the direction of derivation (parent first)."""
    node, path = min(nodes), []
    while node not in path:
        path.append(node)
        node = min(e.source for e in graph.parents_of(node) if e.source in nodes)
    return [node, *reversed(path[path.index(node) :])]


def replay_order(graph: Graph, run_ids: Sequence[str]) -> list[RunRecord]:
    """The ancestors of ``run_ids`` in an order where every run comes after
    all runs it derives from (earliest start first among equals), then the
    runs themselves. Raises :class:`LineageError` when an ancestor has no
    manifest or declared parents form a cycle."""
    wanted = _ancestors(graph, run_ids) | {run_node(r) for r in run_ids}
    missing = sorted(graph.nodes[n].name for n in wanted if graph.nodes[n].kind == MISSING)
    if missing:
        child = next(e.target for e in graph.children_of(run_node(missing[0])))
        record = graph.nodes[child].record
        raise LineageError(
            f"the parent run {missing[0]} has no manifest among the runs read",
            file=record.path if record is not None else None,
            pointer="/lineage/parents",
            hint="add its manifest to the store (--store) or remove it from manifest.parents",
        )
    waiting = {n: {e.source for e in graph.parents_of(n) if e.source in wanted} for n in wanted}
    ready = [(order_key(graph.runs[graph.nodes[n].name]), n) for n, w in waiting.items() if not w]
    heapq.heapify(ready)
    order: list[RunRecord] = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(graph.runs[graph.nodes[node].name])
        for edge in graph.children_of(node):
            pending = waiting.get(edge.target)
            if pending is not None and node in pending:
                pending.discard(node)
                if not pending:
                    record = graph.runs[graph.nodes[edge.target].name]
                    heapq.heappush(ready, (order_key(record), edge.target))
    if len(order) < len(wanted):
        left = {n for n in wanted if n not in {run_node(r.run_id) for r in order}}
        cycle = " -> ".join(graph.nodes[n].name for n in _cycle(graph, left))
        raise LineageError(
            f"declared parents form a cycle: {cycle}",
            hint="a run cannot derive from itself: fix manifest.parents",
        )
    return order


def is_run(graph: Graph, node_id: str) -> bool:
    return graph.nodes[node_id].kind == RUN
