"""The work tree's summary without a look at each file, when nothing changed.

Summarising a tree that holds 25,000 untracked files costs, in this process,
a ``lstat`` and a few Python objects per file: a third of a second on every
run. Git does the same look in C at a fifth of the cost, and already knows
how to decide that a file did not change since it last looked (its stat
data, and its bytes when the stat cannot tell: the "racy git" rule). So, next
to the tree cache (:mod:`.treecache`), each summary leaves:

- a private index (``quick-<key>.index``, never the repository's own) holding
  every uncommitted regular file and symlink, with git's stat data and object
  id (``git update-index --info-only``: nothing is written into the
  repository);
- a record (``quick-<key>.json``): the digest of ``git status``'s listing of
  the uncommitted paths, the Hydra run folders it found among them, the
  ``code.git`` section that came of it, and the private index's own stamp.

The next summary takes the section from the record when git's listing is the
same bytes, the run folders are the same, the index is the one recorded, and
``git diff-files`` against the private index names no file (a file edited in
place, gone or replaced). In every other case the tree is summarised as
before, and the record made again. A record is only left when no file was
modified in the last two seconds, as for the tree cache.

The key is a hash of the repository's path and the pathspec (what is not
dirt differs between stores and run folders). Git's configuration is pinned
so that the comparison looks at all the stat data (``core.checkStat``,
``core.trustctime``) and asks no file-system monitor.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.atomic import atomic_write
from ...errors import ManifestError
from .treecache import stamp_text

_VERSION = "hmquick1"
_PINNED = (
    "-c",
    "core.checkStat=default",
    "-c",
    "core.trustctime=true",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.splitIndex=false",
)


def _git(args: Sequence[str], root: Path, index: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_INDEX_FILE": str(index)}
    return subprocess.Popen(
        ["git", *_PINNED, *args],
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _key(commit: str | None, listing: bytes) -> str:
    digest = hashlib.sha256(f"{_VERSION} {commit}\n".encode())
    digest.update(listing)
    return digest.hexdigest()


@dataclass(frozen=True)
class Quick:
    """Where the record and the private index of one tree and pathspec are."""

    record: Path
    index: Path

    @classmethod
    def of(cls, root: Path, spec: Sequence[str], cache: Path) -> Quick:
        text = "\0".join([str(root), *spec]).encode("utf-8", "surrogateescape")
        name = hashlib.sha256(text).hexdigest()[:24]
        return cls(cache / f"quick-{name}.json", cache / f"quick-{name}.index")

    def check(self, root: Path) -> Check | None:
        """Start asking git whether a remembered file changed (None: no
        record to compare with)."""
        try:
            found = json.loads(self.record.read_text(encoding="utf-8"))
            index = _stamp(self.index)
            if found.get("version") != _VERSION or index == "-" or found.get("index") != index:
                return None
        except (OSError, ValueError, AttributeError):
            return None
        return Check(found, _git(["diff-files", "--name-only", "-z"], root, self.index))

    def prepare(self, root: Path, paths: list[str], changed: list[str] | None = None) -> bool:
        """Put the uncommitted ``paths`` (and only them) in the private index,
        before this process looks at them: what changes after git's look is
        then seen next time. With ``changed`` (the index holds ``paths``
        already, :attr:`Check.changed`), only those are looked at again.
        False when git could not."""
        self.forget()
        with contextlib.suppress(OSError):
            self.index.parent.mkdir(parents=True, exist_ok=True)
        if changed is not None:
            if self._update(root, changed):
                return True
        else:
            kept = [p for p in paths if not p.endswith("/")]  # a nested repository: no file
            if self._forget(root, set(kept)) and self._update(root, kept):
                return True
        with contextlib.suppress(OSError):
            self.index.unlink()
        return False

    def remember(
        self,
        commit: str | None,
        listing: bytes,
        folders: dict[str, bool],
        section: dict[str, Any],
        tracked: list[str],
    ) -> None:
        """Make the record of a summary taken after :meth:`prepare`."""
        index = _stamp(self.index)
        if index == "-":  # another run's failed update removed it meanwhile
            return
        found = {
            "version": _VERSION,
            "key": _key(commit, listing),
            "folders": folders,
            "section": section,
            "tracked": tracked,
            "index": index,
        }
        with contextlib.suppress(OSError, ManifestError):  # only costs time next run
            atomic_write(self.record, json.dumps(found).encode())

    def forget(self) -> None:
        """No record: a file was modified too recently to be trusted."""
        with contextlib.suppress(OSError):
            self.record.unlink()

    def _forget(self, root: Path, kept: set[str]) -> bool:
        """Drop from the index what is no longer uncommitted."""
        if not self.index.exists():
            return True
        try:
            listed = _git(["ls-files", "-z"], root, self.index).communicate(timeout=120)[0]
        except (OSError, subprocess.TimeoutExpired):
            return False
        names = listed.decode("utf-8", "surrogateescape").split("\0")
        stale = [n for n in names if n and n not in kept]
        return not stale or self._run(root, ["update-index", "--force-remove"], stale)

    def _update(self, root: Path, paths: list[str]) -> bool:
        return self._run(root, ["update-index", "--add", "--remove", "--info-only"], paths)

    def _run(self, root: Path, args: list[str], paths: list[str]) -> bool:
        data = "".join(p + "\0" for p in paths).encode("utf-8", "surrogateescape")
        try:
            child = _git([*args, "-z", "--stdin"], root, self.index)
        except OSError:
            return False
        try:
            child.communicate(data, timeout=120)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            return False
        return child.returncode == 0


def _stamp(path: Path) -> str:
    try:
        return stamp_text(os.stat(path))
    except OSError:
        return "-"


@dataclass
class Check:
    """Git comparing the remembered files with the work tree."""

    found: dict[str, Any]
    child: subprocess.Popen[bytes]
    changed: list[str] | None = None  # same paths as remembered; these files changed

    def result(
        self, commit: str | None, listing: bytes, folders: Callable[[list[str]], dict[str, bool]]
    ) -> dict[str, Any] | None:
        """The remembered record, when ``listing`` (git's, now) is the one
        remembered, the run folders among ``folders`` are the same, and no
        remembered file changed; otherwise None."""
        try:
            changed, _ = self.child.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.communicate()
            return None
        found = self.found
        if self.child.returncode != 0 or found.get("key") != _key(commit, listing):
            return None
        remembered, tracked = found.get("folders"), found.get("tracked")
        if not isinstance(found.get("section"), dict) or not isinstance(tracked, list):
            return None
        if not isinstance(remembered, dict) or folders(list(remembered)) != remembered:
            return None
        if changed:
            self.changed = [n for n in changed.decode("utf-8", "surrogateescape").split("\0") if n]
            return None
        return found
