"""One run folder per run: never record into a folder another run wrote.

Hydra's default run folder (``outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}``) has
one-second resolution: two runs started in the same second share it, the
second overwrites the first's artifacts and ``.hydra/`` files, and the first
manifest then cites bytes that no longer exist. A fixed ``hydra.run.dir``
does the same on every run.

Before Hydra makes the folder (``on_run_start`` / ``on_multirun_start`` of a
callback), :func:`guard` claims it: ``mkdir`` is atomic, so of two runs only
one creates a given folder; the other takes the first free ``NAME-1``,
``NAME-2``, ... and says so on stderr. A multirun claims its sweep folder the
same way (its jobs' folders are numbered inside it). The project folder
itself (``hydra.run.dir=.``) is left alone.

``manifest run`` installs :class:`RunFolderGuard`; :class:`ManifestCallback`
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

GUARD_TARGET = "manifest.record.rundir.RunFolderGuard"
MAX_SUFFIX = 1000


@dataclass(frozen=True)
class Claim:
    """A folder claimed for one run (or sweep) and whether it was made for it."""

    config: weakref.ReferenceType[Any]
    key: str  # hydra.run.dir or hydra.sweep.dir
    folder: Path
    moved_from: Path | None


_claims: ContextVar[list[Claim] | None] = ContextVar("hydra_manifest_claims", default=None)


def _is_project_or_above(folder: Path) -> bool:
    here = Path.cwd().resolve()
    there = folder.resolve()
    return there == here or there in here.parents


def claim(folder: Path) -> tuple[Path, bool]:
    """Create ``folder``, or the first free ``folder-N``: (the folder, True),
    or (``folder``, False) when it must be used as it is (the project folder
    or above it). Raises ``OSError`` when no folder can be made."""
    if _is_project_or_above(folder):
        return folder, False
    folder.parent.mkdir(parents=True, exist_ok=True)
    for n in range(MAX_SUFFIX):
        candidate = folder if n == 0 else folder.with_name(f"{folder.name}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate, True
    raise FileExistsError(f"no free run folder after {folder}-{MAX_SUFFIX - 1}")


def _claimed(config: Any, key: str) -> Claim | None:
    for item in _claims.get() or ():
        if item.config() is config and item.key == key:
            return item
    return None


def guard(config: Any, key: str) -> Claim | None:
    """Claim the folder at ``key`` (``hydra.run.dir`` or ``hydra.sweep.dir``)
    of ``config`` for this run, changing it when another run has it."""
    from omegaconf import OmegaConf, open_dict, read_write

    done = _claimed(config, key)
    if done is not None:
        return done
    wanted = Path(str(OmegaConf.select(config, key)))
    try:
        folder, made = claim(wanted)
    except OSError:
        return None  # Hydra's own mkdir fails next, and says why
    if not made:
        return None
    moved = folder != wanted
    if moved:
        with read_write(config.hydra), open_dict(config.hydra):
            OmegaConf.update(config, key, str(folder), merge=False)
            if key == "hydra.sweep.dir":  # each job recomposes from these
                config.hydra.overrides.hydra.append(f"{key}={_quoted(str(folder))}")
        print(
            f"hydra-manifest: {wanted} is used by another run; this run writes to {folder}",
            file=sys.stderr,
            flush=True,
        )
    item = Claim(weakref.ref(config), key, folder, wanted if moved else None)
    known = _claims.get()
    if known is None:  # no caller collects them: keep them for this context
        known = []
        _claims.set(known)
    known.append(item)
    return item


def _quoted(value: str) -> str:
    """``value`` as one value of Hydra's override grammar."""
    if "'" not in value and "\\" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def claims() -> Iterator[list[Claim]]:
    """The folders claimed within the block, as they are claimed (for the
    caller to report or clean up after a failure); forgotten afterwards."""
    found: list[Claim] = []
    token = _claims.set(found)
    try:
        yield found
    finally:
        _claims.reset(token)


def remove_if_unused(folder: Path) -> bool:
    """Remove a claimed ``folder`` that holds only what Hydra writes before a
    job runs (``.hydra/``, ``multirun.yaml``, the job log): what a run that
    failed to start leaves. True when it was removed."""
    hydra_files = (".hydra", "multirun.yaml")
    for root, _dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        inside = rel.parts[:1] in ((".hydra",),) or (rel.parts and rel.parts[-1] == ".hydra")
        for name in files:
            if not (inside or name in hydra_files or name.endswith(".log")):
                return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


class RunFolderGuard(Callback):
    """The callback ``manifest run`` installs: claim each run's folder."""

    def on_run_start(self, config: Any, **kwargs: Any) -> None:
        guard(config, "hydra.run.dir")

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        guard(config, "hydra.sweep.dir")
