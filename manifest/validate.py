"""Validate manifests: parse strictly, check the schema, recompute the digest.

Every file is checked and every failure reported; nothing stops at the first
bad file. Contracts (``--contracts``) are evaluated by :mod:`manifest.contracts`
once a manifest has passed these checks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .canonical import DIGEST_PREFIX, manifest_digest, sha256_hex
from .errors import InputError, ManifestFormatError
from .reading import parse_manifest, read_bytes
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
        manifest, canonical = parse_manifest(read_bytes(path), file=name)
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
            actual = (
                DIGEST_PREFIX + sha256_hex(canonical) if canonical else manifest_digest(manifest)
            )
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


def _check_chunk(files: Sequence[Path]) -> list[Check]:
    checks: list[Check] = []
    for file in files:
        checks.extend(check_manifest(file)[0])
    return checks


# Below this many files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 512
_CHUNK = 256


def _checked(files: Sequence[Path], jobs: int | None) -> Iterator[list[Check]]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(files) < PARALLEL_MIN_FILES:
        yield _check_chunk(files)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    with ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)), mp_context=multiprocessing.get_context(method)
    ) as pool:
        yield from pool.map(_check_chunk, chunks)


def validate(paths: Iterable[Path], *, jobs: int | None = None) -> Report:
    """Check every manifest below ``paths``, on ``jobs`` processes (default:
    one per core, for more than :data:`PARALLEL_MIN_FILES` files).

    Raises :class:`InputError` when a path does not exist or cannot be read.
    """
    files = discover(list(paths))
    checks: list[Check] = []
    for chunk in _checked(files, jobs):
        checks.extend(chunk)
    return Report("validate", tuple(str(f) for f in files), tuple(checks))
