"""The lineage graph: runs joined by content hashes and declared parents.

Edge rules (``A -> B`` means B derives from A):

- **content**: an input of run B whose sha256 equals the sha256 of an
  artifact of run A, where A started before B (by ``created``, ties broken by
  run id; so content edges never form a cycle). When several earlier runs
  wrote those bytes, the edge comes from the latest of them, the most
  recent copy B can have read; every producer stays listed in
  :attr:`Graph.producers` for the incident query.
- **parent**: a run id in B's ``lineage.parents``; a parent with no manifest
  is a ``missing`` node.
- **source**: an input of B with a declared version (``scheme://...``) comes
  from a ``source`` node named by that text; a hashed input that no earlier
  run wrote comes from a ``file`` node named by its sha256.

Node ids carry their kind (``run:<run id>``, ``source:<text>``,
``file:<sha256>``), so that no run id can pose as a source.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .records import Artifact, Input, Problem, RunRecord

RUN, SOURCE, FILE, MISSING = "run", "source", "file", "missing"
CONTENT, PARENT, DECLARED = "content", "parent", "source"


def run_node(run_id: str) -> str:
    return f"{RUN}:{run_id}"


class Node(NamedTuple):
    """A run (``record`` set), a declared source, an unproduced file, or a
    declared parent with no manifest."""

    id: str
    kind: str
    name: str  # run id, source text, sha256
    record: RunRecord | None = None
    path: str = ""  # a file node: the path it was first read as


class Edge(NamedTuple):
    """``source -> target``: ``target`` derives from ``source``."""

    source: str
    target: str
    kind: str  # content, parent, source
    input: Input | None = None  # the target's input (content and source edges)
    artifact: Artifact | None = None  # the source run's artifact (content edges)


def order_key(record: RunRecord) -> tuple[str, str]:
    """When a run started, as a total order: its ``created`` time, then run id."""
    return record.created, record.run_id


@dataclass
class Graph:
    """Every run and what joins them; see the module for the edge rules."""

    runs: dict[str, RunRecord] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    up: dict[str, list[Edge]] = field(default_factory=dict)  # edges into a node
    down: dict[str, list[Edge]] = field(default_factory=dict)  # edges out of a node
    producers: dict[str, list[tuple[RunRecord, Artifact]]] = field(default_factory=dict)
    consumers: dict[str, list[tuple[RunRecord, Input]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def parents_of(self, node_id: str) -> list[Edge]:
        return self.up.get(node_id, [])

    def children_of(self, node_id: str) -> list[Edge]:
        return self.down.get(node_id, [])

    def add_node(self, node: Node) -> None:
        if node.id not in self.nodes:
            self.nodes[node.id] = node

    def add_edge(self, edge: Edge) -> None:
        self.edges.append(edge)
        self.up.setdefault(edge.target, []).append(edge)
        self.down.setdefault(edge.source, []).append(edge)


def _keep(graph: Graph, record: RunRecord) -> None:
    """Add ``record`` unless its run id is taken: the first file wins, and a
    second file with other content under the same run id is a problem."""
    first = graph.runs.get(record.run_id)
    if first is None:
        graph.runs[record.run_id] = record
        graph.nodes[run_node(record.run_id)] = Node(
            run_node(record.run_id), RUN, record.run_id, record
        )
    elif first.digest != record.digest:
        graph.problems.append(
            Problem(
                record.path,
                f"{record.path}: /run_id: run id {record.run_id} is also the run of "
                f"{first.path}, with other content: this file is left out of the graph",
            )
        )


def _index(graph: Graph) -> None:
    """Who wrote and who read each sha256, earliest start first."""
    for record in graph.runs.values():
        for artifact in record.artifacts:
            graph.producers.setdefault(artifact.sha256, []).append((record, artifact))
        for item in record.inputs:
            if item.sha256 is not None:
                graph.consumers.setdefault(item.sha256, []).append((record, item))
    for writers in graph.producers.values():
        writers.sort(key=lambda e: order_key(e[0]))
    for readers in graph.consumers.values():
        readers.sort(key=lambda e: order_key(e[0]))


def latest_producer(
    graph: Graph, sha256: str, before: RunRecord
) -> tuple[RunRecord, Artifact] | None:
    """The run that wrote the bytes ``sha256`` and started last before
    ``before`` did (with the artifact), or None: the content edge's source."""
    writers = graph.producers.get(sha256, [])
    position = bisect.bisect_left(writers, order_key(before), key=lambda e: order_key(e[0]))
    return writers[position - 1] if position else None


def _link_inputs(graph: Graph, record: RunRecord) -> None:
    target = run_node(record.run_id)
    for item in record.inputs:
        if item.sha256 is None:
            source = f"{SOURCE}:{item.path or item.version}"
            graph.add_node(Node(source, SOURCE, item.path or str(item.version)))
            graph.add_edge(Edge(source, target, DECLARED, item))
            continue
        found = latest_producer(graph, item.sha256, record)
        if found is None:
            source = f"{FILE}:{item.sha256}"
            graph.add_node(Node(source, FILE, item.sha256, path=item.path))
            graph.add_edge(Edge(source, target, DECLARED, item))
        else:
            producer, artifact = found
            graph.add_edge(Edge(run_node(producer.run_id), target, CONTENT, item, artifact))


def _link_parents(graph: Graph, record: RunRecord) -> None:
    target = run_node(record.run_id)
    for parent in record.parents:
        source = run_node(parent)
        if parent not in graph.runs:
            graph.add_node(Node(source, MISSING, parent))
        if source != target:
            graph.add_edge(Edge(source, target, PARENT))


def build_graph(records: Iterable[RunRecord], problems: Iterable[Problem] = ()) -> Graph:
    """The lineage graph of ``records`` (from manifests or from an index);
    ``problems`` of the reading are kept with the graph's own."""
    graph = Graph(problems=list(problems))
    for record in records:
        _keep(graph, record)
    _index(graph)
    for record in sorted(graph.runs.values(), key=order_key):
        _link_inputs(graph, record)
        _link_parents(graph, record)
    return graph
