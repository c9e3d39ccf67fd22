"""The code version of a run: git commit, dirty tree, diff digest, task source.

The manifest store and Hydra's output folders are excluded from the dirty
check: they change with every run, and counting them would make the second
run of anything differ from the first.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .files import sha256_file

MAX_CHANGED_LISTED = 100


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, env=env, check=False, timeout=60
    )


def _pathspec(root: Path, exclude: Sequence[Path]) -> list[str]:
    """The whole work tree but the ``exclude`` folders inside it."""
    pathspec = ["--", "."]
    for folder in exclude:
        try:
            rel = folder.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        if str(rel) not in ("", "."):
            pathspec.append(f":(exclude){rel.as_posix()}")
    return pathspec


def _status(root: Path, pathspec: Sequence[str]) -> tuple[list[str], list[str]]:
    """(changed paths, untracked paths) of ``git status`` over ``pathspec``."""
    status = _git(["status", "--porcelain=v1", "-z", "--untracked-files=all", *pathspec], root)
    entries = [e for e in status.stdout.decode("utf-8", "replace").split("\0") if e]
    changed: list[str] = []
    untracked: list[str] = []
    skip_next = False
    for entry in entries:
        if skip_next:  # the source path of a rename
            skip_next = False
            continue
        code, name = entry[:2], entry[3:]
        if code[0] in "RC":
            skip_next = True
        changed.append(name)
        if code == "??":
            untracked.append(name)
    return changed, untracked


def git_state(cwd: Path, *, exclude: Sequence[Path] = ()) -> dict[str, Any]:
    """Commit, dirty flag, changed paths and sha256 of the uncommitted diff.

    ``exclude`` lists folders (store, outputs) whose changes are not dirt.
    Untracked files count as dirt; their content goes into the diff digest.
    """
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd)
    except FileNotFoundError:
        return {"available": False, "reason": "git is not installed"}
    except subprocess.TimeoutExpired:
        return {"available": False, "reason": "git did not answer"}
    if top.returncode != 0:
        return {"available": False, "reason": "not a git repository"}
    root = Path(top.stdout.decode().strip())
    head = _git(["rev-parse", "--verify", "-q", "HEAD"], root)
    commit = head.stdout.decode().strip() if head.returncode == 0 else None

    pathspec = _pathspec(root, exclude)
    changed, untracked = _status(root, pathspec)
    dirty = bool(changed)
    diff_sha256 = None
    if dirty:
        digest = hashlib.sha256()
        base = ["diff", "--binary", "--no-ext-diff", "--no-color"]
        diff = _git([*base, "HEAD", *pathspec] if commit else [*base, "--cached", *pathspec], root)
        digest.update(diff.stdout)
        for name in sorted(untracked):
            file = root / name
            content = sha256_file(file) if file.is_file() and not file.is_symlink() else "-"
            digest.update(f"\0untracked {name} {content}".encode())
        diff_sha256 = digest.hexdigest()
    return {
        "available": True,
        "commit": commit,
        "dirty": dirty,
        "diff_sha256": diff_sha256,
        "changed": sorted(changed)[:MAX_CHANGED_LISTED],
    }


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
