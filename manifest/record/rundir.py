"""One run folder per run: never record into a folder another run is writing.

Hydra's default run folder (``outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}``) has
one-second resolution: two runs started in the same second share it, the
second overwrites the first's artifacts and ``.hydra/`` files, and the first
manifest then cites bytes that no longer exist. Two runs given one fixed
``hydra.run.dir`` at the same time do the same.

Before Hydra makes the folder (``on_run_start`` / ``on_multirun_start`` of a
callback), :func:`guard` claims it and holds a kernel lock (``flock``) on it
until the run has recorded its manifest (``on_run_end``). The folder is
taken as it is when it is new (``mkdir`` is atomic: of two runs only one
creates it), or when it is a fixed folder (its name holds no ``${now:}``) that
no live run holds: a pipeline that reruns a stage into its folder does that
on purpose. Otherwise (a timestamped folder already used in the same second,
a folder another live run holds) the run takes the first free ``NAME-1``,
``NAME-2``, ... and says so on stderr. A multirun claims its sweep folder the
same way. The project folder itself (``hydra.run.dir=.``) is left alone.

``manifest run`` installs :class:`RunFolderGuard`; ``ManifestCallback``
guards an app's runs itself. A config guarded twice is claimed once.
"""

from __future__ import annotations

import os
import shutil
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from ..core.locking import try_lock

GUARD_TARGET = "manifest.record.rundir.RunFolderGuard"
MAX_SUFFIX = 1000


@dataclass
class Claim:
    """A folder claimed for one run (or sweep) and the lock that holds it."""

    config: weakref.ReferenceType[Any]
    key: str  # hydra.run.dir or hydra.sweep.dir
    folder: Path
    moved_from: Path | None
    fd: int | None = field(default=None, repr=False)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None


_claims: ContextVar[list[Claim] | None] = ContextVar("hydra_manifest_claims", default=None)


def _is_project_or_above(folder: Path) -> bool:
    here = Path.cwd().resolve()
    there = folder.resolve()
    return there == here or there in here.parents


def _hold(folder: Path) -> tuple[bool, int | None]:
    """(whether no other live run holds ``folder``, the lock's fd if taken)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return True, None  # cannot tell: use it as asked
    try:
        if try_lock(fd):
            return True, fd
    except OSError:
        os.close(fd)
        return True, None  # no flock on folders here
    os.close(fd)
    return False, None


def claim(folder: Path, *, reusable: bool) -> tuple[Path, int | None]:
    """The folder this run may write, locked: ``folder`` when it is new (or
    ``reusable`` and held by no live run), else the first free ``folder-N``.
    Raises ``OSError`` when no folder can be made."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    for n in range(MAX_SUFFIX):
        candidate = folder if n == 0 else folder.with_name(f"{folder.name}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            if n == 0 and reusable and candidate.is_dir():
                free, fd = _hold(candidate)
                if free:
                    return candidate, fd
            continue
        return candidate, _hold(candidate)[1]
    raise FileExistsError(f"no free run folder after {folder}-{MAX_SUFFIX - 1}")


def _claimed(config: Any, key: str) -> Claim | None:
    for item in _claims.get() or ():
        if item.config() is config and item.key == key:
            return item
    return None


def _remember(item: Claim) -> None:
    known = _claims.get()
    if known is None:  # no caller collects them: keep them for this context
        known = []
        _claims.set(known)
    known.append(item)


def _timestamped(config: Any, key: str) -> bool:
    """Whether the folder's name is made from the clock (``${now:...}``)."""
    from omegaconf import OmegaConf

    parent, _, leaf = key.rpartition(".")
    raw = OmegaConf.to_container(OmegaConf.select(config, parent), resolve=False)
    return isinstance(raw, dict) and "${now:" in str(raw.get(leaf, "")).replace(" ", "")


def guard(config: Any, key: str) -> Claim | None:
    """Claim the folder at ``key`` (``hydra.run.dir`` or ``hydra.sweep.dir``)
    of ``config`` for this run, changing it when another run has it."""
    from omegaconf import OmegaConf

    done = _claimed(config, key)
    if done is not None:
        return done
    wanted = Path(str(OmegaConf.select(config, key)))
    if _is_project_or_above(wanted):
        return None
    try:
        folder, fd = claim(wanted, reusable=not _timestamped(config, key))
    except OSError:
        return None  # Hydra's own mkdir fails next, and says why
    if folder != wanted:
        _move(config, key, wanted, folder)
    item = Claim(weakref.ref(config), key, folder, wanted if folder != wanted else None, fd)
    _remember(item)
    return item


def _move(config: Any, key: str, wanted: Path, folder: Path) -> None:
    from omegaconf import OmegaConf, open_dict, read_write

    with read_write(config.hydra), open_dict(config.hydra):
        OmegaConf.update(config, key, str(folder), merge=False)
        if key == "hydra.sweep.dir":  # each job recomposes from these
            config.hydra.overrides.hydra.append(f"{key}={_quoted(str(folder))}")
    print(
        f"hydra-manifest: {wanted} is used by another run; this run writes to {folder}",
        file=sys.stderr,
        flush=True,
    )


def release(config: Any, key: str) -> None:
    """Let go of the lock on the folder claimed for ``config``'s run."""
    item = _claimed(config, key)
    if item is not None:
        item.release()


def _quoted(value: str) -> str:
    """``value`` as one value of Hydra's override grammar."""
    if "'" not in value and "\\" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def claims() -> Iterator[list[Claim]]:
    """The folders claimed within the block, as they are claimed (for the
    caller to report or clean up after a failure); released and forgotten
    afterwards."""
    found: list[Claim] = []
    token = _claims.set(found)
    try:
        yield found
    finally:
        for item in found:
            item.release()
        _claims.reset(token)


def remove_if_unused(folder: Path) -> bool:
    """Remove a claimed ``folder`` that holds only what Hydra writes before a
    job runs (``.hydra/``, ``multirun.yaml``, the job log): what a run that
    failed to start leaves. True when it was removed."""
    for root, _dirs, files in os.walk(folder):
        inside = ".hydra" in Path(root).relative_to(folder).parts
        for name in files:
            if not (inside or name == "multirun.yaml" or name.endswith(".log")):
                return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


class RunFolderGuard(Callback):
    """The callback ``manifest run`` installs: claim each run's folder."""

    def on_run_start(self, config: Any, **kwargs: Any) -> None:
        guard(config, "hydra.run.dir")

    def on_run_end(self, config: Any, **kwargs: Any) -> None:
        release(config, "hydra.run.dir")

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        guard(config, "hydra.sweep.dir")

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        release(config, "hydra.sweep.dir")
