"""Query runs: folders of manifests (through their index) and files, filtered
by a ``--where`` expression, sorted, limited. The one entry point of the runs
table, for ``ls``, run-id lookups and the Python API (:func:`runs`)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..index.database import attach
from ..index.rows import COLUMNS, FIELDS, read_row
from .sql import order_sql, sort_keys, where_sql
from .table import RunRecord, Runs
from .where import parse_where

MAX_FOLDERS = 8
_SELECT = (
    "path, folder, run_id, status, created, finished, owner, task, config_name, "
    "overrides, params, metrics, directions, digest, error"
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _select(schema: str, root: str | None) -> str:
    """The rows of ``schema.runs`` with the path and folder as listed."""
    if root is None:  # files named one by one: the path is as given
        path = "path"
        inner = "rtrim(rtrim(path, replace(path, '/', '')), '/')"
        folder = f"CASE WHEN instr(path, '/') THEN {inner} ELSE '.' END"
    else:
        prefix = _literal(root.rstrip("/") + "/" if root not in ("", "/") else root)
        path = f"{prefix} || path"
        inner = "rtrim(rtrim(path, replace(path, '/', '')), '/')"
        folder = f"{_literal(root)} || CASE WHEN instr(path, '/') THEN '/' || {inner} ELSE '' END"
    fields = ", ".join(FIELDS)
    return f"SELECT {path} AS path, {folder} AS folder, {fields} FROM {schema}.runs"


@contextmanager
def open_runs(paths: Sequence[str | Path]) -> Iterator[sqlite3.Connection]:
    """A connection whose temporary view ``runs`` holds every manifest below
    ``paths`` (folders through their up-to-date index; files read now)."""
    folders = [p for p in paths if Path(p).is_dir()]
    if len(folders) > MAX_FOLDERS:
        raise UsageError(
            "too many folders", expected=f"at most {MAX_FOLDERS}", found=str(len(folders))
        )
    conn = sqlite3.connect(":memory:", timeout=60, isolation_level=None)
    with ExitStack() as stack:
        stack.callback(conn.close)
        selects: list[str] = []
        files: list[Path] = []
        for spec in paths:
            path = Path(spec)
            if path.is_dir():
                schema = f"ix{len(selects)}"
                attach(conn, schema, path, stack)
                selects.append(_select(schema, os.path.normpath(str(spec))))
            elif path.exists():
                files.append(path)
            else:
                raise InputError("no such file or folder", file=str(spec))
        if files:
            selects.append(_select(_loose(conn, files), None))
        conn.execute("CREATE TEMP VIEW runs AS " + " UNION ALL ".join(selects))
        yield conn


def _loose(conn: sqlite3.Connection, files: Sequence[Path]) -> str:
    conn.execute("ATTACH DATABASE ':memory:' AS loose")
    conn.execute(f"CREATE TABLE loose.runs ({', '.join(COLUMNS)})")
    rows = []
    for file in dict.fromkeys(files):
        st = file.stat()
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
        rows.append(read_row(str(file), file, stamp, False))
    marks = ", ".join("?" * len(COLUMNS))
    conn.executemany(f"INSERT INTO loose.runs VALUES ({marks})", rows)
    return "loose"


def _json(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def _record(row: tuple[Any, ...]) -> RunRecord:
    path, folder, run_id, status, created, finished, owner, task, config = row[:9]
    overrides, params, metrics, directions, digest, error = row[9:]
    return RunRecord(
        path=path,
        folder=folder,
        run_id=run_id,
        status=status,
        created=created,
        finished=finished,
        owner=owner,
        task=task,
        config=config,
        overrides=tuple(_json(overrides, ())),
        params=_json(params, {}),
        metrics=_json(metrics, {}),
        directions=_json(directions, {}),
        digest=digest,
        error=error,
    )


def _split(sort: str | Sequence[str] | None) -> list[str]:
    if sort is None:
        return []
    items = [sort] if isinstance(sort, str) else list(sort)
    return [key.strip() for item in items for key in item.split(",") if key.strip()]


def runs(
    store: str | Path | Sequence[str | Path] = "manifests",
    where: str | None = None,
    sort: str | Sequence[str] | None = None,
    *,
    limit: int | None = None,
) -> Runs:
    """The runs in ``store`` (a folder of manifests, a manifest file, or a list
    of them) that match ``where``, ordered by ``sort`` (``"metrics.accuracy"``,
    ``"-created"`` for descending, or a list of keys; then by creation time).

    Raises :class:`~manifest.query.where.QueryError` for a bad expression or
    sort key, :class:`~manifest.errors.InputError` for a path that does not
    exist. Folders are read through the index (see :mod:`manifest.index`).
    """
    paths = [store] if isinstance(store, (str, Path)) else list(store)
    if not paths:
        raise UsageError("no folder or file to list")
    condition, condition_args = where_sql(parse_where(where)) if where is not None else ("1", [])
    order, order_args = order_sql(sort_keys(_split(sort)))
    with open_runs(paths) as conn:
        total = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        rows = conn.execute(
            f"SELECT {_SELECT} FROM runs WHERE {condition} ORDER BY {order} LIMIT ?",
            [*condition_args, *order_args, -1 if limit is None else limit],
        ).fetchall()
    return Runs(
        rows=tuple(_record(r) for r in rows),
        sources=tuple(str(p) for p in paths),
        total=total,
    )
