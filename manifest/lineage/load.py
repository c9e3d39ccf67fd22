"""Where the graph's records come from: the manifests below some paths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .graph import Graph, build_graph
from .records import read_records

DEFAULT_STORE = Path("manifests")


def load_graph(stores: Sequence[Path], *, extra: Sequence[Path] = ()) -> Graph:
    """The lineage graph of every manifest below ``stores`` and of the files
    ``extra`` (read first: a file named on the command line wins over a copy
    of its run in a store). Raises :class:`~manifest.errors.InputError` for a
    path that does not exist."""
    records = read_records([*extra, *stores])
    return build_graph(records.records, records.problems)
