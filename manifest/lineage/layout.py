"""A layered layout of a lineage, for drawing it without a graph library.

Left to right, as data flows: every node sits in the layer one past the
deepest of the nodes it derives from, so every edge points right; a node
that derives from nothing sits just before the first node that reads it.
Within a layer, nodes are ordered to cross few edges: first by start time,
then by a few sweeps of the barycenter heuristic (each node moves to the
mean position of its neighbours in the layer before, then after). Declared
parents can form a cycle; an edge that closes one is left out of the
layering (it is still drawn).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .graph import Graph, order_key

_SWEEPS = 4


@dataclass(frozen=True)
class Layout:
    """Each node's layer (column) and row within it; ``width`` layers and
    ``height`` rows at most."""

    layer: dict[str, int]
    row: dict[str, int]
    width: int
    height: int


def _layers(nodes: Sequence[str], pairs: Sequence[tuple[str, str]]) -> dict[str, int]:
    """The longest-path layering; nodes on a cycle go after what they follow."""
    parents: dict[str, set[str]] = {n: set() for n in nodes}
    children: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in pairs:
        if source != target:
            parents[target].add(source)
            children[source].append(target)
    layer: dict[str, int] = {}
    waiting = {n: len(p) for n, p in parents.items()}
    ready = [n for n in nodes if not waiting[n]]
    while len(layer) < len(nodes):
        if not ready:  # a cycle: start it at the node that waits on the fewest
            stuck = min((n for n in nodes if n not in layer), key=lambda n: (waiting[n], n))
            ready = [stuck]
            waiting[stuck] = 0
        node = ready.pop()
        layer[node] = 1 + max((layer[p] for p in parents[node] if p in layer), default=-1)
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0 and child not in layer:
                ready.append(child)
    for node in nodes:  # a source sits just before the first run that reads it
        if not parents[node] and children[node]:
            layer[node] = max(layer[node], min(layer[c] for c in children[node]) - 1)
    return layer


def _sweep(
    columns: list[list[str]], neighbours: dict[str, list[str]], position: dict[str, float]
) -> None:
    for column in columns:

        def centre(node: str) -> float:
            around = [position[n] for n in neighbours[node] if n in position]
            return sum(around) / len(around) if around else position[node]

        column.sort(key=lambda n: (centre(n), position[n]))
        position.update({n: float(i) for i, n in enumerate(column)})


def layout(graph: Graph, nodes: Sequence[str], pairs: Sequence[tuple[str, str]]) -> Layout:
    """The layout of ``nodes`` (ids of ``graph``) joined by ``pairs``
    (source, target)."""
    layer = _layers(nodes, pairs)

    def start(node: str) -> tuple[str, str]:
        record = graph.nodes[node].record
        return order_key(record) if record is not None else ("", node)

    width = max(layer.values(), default=-1) + 1
    columns: list[list[str]] = [[] for _ in range(width)]
    for node in sorted(nodes, key=start):
        columns[layer[node]].append(node)
    position = {n: float(i) for column in columns for i, n in enumerate(column)}
    before: dict[str, list[str]] = {n: [] for n in nodes}
    after: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in pairs:
        before[target].append(source)
        after[source].append(target)
    for _ in range(_SWEEPS):
        _sweep(columns[1:], before, position)
        _sweep(columns[-2::-1], after, position)
    row = {n: i for column in columns for i, n in enumerate(column)}
    height = max((len(c) for c in columns), default=0)
    return Layout(layer, row, width, height)
