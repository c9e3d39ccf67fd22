"""The few git plumbing commands a summary since a revision needs.

Everything goes through ``git`` itself (no library): the repository root, a
revision's commit, the files under some paths at that revision with their
blob ids, the blob ids of working-tree files (through git's own filters) and
the contents of blobs, read in one ``cat-file --batch`` process.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import UsageError


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """The output of ``git args``; :class:`UsageError` with git's message on failure."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="diff --rev reads git history") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def toplevel(cwd: Path) -> Path:
    """The root of the git repository holding ``cwd``."""
    return Path(git(cwd, "rev-parse", "--show-toplevel").decode().strip())


def commit_of(root: Path, rev: str) -> str:
    """The commit id that ``rev`` names (:class:`UsageError` if none)."""
    if rev.startswith("-"):
        raise UsageError("bad revision", pointer="--rev", found=repr(rev))
    return (
        git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        .decode()
        .strip()
    )


def tree_files(root: Path, commit: str, paths: Sequence[str]) -> dict[str, str]:
    """``{repository path: blob id}`` of the ``*.json`` files under ``paths`` at ``commit``."""
    out = git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
    found = {}
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        kind, oid = meta.split(b" ")[1:3]
        path = name.decode("utf-8", "surrogateescape")
        if kind == b"blob" and path.endswith(".json") and not _hidden(path, paths):
            found[path] = oid.decode()
    return found


def _hidden(path: str, roots: Sequence[str]) -> bool:
    for root in roots:
        prefix = root.rstrip("/") + "/" if root not in ("", ".") else ""
        if path.startswith(prefix):
            return any(part.startswith(".") for part in path[len(prefix) :].split("/"))
    return False


def working_oids(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """Blob ids that the working-tree files ``paths`` would have if added."""
    if not paths:
        return {}
    listed = "".join(f"{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    oids = git(root, "hash-object", "--stdin-paths", stdin=listed).decode().split()
    return dict(zip(paths, oids, strict=True))


def blobs(root: Path, oids: Sequence[str]) -> Iterator[tuple[str, bytes]]:
    """(oid, content) of each blob, read by one ``git cat-file --batch``."""
    if not oids:
        return
    request = "".join(f"{oid}\n" for oid in oids).encode()
    out = git(root, "cat-file", "--batch", stdin=request)
    pos = 0
    for oid in oids:
        end = out.index(b"\n", pos)
        size = int(out[pos:end].split(b" ")[2])
        yield oid, out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
