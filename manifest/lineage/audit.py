"""Audits of a run's lineage against the runs that are known: can each input
be traced to a recorded run or a declared version, and does every ancestor
hold up?

- ``inputs_traceable``: every hashed input of the run was written by a run
  that started before it (a content edge), or the input is a declared
  version (``scheme://...``).
- ``upstream_valid``: every ancestor (transitively, through content edges
  and declared parents) has a manifest among the known runs, that manifest
  validates (``validity`` says why not), and its run completed.

Each broken edge is a :class:`Gap` naming the input (or parent) of the
audited run through which it is reached, the hash, and what is missing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from .graph import CONTENT, MISSING, PARENT, Graph, latest_producer, order_key, run_node
from .records import RunRecord

INPUTS_TRACEABLE, UPSTREAM_VALID = "inputs_traceable", "upstream_valid"
NEEDS = (INPUTS_TRACEABLE, UPSTREAM_VALID)

Validity = Callable[[RunRecord], "str | None"]
"""Why the manifest of a run does not validate, or None when it does."""


class Gap(NamedTuple):
    """One broken edge: the requirement, the JSON pointer in the audited
    manifest, and what is missing."""

    need: str
    pointer: str
    what: str


def _short(sha: str) -> str:
    return f"sha256 {sha[:12]}"


def _run(record: RunRecord) -> str:
    return f"run {record.run_id} ({record.label})"


def untraceable(graph: Graph, record: RunRecord) -> list[Gap]:
    """The hashed inputs of ``record`` that no known run wrote before it."""
    gaps = []
    for item in record.inputs:
        if item.sha256 is None or latest_producer(graph, item.sha256, record) is not None:
            continue
        later = [r for r, _ in graph.producers.get(item.sha256, []) if r.run_id != record.run_id]
        missing = (
            f"the only runs that wrote these bytes started after it ({later[0].run_id})"
            if later
            else f"no known run wrote these bytes ({len(graph.runs)} runs known)"
        )
        gaps.append(
            Gap(
                INPUTS_TRACEABLE,
                f"/inputs/{item.position}/sha256",
                f"input {item.key!r} ({item.path}, {_short(item.sha256)}): {missing}, "
                "and it declares no version",
            )
        )
    return gaps


def _first_hops(graph: Graph, record: RunRecord) -> list[tuple[str, str, str]]:
    """(ancestor node, pointer, how it is reached) for each direct ancestor."""
    hops = []
    for item in record.inputs:
        found = latest_producer(graph, item.sha256, record) if item.sha256 else None
        if found is not None and found[0].run_id != record.run_id:
            how = f"input {item.key!r} ({_short(str(item.sha256))}) comes from {_run(found[0])}"
            hops.append((run_node(found[0].run_id), f"/inputs/{item.position}/sha256", how))
    for index, parent in enumerate(record.parents):
        if parent != record.run_id:
            how = f"parent {parent}"
            hops.append((run_node(parent), f"/lineage/parents/{index}", how))
    return hops


def _problem(graph: Graph, node: str, validity: Validity) -> str | None:
    """What is wrong with the ancestor ``node`` (a predicate), or None."""
    entry = graph.nodes.get(node)
    if entry is None or entry.kind == MISSING:
        return f"has no manifest among the {len(graph.runs)} known runs"
    assert entry.record is not None
    invalid = validity(entry.record)
    if invalid is not None:
        return f"does not validate ({invalid})"
    if entry.record.status != "completed":
        return f"did not complete (status {entry.record.status})"
    return None


def _name(graph: Graph, node: str) -> str:
    entry = graph.nodes.get(node)
    if entry is not None and entry.record is not None:
        return _run(entry.record)
    return f"run {node.split(':', 1)[1]}"


def upstream_gaps(graph: Graph, record: RunRecord, validity: Validity) -> list[Gap]:
    """Every ancestor of ``record`` that is missing, does not validate or did
    not complete, each named through the input or parent that leads to it
    (breadth first: by the shortest way)."""
    gaps: list[Gap] = []
    queue = deque((node, 1, pointer, how) for node, pointer, how in _first_hops(graph, record))
    seen = {run_node(record.run_id)}
    while queue:
        node, steps, pointer, how = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        problem = _problem(graph, node, validity)
        if problem is not None:
            who = "it" if steps == 1 else f"its ancestor {_name(graph, node)}, {steps} steps up,"
            gaps.append(Gap(UPSTREAM_VALID, pointer, f"{how}: {who} {problem}"))
        for edge in graph.parents_of(node):
            if edge.kind in (CONTENT, PARENT):
                queue.append((edge.source, steps + 1, pointer, how))
    return gaps


def audit(
    graph: Graph, records: list[RunRecord], validity: Validity, needs: tuple[str, ...] = NEEDS
) -> dict[tuple[str, str | None], tuple[Gap, ...]]:
    """The gaps of each of ``records`` (by run id and digest) that has any."""
    found: dict[tuple[str, str | None], tuple[Gap, ...]] = {}
    for record in sorted(records, key=order_key):
        gaps = untraceable(graph, record) if INPUTS_TRACEABLE in needs else []
        if UPSTREAM_VALID in needs:
            gaps += upstream_gaps(graph, record, validity)
        if gaps:
            found[(record.run_id, record.digest)] = tuple(gaps)
    return found
