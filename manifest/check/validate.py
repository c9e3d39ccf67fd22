"""Validate manifests: parse strictly, check the schema, recompute the digest,
then apply contracts.

Every file is checked and every failure reported; nothing stops at the first
bad file. Contracts (``--contracts``) are applied by :mod:`manifest.check.evaluate`
to every manifest that parsed and matches the manifest schema (a digest
failure does not hide them: an edited manifest is reported with what its
contracts say about it).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.canonical import DIGEST_PREFIX, manifest_digest, sha256_hex
from ..core.discover import discover
from ..core.reading import parse_manifest, read_bytes
from ..core.results import FAIL, PASS, Check, Report
from ..core.schemas import MANIFEST_SCHEMA, validator_for
from ..errors import InputError, ManifestFormatError

if TYPE_CHECKING:
    from .contract_file import ContractSet
    from .upstream import LineageAudit


def check_manifest(path: Path) -> tuple[list[Check], dict[str, Any] | None]:
    """Parse, schema and digest checks of one file; the manifest if it parsed."""
    name = str(path)
    try:
        manifest, canonical = parse_manifest(read_bytes(path), file=name)
    except ManifestFormatError as exc:
        found = Check(name, "parse", FAIL, exc.message, exc.pointer or "", exc.expected, exc.found)
        return [found], None
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


def _check_chunk(
    files: Sequence[Path],
    contracts: ContractSet | None = None,
    now: datetime | None = None,
    strict: bool = False,
    runs: Mapping[str, LineageAudit] | None = None,
) -> list[Check]:
    checks: list[Check] = []
    if contracts is None or not contracts.contracts:
        for file in files:
            checks.extend(check_manifest(file)[0])
        return checks
    from .evaluate import Evaluator

    # built here, in the worker: compiled schema fragments do not pickle
    evaluate = Evaluator(contracts, now=now or datetime.now(timezone.utc), strict=strict, runs=runs)
    for file in files:
        found, manifest = check_manifest(file)
        checks.extend(found)
        if manifest is not None and _well_formed(found):
            # the subject string of the file's own checks: pickled once, not twice
            checks.extend(evaluate(found[0].subject, manifest))
    return checks


def _stored_artifacts(files: Sequence[Path], checks: Sequence[Check], project: Path) -> list[Check]:
    """The stored-artifact checks of each file that parsed and holds its schema."""
    from .artifacts import artifact_checks

    failed = {c.subject for c in checks if c.status == FAIL and c.check in ("parse", "schema")}
    found: list[Check] = []
    for file in files:
        if str(file) in failed:
            continue
        manifest, _ = parse_manifest(read_bytes(file), file=str(file))
        found += artifact_checks(str(file), manifest, project=project)
    return found


def _well_formed(checks: Sequence[Check]) -> bool:
    return not any(c.status == FAIL and c.check in ("parse", "schema") for c in checks)


# Below this many files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 512
_CHUNK = 256


def _checked(
    files: Sequence[Path],
    jobs: int | None,
    contracts: ContractSet | None,
    now: datetime,
    strict: bool,
    runs: Mapping[str, LineageAudit] | None = None,
) -> Iterator[list[Check]]:
    check_chunk = functools.partial(
        _check_chunk, contracts=contracts, now=now, strict=strict, runs=runs
    )
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(files) < PARALLEL_MIN_FILES:
        yield check_chunk(files)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    rows = functools.partial(_rows_of_chunk, check_chunk)
    with ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)), mp_context=multiprocessing.get_context(method)
    ) as pool:
        for chunk in pool.map(rows, chunks):
            yield list(map(Check._make, chunk))


def _rows_of_chunk(
    check_chunk: Callable[[Sequence[Path]], list[Check]], files: Sequence[Path]
) -> list[tuple[Any, ...]]:
    # Plain tuples pickle four times faster than named ones: with contracts,
    # ten checks a manifest cross from the workers.
    return [tuple(check) for check in check_chunk(files)]


def validate(
    paths: Iterable[Path],
    *,
    jobs: int | None = None,
    contracts: ContractSet | None = None,
    now: datetime | None = None,
    strict: bool = False,
    artifacts: Path | None = None,
) -> Report:
    """Check every manifest below ``paths``, on ``jobs`` processes (default:
    one per core, for more than :data:`PARALLEL_MIN_FILES` files).

    With ``artifacts`` (the project folder that relative run folders are
    in), the artifacts each well-formed manifest cites are hashed again
    where they are stored (:mod:`manifest.check.artifacts`).

    With ``contracts`` (see :func:`manifest.check.contract_file.load_contracts`),
    each manifest that parsed and matches the schema is also held to every
    contract that applies to it, at the clock ``now`` (default: the current
    time, read once; a naive time is UTC); ``strict`` makes failing ``warn``
    contracts fail.

    Raises :class:`InputError` when a path does not exist or cannot be read,
    or when the paths hold no manifest at all (nothing checked is no pass).
    """
    names = list(paths)
    files = discover(names)
    if not files:
        raise InputError(
            "no manifests found",
            file=", ".join(str(p) for p in names),
            expected="manifest files, or folders holding *.json manifests",
            found="none",
        )
    clock = now if now is not None else datetime.now(timezone.utc)
    if clock.tzinfo is None:  # a naive clock is read as UTC, as manifests are
        clock = clock.replace(tzinfo=timezone.utc)
    runs = None
    if contracts is not None:
        from .upstream import audit_runs  # lineage contracts that judge runs by other runs

        runs = audit_runs(contracts, files, check_manifest)
    checks: list[Check] = []
    for chunk in _checked(files, jobs, contracts, clock, strict, runs):
        checks.extend(chunk)
    if artifacts is not None:
        checks.extend(_stored_artifacts(files, checks, artifacts))
    extra: dict[str, Any] = {}
    if contracts is not None:
        extra = {
            "contracts": contracts.as_json(),
            "strict": strict,
            "now": clock.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    return Report("validate", tuple(str(f) for f in files), tuple(checks), extra)
