"""A model registry kept as plain files in git: one JSON file per model.

``<registry>/<MODEL>.json`` holds the model's append-only history. Each entry
(a promotion or a rollback) records who, when (UTC), the candidate manifest
digests, the gate report digest and the state after it (production version
and rollback candidate), and links the previous entry by its digest; the file
also names the digest of the last entry (``head``). Reading a registry replays
and re-hashes the whole history, so any edit is detected
(:class:`TamperedError`).

Writes are atomic (temporary file + rename) and made under a lock file with
stale-lock detection. A promotion is a compare-and-swap: the gate runs on
the registry as it was read, and the write is refused with
:class:`ConflictError` when another promotion changed the model meanwhile.

State: promoting version N pushes the current production version onto the
rollback stack; a rollback restores the top of that stack. The rollback
candidate is always the top of the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_write, make_folder, output_error, remove_folders
from ..core.canonical import pretty_bytes
from ..core.reading import read_json
from ..core.schemas import validator_for
from ..errors import EXIT_FAILED, ManifestError, OutputError, UsageError
from .history import TamperedError, replay

REGISTRY_SCHEMA = "registry.schema.json"
SCHEMA_VERSION = "1.0"
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class ConflictError(ManifestError):
    """The registry changed between reading it and writing it."""

    exit_code = EXIT_FAILED


class RefusedError(ManifestError):
    """An operation the registry's state does not allow (e.g. nothing to roll back)."""

    exit_code = EXIT_FAILED


@dataclass(frozen=True)
class ModelRecord:
    """A verified registry file: its document, path and replayed state."""

    path: Path
    document: dict[str, Any]

    @property
    def head(self) -> str | None:
        head: str | None = self.document["head"]
        return head

    @property
    def history(self) -> list[dict[str, Any]]:
        history: list[dict[str, Any]] = self.document["history"]
        return history

    @property
    def production(self) -> int | None:
        production: int | None = self.document["production"]
        return production

    @property
    def rollback_candidate(self) -> int | None:
        candidate: int | None = self.document["rollback_candidate"]
        return candidate

    def promotion(self, version: int) -> dict[str, Any]:
        """The entry that promoted ``version``."""
        return next(e for e in self.history if e["action"] == "promote" and e["version"] == version)


def model_path(root: Path, model: str) -> Path:
    """``<root>/<model>.json``; UsageError for a name that is not a plain file name."""
    if not MODEL_NAME.match(model) or ".." in model:
        raise UsageError(
            "bad model name",
            pointer="MODEL",
            expected="letters, digits, '.', '_', '-' (at most 100)",
            found=repr(model),
        )
    return root / f"{model}.json"


def load(root: Path, model: str) -> ModelRecord | None:
    """The verified record of ``model``, or None when it has none yet."""
    path = model_path(root, model)
    if not path.exists():
        return None
    document = read_json(path)
    file = str(path)
    issues = validator_for(REGISTRY_SCHEMA).issues(document)
    if issues:
        raise TamperedError(
            f"not a valid registry file: {issues[0].message}",
            file=file,
            pointer=issues[0].pointer or "/",
            hint="restore the file from git",
        )
    if document["model"] != model:
        raise TamperedError(
            "the file is for another model",
            file=file,
            pointer="/model",
            expected=model,
            found=document["model"],
        )
    production, candidate = replay(document["history"], file=file)
    history = document["history"]
    head = history[-1]["digest"] if history else None
    for field, expected in (
        ("head", head),
        ("production", production),
        ("rollback_candidate", candidate),
    ):
        if document[field] != expected:
            raise TamperedError(
                "the history was edited: the summary does not match it",
                file=file,
                pointer=f"/{field}",
                expected=str(expected),
                found=str(document[field]),
                hint="restore the file from git",
            )
    return ModelRecord(path, document)


def append(
    root: Path,
    model: str,
    entry: dict[str, Any],
    *,
    expected_head: str | None,
    extra_files: tuple[tuple[Path, bytes], ...] = (),
) -> ModelRecord:
    """Append ``entry`` under the lock if the head is still ``expected_head``.

    ``extra_files`` (the gate report) are written first, inside the lock.
    Raises :class:`ConflictError` when the registry moved on meanwhile.
    """
    from ..core.locking import file_lock

    path = model_path(root, model)
    with file_lock(path.with_name(f".{path.name}.lock")):
        current = load(root, model)
        head = current.head if current else None
        if head != expected_head:
            if current is None:
                hint = "the file was removed meanwhile; rerun"
            else:
                last = current.history[-1]
                hint = (
                    f"entry {last['seq']} ({last['action']} by {last['who']} at "
                    f"{last['when']}) won; rerun against the new production version"
                )
            raise ConflictError(
                "another promotion or rollback changed the registry while this one ran",
                file=str(path),
                pointer="/head",
                expected=expected_head or "no history yet",
                found=head or "no history",
                hint=hint,
            )
        history = [*(current.history if current else ()), entry]
        production, candidate = replay(history, file=str(path))
        document = {
            "schema_version": SCHEMA_VERSION,
            "kind": "model-registry",
            "model": model,
            "production": production,
            "rollback_candidate": candidate,
            "head": entry["digest"],
            "history": history,
        }
        problems = validator_for(REGISTRY_SCHEMA).issues(document)
        if problems:
            raise ManifestError(
                f"internal: the new registry file is not valid: {problems[0].describe()}",
                file=str(path),
            )
        _write_all([*extra_files, (path, pretty_bytes(document))])
    return ModelRecord(path, document)


def _write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write ``files`` in order, each atomically; when one fails, remove the
    ones this call wrote before it (and the folders it made), then raise
    :class:`~manifest.errors.OutputError`: a registry change is all or nothing."""
    written: list[tuple[Path, list[Path]]] = []
    for target, data in files:
        try:
            created = make_folder(target.parent)
            try:
                atomic_write(target, data)
            except OSError:
                remove_folders(created)
                raise
        except OSError as exc:
            for done, made in reversed(written):
                done.unlink(missing_ok=True)
                remove_folders(made)
            raise exc if isinstance(exc, OutputError) else output_error(exc, target) from None
        written.append((target, created))


def who_am_i(cwd: Path) -> str:
    """``Name <email>`` from git config, else the login name, else ``unknown``."""
    import getpass
    import subprocess

    values = []
    for key in ("user.name", "user.email"):
        try:
            done = subprocess.run(
                ["git", "config", "--get", key],
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            break
        values.append(done.stdout.strip() if done.returncode == 0 else "")
    name, email = [*values, "", ""][:2]
    if name:
        return f"{name} <{email}>" if email else name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
