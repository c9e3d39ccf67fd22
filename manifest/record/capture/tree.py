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
them), the digest is taken from the cache without even that lookup. Even
that look at each file costs a third of a second at 25,000 files; when git's
listing is what it was and git, asked in C, finds no file changed since the
last summary, the whole section is taken from that summary (:mod:`.quick`).
"""

from __future__ import annotations

import gc
import heapq
import os
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .quick import Quick
from .treecache import Info, TreeCache, stamp_text

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
    if not any(e[0] in "RC" for e in entries if len(e) > 3 and e[2] == " "):
        return [(e[:2], e[3:]) for e in entries]  # no rename: one entry per path
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


def not_dirt(
    entries: list[tuple[str, str]], root: Path, folders: dict[str, bool] | None = None
) -> list[tuple[str, str]]:
    """``entries`` without the untracked files of Hydra run folders (a folder
    above them holds ``.hydra/``); each folder is looked at once, and its
    verdict left in ``folders``."""
    found = run_folders(root, {path.rpartition("/")[0] for code, path in entries if code == "??"})
    if folders is not None:
        folders.update(found)
    return [e for e in entries if e[0] != "??" or not found[e[1].rpartition("/")[0]]]


def run_folders(root: Path, folders: Iterable[str]) -> dict[str, bool]:
    """For each of ``folders`` and the folders above them, whether it is in a
    Hydra run folder (it or a folder above it holds ``.hydra/``)."""
    verdicts: dict[str, bool] = {"": False}

    def in_run_folder(folder: str) -> bool:
        known = verdicts.get(folder)
        if known is None:
            parent = folder.rpartition("/")[0]
            known = in_run_folder(parent) or os.path.isdir(f"{root}/{folder}/.hydra")
            verdicts[folder] = known
        return known

    for folder in folders:
        in_run_folder(folder)
    return verdicts


@dataclass(frozen=True)
class Snapshot:
    """The work tree when a job started: the ``code.git`` section of its
    manifest, and what :func:`changed_since` compares at the end."""

    section: dict[str, Any]
    root: Path | None = None
    spec: tuple[str, ...] = ()
    listing: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    stamps: tuple[tuple[str, str], ...] = ()


def _listing(root: Path, spec: Sequence[str]) -> tuple[str | None, frozenset[tuple[str, str]]]:
    """The commit, and what ``git status`` shows with untracked folders
    collapsed: one cheap call."""
    done = git(["status", "--porcelain=v2", "--branch", "-z", *spec], root)
    return _parse_listing(done.stdout, root)


def _parse_listing(output: bytes, root: Path) -> tuple[str | None, frozenset[tuple[str, str]]]:
    head: str | None = None
    entries: list[tuple[str, str]] = []
    for record in output.decode("utf-8", "surrogateescape").split("\0"):
        if record.startswith("# branch.oid "):
            oid = record[len("# branch.oid ") :]
            head = None if oid == "(initial)" else oid
        elif record.startswith("? "):
            entries.append(("??", record[2:]))
        elif record[:2] in ("1 ", "2 ", "u "):  # changed: fields, then the path
            fields = {"1": 8, "2": 9, "u": 10}[record[0]]
            parts = record.split(" ", fields)
            entries.append((" ".join(parts[:fields]), parts[-1]))
    return head, frozenset(not_dirt(entries, root))


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
    collapsed = _start(["status", "--porcelain=v2", "--branch", "-z", *spec], root)
    quick = Quick.of(root, spec, cache) if cache is not None else None
    check = quick.check(root) if quick is not None else None
    listing = _start(["status", "--porcelain=v1", "-z", "--untracked-files=all", *spec], root)
    output = listing.communicate(timeout=120)[0]
    found = check.result(commit, output, lambda f: run_folders(root, f)) if check else None
    if found is not None:  # nothing changed since the last summary
        section, tracked = found["section"], tuple((p, _stamp(root / p)) for p in found["tracked"])
    else:
        edited = check.changed if check is not None else None
        section, tracked = _summary(root, commit, output, cache, quick, edited)
    listed = _parse_listing(collapsed.communicate(timeout=120)[0], root)[1]
    return Snapshot(section, root, tuple(spec), listed, tracked)


def _summary(
    root: Path,
    commit: str | None,
    listing: bytes,
    cache: Path | None,
    quick: Quick | None,
    edited: list[str] | None,
) -> tuple[dict[str, Any], tuple[tuple[str, str], ...]]:
    """The ``code.git`` section and the stamps of the changed tracked files,
    from git's ``listing`` and a look at each uncommitted file; remembered in
    ``quick`` (``edited``: the files that changed since it was, when the
    paths did not)."""
    folders: dict[str, bool] = {}
    with _gc_paused():  # tens of thousands of small objects: no collection midway
        entries = not_dirt(parse_status(listing), root, folders)
        indexed = quick is not None and quick.prepare(root, [p for _, p in entries], edited)
        infos = _stamped(root, entries)
        tree_cache = TreeCache(root, cache)
        digest = tree_cache.digest(commit, entries, infos) if entries else None
        pairs = list(zip(entries, infos, strict=True))
        tracked = tuple((path, stamp_text(info)) for (code, path), info in pairs if code != "??")
        changed = heapq.nsmallest(MAX_CHANGED_LISTED, {p for _, p in entries})
        # a path listed but gone when looked at may come back unlisted by the index
        whole = all(info is not None or "D" in code for (code, _), info in pairs)
    section = {
        "available": True,
        "commit": commit,
        "dirty": bool(entries),
        "diff_sha256": digest,
        "changed": changed,
    }
    if quick is not None and indexed and whole and tree_cache.settled:
        quick.remember(commit, listing, folders, section, [p for p, _ in tracked])
    return section, tracked


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _start(args: Sequence[str], root: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    return subprocess.Popen(
        ["git", *args], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def _stamped(root: Path, entries: list[tuple[str, str]]) -> list[Info]:
    """The ``lstat`` of each path (None: gone)."""
    base = f"{root}{os.sep}"
    infos: list[Info] = []
    for _, path in entries:
        try:
            infos.append(os.lstat(base + path))
        except OSError:
            infos.append(None)
    return infos


def changed_since(start: Snapshot) -> list[str]:
    """Paths that changed while the job ran: the commit, tracked files,
    untracked files or folders that appeared or went (not an untracked file
    edited in place: finding that would cost a look at every one)."""
    if start.root is None:
        return []
    head, now = _listing(start.root, start.spec)
    changed = {"HEAD"} if head != start.section.get("commit") else set()
    changed |= {p for _, p in now ^ start.listing}
    for path, stamp in start.stamps:
        if _stamp(start.root / path) != stamp:
            changed.add(path)
    return sorted(changed)


def _stamp(path: Path) -> str:
    try:
        return stamp_text(os.lstat(path))
    except OSError:
        return "-"
