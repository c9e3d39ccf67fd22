"""The code version of a run: git commit, dirty tree, diff digest, task source.

Taken when the job starts (:func:`capture`) and compared at its end
(:func:`changed_during`): what the task edits or writes while it runs does not
make its own manifest dirty, and the manifest says what changed meanwhile.
The work tree itself is :mod:`.tree`'s; what is not dirt is listed there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import sha256_file
from .tree import Snapshot, changed_since, snapshot

MAX_CHANGED_LISTED = 100


def git_state(
    cwd: Path, *, exclude: Sequence[Path] = (), cache: Path | None = None
) -> dict[str, Any]:
    """Commit, dirty flag, changed paths and the digest of the uncommitted
    changes of the repository holding ``cwd``; ``exclude`` lists folders
    (store, outputs) whose changes are not dirt."""
    return snapshot(cwd, exclude=exclude, cache=cache).section


def source_state(source: Path | None, *, relative_to: Path, module: str) -> dict[str, Any]:
    """Path and sha256 of the task's source file.

    The path is relative to the project when the source lives there, and the
    module's own path (``pkg/mod.py``) when it is installed elsewhere.
    """
    if source is None or not source.is_file():
        return {"path": None, "sha256": None}
    try:
        shown = source.resolve().relative_to(relative_to.resolve()).as_posix()
    except ValueError:
        parts = module.split(".")
        if source.name == "__init__.py":
            parts.append("__init__")
        shown = "/".join(parts) + source.suffix
    return {"path": shown, "sha256": sha256_file(source)}


@dataclass(frozen=True)
class CodeState:
    """The ``code`` section of a manifest as it was when the job started,
    and what tells at the end whether the code changed meanwhile."""

    git: Snapshot
    source: dict[str, Any]
    source_file: Path | None
    source_stamp: tuple[int, int] | None

    def section(self) -> dict[str, Any]:
        return {"git": self.git.section, "source": self.source}


def _stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def capture(
    project_dir: Path,
    *,
    exclude: Sequence[Path],
    task_source: Path | None,
    module: str,
    cache: Path | None,
) -> CodeState:
    """The code of a job as it starts."""
    source = source_state(task_source, relative_to=project_dir, module=module)
    return CodeState(
        snapshot(project_dir, exclude=exclude, cache=cache),
        source,
        task_source,
        _stamp(task_source),
    )


def changed_during(start: CodeState) -> list[str]:
    """What changed in the code since ``start``: paths of the work tree
    (``HEAD`` when the commit moved) and the task's own source file."""
    changed = set(changed_since(start.git))
    if start.source_file is not None and _stamp(start.source_file) != start.source_stamp:
        changed.add(start.source["path"] or str(start.source_file))
    return sorted(changed)[:MAX_CHANGED_LISTED]
