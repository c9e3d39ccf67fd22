"""Validate manifests: parse strictly, check the schema, recompute the digest.

Every file is checked and every failure reported; nothing stops at the first
bad file. Contracts (``--contracts``) are evaluated by :mod:`manifest.contracts`
once a manifest has passed these checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .canonical import manifest_digest
from .errors import InputError, ManifestFormatError
from .reading import read_json
from .results import FAIL, PASS, Check, Report
from .schemas import MANIFEST_SCHEMA, validator_for


def discover(paths: Sequence[Path]) -> list[Path]:
    """Manifest files named by ``paths``: files as given, folders searched for
    ``*.json`` (hidden entries skipped). Raises :class:`InputError` for a path
    that does not exist."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*.json"))
                if not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            found.append(path)
        else:
            raise InputError("no such file or folder", file=str(path))
    return list(dict.fromkeys(found))


def check_manifest(path: Path) -> tuple[list[Check], dict[str, Any] | None]:
    """Parse, schema and digest checks of one file; the manifest if it parsed."""
    name = str(path)
    try:
        manifest = read_json(path)
    except ManifestFormatError as exc:
        return [Check(name, "parse", FAIL, exc.message, exc.pointer or "")], None
    checks = [Check(name, "parse", PASS)]
    issues = validator_for(MANIFEST_SCHEMA).issues(manifest)
    if issues:
        checks += [
            Check(name, "schema", FAIL, f"{i.message} (rule {i.rule})", i.pointer or "/")
            for i in issues
        ]
    else:
        checks.append(Check(name, "schema", PASS))
    recorded = manifest.get("digest") if isinstance(manifest, dict) else None
    if isinstance(manifest, dict) and isinstance(recorded, str):
        try:
            actual = manifest_digest(manifest)
        except ValueError as exc:
            checks.append(Check(name, "digest", FAIL, f"cannot canonicalize: {exc}", "/digest"))
        else:
            if actual == recorded:
                checks.append(Check(name, "digest", PASS))
            else:
                checks.append(
                    Check(
                        name,
                        "digest",
                        FAIL,
                        "the digest does not match the content: the manifest was edited",
                        "/digest",
                        expected=actual,
                        found=recorded,
                    )
                )
    elif not issues:
        checks.append(Check(name, "digest", FAIL, "no digest", "/digest"))
    return checks, manifest if isinstance(manifest, dict) else None


def validate(paths: Iterable[Path]) -> Report:
    """Check every manifest below ``paths``.

    Raises :class:`InputError` when a path does not exist or cannot be read.
    """
    files = discover(list(paths))
    checks: list[Check] = []
    for file in files:
        checks.extend(check_manifest(file)[0])
    return Report("validate", tuple(str(f) for f in files), tuple(checks))
