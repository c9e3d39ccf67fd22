"""Attach, check, refresh and rebuild the index of one folder of manifests.

:func:`attach` gives a connection a schema (``ix0``, ``ix1``...) holding the
``runs`` table of a folder, up to date with the files. The index file is
reused when it is a database of this version; a file that is corrupt, not a
database or of another version is deleted and rebuilt (under the exclusive
lock); when the cache cannot be written at all (read-only, full, locked for
too long) the folder is indexed into memory for this one command. Files are
read outside write transactions; each batch is written in one short
``BEGIN IMMEDIATE`` transaction after checking that no other command wrote it
first, so two commands can refresh the same index at once, and a command
killed half-way leaves a consistent index that the next one completes.

The index is a cache that any command can rebuild from the files, so it is
written with ``synchronous=NORMAL``: in WAL mode a power cut may lose the
last batches (their files are read again), never corrupt the file. A new
index reads every file anyway, so it takes each file's stamp from the
``fstat`` of the read instead of a ``stat`` walk first.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .location import index_path
from .lock import IndexLock
from .parse import Parser, Stamp
from .rows import COLUMNS, STAMP, read_fresh
from .scan import names, scan, state

# 2: the lineage columns; 3: the scan digest (meta); 4: no index of run ids
# (run ids are looked up by prefix, which no index serves, through a view
# over every folder's table; keeping one cost 12% of writing the rows)
SCHEMA_VERSION = 4
BATCH = 1000
PAGE_SIZE = 16384  # fewer, larger writes than 4 KiB pages for rows of about 1 KiB
RACY_NS = 2_000_000_000  # a file this recent may change again within its mtime tick
_SUFFIXES = ("", "-wal", "-shm", "-journal")
_INSERT = f"INSERT OR REPLACE INTO {{}}.runs VALUES ({', '.join('?' * len(COLUMNS))})"


class _Rebuild(sqlite3.DatabaseError):
    """An index of another version: rebuild it like a corrupt one."""


def _create(conn: sqlite3.Connection, schema: str) -> None:
    conn.execute(f"PRAGMA {schema}.synchronous=NORMAL")
    version = conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        tables = f"SELECT count(*) FROM {schema}.sqlite_master WHERE name = 'runs'"
        if conn.execute(tables).fetchone()[0] != 1:
            raise _Rebuild("the index has no runs table")
        return
    if version != 0:
        raise _Rebuild(f"index version {version}, expected {SCHEMA_VERSION}")
    conn.execute(f"PRAGMA {schema}.page_size={PAGE_SIZE}")  # before the first table only
    conn.execute(f"PRAGMA {schema}.journal_mode=WAL")
    with _transaction(conn):
        columns = ", ".join(
            f"{c} TEXT NOT NULL UNIQUE" if c == "path" else f"{c} {_type(c)}" for c in COLUMNS
        )
        conn.execute(f"CREATE TABLE IF NOT EXISTS {schema}.runs ({columns})")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {schema}.meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute(f"PRAGMA {schema}.user_version={SCHEMA_VERSION}")


def _type(column: str) -> str:
    return "INTEGER" if column in (*STAMP, "racy") else "TEXT"


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _stored(conn: sqlite3.Connection, schema: str, paths: list[str] | None) -> dict[str, Stamp]:
    """Stamps of indexed files (racy ones left out: they are always re-read)."""
    query = f"SELECT path, {', '.join(STAMP)} FROM {schema}.runs WHERE racy = 0"
    if paths is None:
        rows = conn.execute(query)
    else:
        marks = ", ".join("?" * len(paths))
        rows = conn.execute(f"{query} AND path IN ({marks})", paths)
    return {row[0]: tuple(row[1:]) for row in rows}


def _plan(
    conn: sqlite3.Connection, schema: str, seen: dict[str, Stamp]
) -> tuple[list[str], list[str]]:
    """(files to read, paths to delete): new, changed or racy rows; vanished files."""
    stored = _stored(conn, schema, None)
    changed = sorted(p for p, stamp in seen.items() if stored.get(p) != stamp)
    gone = sorted(set(stored) - set(seen))
    racy = conn.execute(f"SELECT path FROM {schema}.runs WHERE racy = 1").fetchall()
    return changed, gone + [p for (p,) in racy if p not in seen]


def _write(conn: sqlite3.Connection, schema: str, rows: list[tuple[Any, ...]]) -> int:
    """Insert ``rows`` in one transaction, except those another command has
    written meanwhile with the same stamp."""
    with _transaction(conn):
        now = _stored(conn, schema, [r[0] for r in rows])
        rows = [r for r in rows if now.get(r[0]) != r[1:5]]
        conn.executemany(_INSERT.format(schema), rows)
    return len(rows)


def _read(
    conn: sqlite3.Connection, schema: str, root: Path, paths: list[str], started: int
) -> tuple[dict[str, Stamp], int]:
    """Read ``paths`` (below ``root``) into the index, a batch per transaction;
    the stamps read (files gone since the scan left out) and the rows written."""
    base = os.path.join(root, "")
    parser = Parser()
    stamps: dict[str, Stamp] = {}
    written = 0
    for start in range(0, len(paths), BATCH):
        rows = []
        for path in paths[start : start + BATCH]:
            found = read_fresh(path, base + path, parser)
            if found is not None:
                stamp, values = found
                stamps[path] = stamp
                rows.append((path, *stamp, int(stamp[1] > started - RACY_NS), *values))
        if rows:
            written += _write(conn, schema, rows)
    return stamps, written


def refresh(conn: sqlite3.Connection, schema: str, root: Path) -> int:
    """Bring ``schema.runs`` up to date with the files below ``root``; return
    how many rows were written or deleted."""
    started = time.time_ns()
    last = conn.execute(f"SELECT value FROM {schema}.meta WHERE key = 'state'").fetchone()
    if last is None and conn.execute(f"SELECT 1 FROM {schema}.runs LIMIT 1").fetchone() is None:
        # A new index: every file is read, and its read gives its stamp. In
        # path order, each row goes at the end of the path index instead of
        # at a random place in it (at 100,000 files, half the SQLite time);
        # the digest is taken in the order a scan lists them, as later ones.
        listed = names(root)
        stamps, written = _read(conn, schema, root, sorted(listed), started)
        seen = {path: stamps[path] for path in listed if path in stamps}
        digest = state(seen)
    else:
        seen = scan(root)
        digest = state(seen)
        if last is not None and last[0] == digest:
            return 0  # not one file added, removed or touched since the last refresh
        changed, gone = _plan(conn, schema, seen)
        written = _read(conn, schema, root, changed, started)[1]
        if gone:
            with _transaction(conn):
                for start in range(0, len(gone), BATCH):
                    batch = gone[start : start + BATCH]
                    marks = ", ".join("?" * len(batch))
                    conn.execute(f"DELETE FROM {schema}.runs WHERE path IN ({marks})", batch)
            written += len(gone)
    settled = all(stamp[1] <= started - RACY_NS for stamp in seen.values())
    with _transaction(conn):
        sql = f"INSERT OR REPLACE INTO {schema}.meta VALUES ('state', ?)"
        conn.execute(sql, (digest if settled else "",))
    return written


def _detach(conn: sqlite3.Connection, schema: str) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    with contextlib.suppress(sqlite3.Error):
        conn.execute(f"DETACH DATABASE {schema}")


def _delete(path: Path) -> None:
    for suffix in _SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def _in_memory(conn: sqlite3.Connection, schema: str, root: Path, reason: str) -> str:
    conn.execute(f"ATTACH DATABASE ':memory:' AS {schema}")
    _create(conn, schema)
    refresh(conn, schema, root)
    return f"in memory ({reason})"


def attach(conn: sqlite3.Connection, schema: str, root: Path, stack: ExitStack) -> str:
    """Attach the up-to-date index of ``root`` to ``conn`` as ``schema``; the
    lock it takes is released when ``stack`` closes. Returns where the index
    is (its file, or why it is in memory)."""
    path = index_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = stack.enter_context(IndexLock(path.with_name(path.name + ".lock")))
    except OSError as exc:
        return _in_memory(conn, schema, root, f"cannot lock {path}: {exc}")
    for attempt in range(2):
        try:
            conn.execute(f"ATTACH DATABASE ? AS {schema}", (str(path),))
            _create(conn, schema)
            refresh(conn, schema, root)
            return str(path)
        except sqlite3.OperationalError as exc:  # read-only, full, locked too long
            _detach(conn, schema)
            return _in_memory(conn, schema, root, f"{path}: {exc}")
        except sqlite3.DatabaseError:  # corrupt, not a database, another version
            _detach(conn, schema)
            if attempt:
                break
            try:
                lock.exclusive()
                _delete(path)
                lock.shared()
            except OSError as exc:
                return _in_memory(conn, schema, root, f"cannot rebuild {path}: {exc}")
    return _in_memory(conn, schema, root, f"{path} is corrupt and could not be rebuilt")
