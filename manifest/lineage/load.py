"""Where the graph's records come from: the runs index of each folder of
manifests (:mod:`manifest.index`, refreshed by a ``stat`` of each file and a
parse of the changed ones only), and files named one by one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from .graph import Graph, build_graph
from .records import Problem, Records, RunRecord, record_from_row

DEFAULT_STORE = Path("manifests")
_COLUMNS = "path, run_id, digest, status, config_name, task, created, artifacts, inputs, parents"


def load_records(stores: Sequence[Path], *, extra: Sequence[Path] = ()) -> Records:
    """The record of every manifest below ``stores`` (folders or files) and
    of the files ``extra``, those of ``extra`` first (a file named on the
    command line wins over a copy of its run in a store); a file that is not
    a manifest is a :class:`Problem`. Raises :class:`InputError` for a path
    that does not exist."""
    from ..index.rows import UNREADABLE
    from ..query.runs import open_runs

    for path in [*extra, *stores]:
        if not path.exists():
            raise InputError("no such file or folder", file=str(path))
    named = {str(path) for path in extra}
    records: list[RunRecord] = []
    problems: list[Problem] = []
    with open_runs(list(dict.fromkeys([*extra, *stores]))) as conn:
        rows = conn.execute(f"SELECT {_COLUMNS}, error FROM runs").fetchall()
    rows.sort(key=lambda row: row[0] not in named)
    for path, run_id, *values, artifacts, inputs, parents, error in rows:
        if values[1] == UNREADABLE:
            problems.append(Problem(path, f"{path}: {error}"))
        elif not run_id:
            problems.append(Problem(path, f"{path}: /run_id: no run id: not a manifest"))
        else:
            records.append(record_from_row(path, [run_id, *values], artifacts, inputs, parents))
    return Records(tuple(records), tuple(problems), len(rows))


def load_graph(stores: Sequence[Path], *, extra: Sequence[Path] = ()) -> Graph:
    """The lineage graph of every manifest below ``stores`` and of ``extra``
    (see :func:`load_records`)."""
    loaded = load_records(stores, extra=extra)
    return build_graph(loaded.records, loaded.problems)
