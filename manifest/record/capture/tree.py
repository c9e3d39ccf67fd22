"""The work tree as git sees it: commit, what is uncommitted, and its digest.

Taken when a job starts (:func:`snapshot`), so that a file the task edits or
writes into the project does not make the run's own manifest dirty; at the
end, :func:`changed_since` says cheaply what changed while the job ran.

What is not dirt: the manifest stores (the run's own, and every file named
like a manifest, ``<run_id>.json``, wherever it is), Hydra's output folders
(the run's and sweep's top folders, any folder holding ``.hydra/``, any
``multirun.yaml``), the model registry (``registry/`` and ``*.gate.json``).

The digest of the uncommitted changes is the sha256 over the commit and,
for each changed or untracked path, its status and the sha256 of its bytes
(or ``-`` when it is gone). Reading every untracked file on every run made a
repository with an MLflow folder of 25,000 files 2.7x slower; the bytes are
hashed once and remembered by (device, inode, size, mtime) in a per-repository
cache, and when no path's status or stamp changed (one signature over all of
them), the digest is taken from the cache without even that lookup.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .treecache import TreeCache

MAX_CHANGED_LISTED = 100
# Whatever the configured folders are: files that are records, not code.
NOT_DIRT = (
    ":(exclude,glob)**/.hydra/**",
    ":(exclude,glob)**/multirun.yaml",
    ":(exclude,glob)**/*.gate.json",
    ":(exclude,glob)**/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]*Z-*.json",
    ":(exclude)registry",
)


def git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, env=env, check=False, timeout=120
    )


def pathspec(root: Path, exclude: Sequence[Path]) -> list[str]:
    """The whole work tree but the ``exclude`` folders and :data:`NOT_DIRT`."""
    spec = ["--", ".", *NOT_DIRT]
    for folder in exclude:
        try:
            rel = folder.resolve().relative_to(root)
        except ValueError:
            continue
        if str(rel) not in ("", "."):
            spec.append(f":(exclude){rel.as_posix()}")
    return spec


def parse_status(output: bytes) -> list[tuple[str, str]]:
    """(status, path) of ``git status --porcelain=v1 -z``; a rename's source
    path is listed as removed."""
    entries = [e for e in output.decode("utf-8", "surrogateescape").split("\0") if e]
    found: list[tuple[str, str]] = []
    index = 0
    while index < len(entries):
        code, name = entries[index][:2], entries[index][3:]
        found.append((code, name))
        if code[0] in "RC" and index + 1 < len(entries):
            found.append(("D ", entries[index + 1]))
            index += 1
        index += 1
    return found


def _in_hydra_folder(path: str, root: Path, seen: dict[str, bool]) -> bool:
    """Whether a folder above ``path`` holds ``.hydra/`` (a Hydra run folder)."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if folder not in seen:
            seen[folder] = os.path.isdir(root / folder / ".hydra")
        if seen[folder]:
            return True
    return False


def not_dirt(entries: list[tuple[str, str]], root: Path) -> list[tuple[str, str]]:
    """``entries`` without the files of Hydra run folders (untracked ones)."""
    seen: dict[str, bool] = {}
    return [e for e in entries if e[0] != "??" or not _in_hydra_folder(e[1], root, seen)]


@dataclass(frozen=True)
class Snapshot:
    """The work tree when a job started: the ``code.git`` section of its
    manifest, and what :func:`changed_since` compares at the end."""

    section: dict[str, Any]
    root: Path | None = None
    spec: tuple[str, ...] = ()
    listing: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    stamps: tuple[tuple[str, str], ...] = ()


def _listing(root: Path, spec: Sequence[str]) -> frozenset[tuple[str, str]]:
    """What ``git status`` shows with untracked folders collapsed: cheap."""
    done = git(["status", "--porcelain=v1", "-z", *spec], root)
    return frozenset(not_dirt(parse_status(done.stdout), root))


def snapshot(cwd: Path, *, exclude: Sequence[Path] = (), cache: Path | None = None) -> Snapshot:
    """The work tree of the repository holding ``cwd``, now."""
    try:
        top = git(["rev-parse", "--show-toplevel", "--verify", "-q", "HEAD"], cwd)
    except FileNotFoundError:
        return Snapshot({"available": False, "reason": "git is not installed"})
    except subprocess.TimeoutExpired:
        return Snapshot({"available": False, "reason": "git did not answer"})
    lines = top.stdout.decode().split()
    if not lines or not Path(lines[0]).is_dir():
        return Snapshot({"available": False, "reason": "not a git repository"})
    root = Path(lines[0])
    commit = lines[1] if len(lines) > 1 and top.returncode == 0 else None
    spec = pathspec(root, exclude)
    status = git(["status", "--porcelain=v1", "-z", "--untracked-files=all", *spec], root)
    entries = not_dirt(parse_status(status.stdout), root)
    digest: str | None = None
    stamps: list[tuple[str, str]] = []
    if entries:
        digest, stamps = TreeCache(root, cache).digest(commit, entries)
    section = {
        "available": True,
        "commit": commit,
        "dirty": bool(entries),
        "diff_sha256": digest,
        "changed": sorted({p for _, p in entries})[:MAX_CHANGED_LISTED],
    }
    tracked = tuple(s for s in stamps if s[0] in {p for c, p in entries if c != "??"})
    return Snapshot(section, root, tuple(spec), _listing(root, spec), tracked)


def changed_since(start: Snapshot) -> list[str]:
    """Paths that changed while the job ran: the commit, tracked files,
    untracked files or folders that appeared or went (not an untracked file
    edited in place: finding that would cost a look at every one)."""
    if start.root is None:
        return []
    head = git(["rev-parse", "--verify", "-q", "HEAD"], start.root).stdout.decode().strip()
    changed = {"HEAD"} if (head or None) != start.section.get("commit") else set()
    now = _listing(start.root, start.spec)
    changed |= {p for _, p in now ^ start.listing}
    for path, stamp in start.stamps:
        if _stamp(start.root / path) != stamp:
            changed.add(path)
    return sorted(changed)


def _stamp(path: Path) -> str:
    try:
        info = os.lstat(path)
    except OSError:
        return "-"
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}"
