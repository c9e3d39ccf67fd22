"""Resolved config + task outcome + captured facts -> a written manifest.

:func:`record` is the one place a manifest is assembled and written, whether
the job came from ``manifest run`` or from :class:`ManifestCallback` on an
existing app. It never raises for a problem of the task itself (that becomes
``status: failed``); it raises :class:`~manifest.errors.RecordError` when the
manifest cannot be built or written.
"""

from __future__ import annotations

import dataclasses
import getpass
import secrets
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_write
from ..core.canonical import digest_of, manifest_digest, pretty_bytes
from ..core.schemas import MANIFEST_SCHEMA, SCHEMA_VERSION, check
from ..errors import InputError, RecordError, SchemaError
from .capture.artifacts import (
    ChangedWhileRead,
    FileRecord,
    changed_since_hashed,
    collect_artifacts,
)
from .capture.code import CodeState, changed_during
from .capture.environment import environment
from .capture.files import HashCache, default_cache_path
from .job import JobContext, find_seeds
from .job_start import code_now
from .metrics import metric_vector


def utc_stamp(moment: datetime) -> str:
    """ISO 8601 UTC with microseconds and a Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_run_id(created: datetime) -> str:
    return created.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(4)


@dataclass(frozen=True)
class Outcome:
    """How the task ended, as the caller saw it."""

    status: str
    return_value: Any
    error: dict[str, str] | None
    created: datetime
    finished: datetime
    cost: dict[str, Any]

    @classmethod
    def from_exception(
        cls, exc: BaseException, *, created: datetime, finished: datetime, cost: dict[str, Any]
    ) -> Outcome:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" (at {last[0].filename}:{last[0].lineno})" if last else ""
        message = (str(exc) or type(exc).__name__) + where
        error = {"type": type(exc).__name__, "message": message}
        return cls(status, None, error, created, finished, cost)


@dataclass(frozen=True)
class Recorded:
    """A manifest that was written."""

    path: Path
    manifest: dict[str, Any]


def _inputs(
    ctx: JobContext, cache: HashCache
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    entries: list[dict[str, Any]] = []
    for key, value in ctx.input_values:
        for item in value if isinstance(value, list) else [value]:
            text = str(item)
            if "://" in text:
                entries.append({"key": key, "path": text, "version": text.split("://", 1)[1]})
                continue
            file = ctx.project_dir / text
            if not file.exists():
                return entries, {
                    "type": "InputError",
                    "message": f"input {key} = {text!r}: no such file "
                    f"(relative to {ctx.project_dir})",
                }
            shown = str(ctx.input_expressions.get(key, text))  # an expression, if from the env
            try:
                entries.append({"key": key, "path": shown, **_hash_input(file, cache)})
            except InputError as exc:  # a FIFO, a device, an unreadable file
                return entries, {"type": "InputError", "message": f"input {key}: {exc.describe()}"}
    return entries, None


def _hash_input(file: Path, cache: HashCache) -> dict[str, Any]:
    if file.is_dir():
        import hashlib

        digest, size = hashlib.sha256(), 0
        for child in sorted(p for p in file.rglob("*") if p.is_file()):
            digest.update(f"{child.relative_to(file).as_posix()}\0{cache.sha256(child)}\n".encode())
            size += child.stat().st_size
        sha, mtime = (
            digest.hexdigest(),
            max((p.stat().st_mtime for p in file.rglob("*")), default=0),
        )
    else:
        sha, size, mtime = cache.sha256(file), file.stat().st_size, file.stat().st_mtime
    stamp = utc_stamp(datetime.fromtimestamp(mtime, timezone.utc))
    return {"sha256": sha, "size": size, "mtime": stamp}


def collect(ctx: JobContext) -> list[FileRecord]:
    """The artifacts of the job, hashed (each with the stamp of its bytes)."""
    return collect_artifacts(
        ctx.run_dir,
        exclude=(".hydra/*", f"{ctx.hydra['job_name']}.log"),
        extra_root=ctx.project_dir,
        extra_globs=ctx.settings.artifacts,
        roles=ctx.settings.roles,
    )


def _unsealable(manifest: dict[str, Any], changed: list[str]) -> None:
    """Fail a manifest whose artifacts ``changed`` between hashing and
    sealing: they are not cited (their recorded bytes no longer exist)."""
    manifest["artifacts"] = [a for a in manifest["artifacts"] if a["path"] not in changed]
    listed = ", ".join(changed[:10]) + (
        f" (+{len(changed) - 10} more)" if len(changed) > 10 else ""
    )
    manifest["status"] = "failed"
    manifest["metrics"] = {}
    manifest["error"] = {
        "type": "ArtifactChanged",
        "message": f"artifacts were replaced while the manifest was recorded: {listed}; "
        "another process writes into the run folder or the declared artifacts",
    }


def _still_written(outcome: Outcome, exc: ChangedWhileRead) -> Outcome:
    """The outcome of a job whose artifact changed while it was hashed."""
    error = {
        "type": "ArtifactChanged",
        "message": f"artifact {exc.filename} changed while it was hashed: something still "
        "writes it after the task returned; no artifact is cited",
    }
    return dataclasses.replace(outcome, status="failed", error=error)


def _code(ctx: JobContext) -> dict[str, Any]:
    """The code as the job started (now, for a context that did not take
    it), and what changed in it while the job ran."""
    state = ctx.code if isinstance(ctx.code, CodeState) else code_now(ctx)
    section = state.section()
    changed = changed_during(state)
    if changed:
        section["changed_during_run"] = changed
    return section


def _identity(
    task: str, params_digest: str, code: dict[str, Any], inputs: list[dict[str, Any]]
) -> str:
    """The digest of what determines a result: task, parameters, code, inputs."""
    git = code["git"]
    return digest_of(
        {
            "task": task,
            "params_digest": params_digest,
            "code": {
                "commit": git.get("commit"),
                "diff_sha256": git.get("diff_sha256"),
                "source_sha256": code["source"]["sha256"],
            },
            "inputs": [
                {k: i[k] for k in ("key", "path", "sha256", "version") if k in i} for i in inputs
            ],
        }
    )


def build_manifest(
    ctx: JobContext,
    outcome: Outcome,
    *,
    run_id: str,
    artifacts: list[FileRecord] | None = None,
) -> dict[str, Any]:
    """Assemble (not write) the manifest of a finished job."""
    status, error = outcome.status, outcome.error
    metrics: dict[str, int | float] = {}
    if status == "completed":
        metrics, error = metric_vector(outcome.return_value)
        if error is not None:
            status = "failed"

    cache = HashCache(default_cache_path() if ctx.settings.hash_cache else None)
    inputs, input_error = _inputs(ctx, cache)
    cache.save()
    if input_error is not None and error is None:
        status, error = "failed", input_error

    records = collect(ctx) if artifacts is None else artifacts
    code = _code(ctx)
    params_digest = digest_of(ctx.params)
    identity = _identity(ctx.task, params_digest, code, inputs)
    manifest: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "status": status,
        "created": utc_stamp(outcome.created),
        "finished": utc_stamp(outcome.finished),
        "owner": ctx.settings.owner or _login(),
        "task": ctx.task,
        "config_name": ctx.config_name,
        "overrides": list(ctx.overrides),
        "params": ctx.params,
        "params_digest": params_digest,
        "metrics": metrics,
        "artifacts": [r.as_json() for r in records],
        "inputs": inputs,
        "lineage": {"parents": list(dict.fromkeys(ctx.settings.parents))},
        "code": code,
        "environment": environment(),
        "seeds": find_seeds(ctx.params),
        "cost": outcome.cost,
        "envelope": ctx.settings.envelope,
        "hydra": ctx.hydra,
        "error": error,
        "identity_digest": identity,
    }
    if ctx.settings.directions:  # optional: only what the config declares
        manifest["directions"] = dict(ctx.settings.directions)
    manifest["digest"] = manifest_digest(manifest)
    return manifest


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def write_manifest(manifest: dict[str, Any], store: Path) -> Path:
    """Validate ``manifest`` against the schema and write it atomically into
    ``store`` as ``<run_id>.json``; never replaces an existing file."""
    try:
        check(manifest, MANIFEST_SCHEMA, file=manifest.get("run_id"))
    except SchemaError as exc:
        raise RecordError(f"the manifest does not match its schema: {exc}") from None
    data = pretty_bytes(manifest)
    path = store / f"{manifest['run_id']}.json"
    try:
        atomic_write(path, data, overwrite=False)  # OutputError when the disk refuses
    except FileExistsError:
        raise RecordError("a manifest with this run id exists already", file=str(path)) from None
    return path


def record(ctx: JobContext, outcome: Outcome) -> Recorded:
    """Build, validate and atomically write the manifest of a finished job."""
    try:
        run_id = new_run_id(outcome.created)
        try:
            artifacts = collect(ctx)
        except ChangedWhileRead as exc:
            artifacts = []
            outcome = _still_written(outcome, exc)
        manifest = build_manifest(ctx, outcome, run_id=run_id, artifacts=artifacts)
    except (OSError, ValueError) as exc:
        raise RecordError(f"cannot build the manifest: {exc}") from None
    changed = changed_since_hashed(artifacts)  # the last look before sealing
    if changed:
        _unsealable(manifest, changed)
        manifest["digest"] = manifest_digest(manifest)
    for _ in range(3):
        try:
            return Recorded(write_manifest(manifest, ctx.store), manifest)
        except RecordError as exc:
            if "exists already" not in exc.message:
                raise
            manifest["run_id"] = new_run_id(outcome.created)
            manifest["digest"] = manifest_digest(manifest)
    raise RecordError("could not find a free run id", file=str(ctx.store))
