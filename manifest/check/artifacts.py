"""Re-hash the artifacts a manifest cites, where they are stored.

A manifest holds the sha256 of every artifact when it was sealed; the files
themselves live in the run folder (``hydra.run_dir``, relative to the
project folder the run started in) or, for artifacts declared by glob, in
the project folder. ``validate --artifacts`` (and ``verify``) read them again:
a file that is gone, that is not a regular file, that escapes its folder by a
symlink, or whose bytes changed (an overwritten ``model.npz``) is named with
the sha256 recorded and found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.results import FAIL, PASS, Check
from ..errors import InputError


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def stored_at(
    manifest: Mapping[str, Any], artifact: Mapping[str, Any], project: Path
) -> tuple[Path, Path] | None:
    """(where the artifact is stored, the folder it must stay inside): below
    the run folder, else below the project folder (a declared artifact);
    None when in neither."""
    recorded = (manifest.get("hydra") or {}).get("run_dir")
    run_dir = project / recorded if isinstance(recorded, str) else None
    for root in (run_dir, project):
        if root is None:
            continue
        candidate = root / str(artifact.get("path"))
        if candidate.exists() or candidate.is_symlink():
            return candidate, root
    return None


def artifact_checks(
    subject: str, manifest: Mapping[str, Any], *, project: Path, missing: str | None = FAIL
) -> list[Check]:
    """One check per artifact that is not as recorded (``missing`` is the
    status of a file that is not there), or one passing check."""
    from ..record.capture.files import sha256_file

    checks: list[Check] = []
    artifacts: Sequence[Mapping[str, Any]] = manifest.get("artifacts") or []
    for index, artifact in enumerate(artifacts):
        where = f"/artifacts/{index}/sha256"
        expected = str(artifact.get("sha256"))
        stored = stored_at(manifest, artifact, project)
        if stored is None:
            if missing is not None:
                message = f"{artifact.get('path')} is not stored here (run folder or project)"
                checks.append(
                    Check(subject, "artifacts", missing, message, where, expected, "absent")
                )
            continue
        file, root = stored
        if not _inside(file, root) or not file.resolve().is_file():
            message = f"{file} is not a regular file inside its folder"
            checks.append(Check(subject, "artifacts", FAIL, message, where, expected, "not a file"))
            continue
        try:
            found = sha256_file(file)
        except InputError as exc:
            checks.append(
                Check(subject, "artifacts", FAIL, exc.describe(), where, expected, "unreadable")
            )
            continue
        if found != expected:
            message = f"{file} changed after it was recorded"
            checks.append(Check(subject, "artifacts", FAIL, message, where, expected, found))
    if not checks:
        held = f"{len(artifacts)} artifact(s) hold the recorded bytes"
        checks.append(Check(subject, "artifacts", PASS, held, "/artifacts"))
    return checks
