"""A run named by its path, its run id, or a unique prefix of either the run
id or its random suffix (``20261126T200633Z-312056b3``, ``2026112620``,
``312056``), looked up in a folder of manifests through its index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError, UsageError
from .runs import open_runs

DEFAULT_STORE = Path("manifests")
_SHOWN = 5


def resolve(reference: str, store: Path = DEFAULT_STORE) -> Path:
    """The manifest file that ``reference`` names: an existing path as it is,
    else the one run in ``store`` whose id (or id suffix) starts with it.

    Raises :class:`InputError` when nothing matches, :class:`UsageError`
    when several runs do (naming them)."""
    path = Path(reference)
    if path.exists() or not reference or "/" in reference or reference.endswith(".json"):
        return path
    if not store.is_dir():
        raise InputError(
            "no such file, and no folder of manifests to look the run id up in",
            file=reference,
            hint=f"pass a path, or --store DIR (default {DEFAULT_STORE})",
        )
    with open_runs([store]) as conn:
        found = conn.execute(
            "SELECT path, run_id FROM runs WHERE run_id IS NOT NULL AND "
            "(substr(run_id, 1, ?) = ? OR substr(run_id, instr(run_id, '-') + 1, ?) = ?) "
            "ORDER BY run_id, path",
            [len(reference), reference, len(reference), reference],
        ).fetchall()
    exact = [row for row in found if row[1] == reference]
    found = exact or found
    if not found:
        raise InputError(
            "no such file, and no run with this id or id prefix",
            file=reference,
            hint=f"looked in {store}; `manifest ls {store}` lists the runs",
        )
    if len(found) > 1:
        shown = ", ".join(f"{run_id} ({p})" for p, run_id in found[:_SHOWN])
        more = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
        raise UsageError(
            f"run id prefix {reference!r} is ambiguous: {shown}{more}",
            hint="give more characters of the run id",
        )
    return Path(found[0][0])


def resolve_all(references: Sequence[str | Path], store: Path = DEFAULT_STORE) -> list[Path]:
    """:func:`resolve` for each of ``references`` (paths stay paths)."""
    return [resolve(str(r), store) for r in references]
