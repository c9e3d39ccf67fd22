"""Slim run records: the part of a manifest that the lineage graph needs.

A :class:`RunRecord` holds a run's identity (run id, file, digest, status,
config, task, start time), the sha256 of each artifact it wrote, the sha256
or declared version of each input it read, and its declared parents. The
graph (:mod:`manifest.lineage.graph`) is built from any iterable of records,
whether they come from reading manifests (:func:`read_records`) or from a
runs index that already holds these columns.

Reading is tolerant: a manifest is untrusted input, so a value of the wrong
type is left out (an artifact without a well-formed sha256 joins nothing)
rather than trusted; a file that does not parse, or names no run id, is a
:class:`Problem`, never an exception. Whether a manifest *validates* is the
business of ``manifest validate`` and of the ``upstream_valid`` contract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..core.discover import discover
from ..core.reading import parse_json, read_bytes
from ..errors import ManifestError

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Artifact(NamedTuple):
    """A file a run wrote: its path (relative to the run), sha256 and role."""

    path: str
    sha256: str
    role: str


class Input(NamedTuple):
    """What a run read: the config key, the path or ``scheme://`` text, and
    its sha256 (a file) or declared version (anything else); ``position`` is its
    place in the manifest's ``inputs`` (for JSON pointers)."""

    key: str
    path: str
    sha256: str | None
    version: str | None
    position: int


@dataclass(frozen=True)
class RunRecord:
    """One run, as the lineage graph sees it."""

    run_id: str
    path: str
    digest: str | None
    status: str
    config_name: str | None
    task: str | None
    created: str
    artifacts: tuple[Artifact, ...]
    inputs: tuple[Input, ...]
    parents: tuple[str, ...]

    @property
    def label(self) -> str:
        """What the run ran: its config name, else its task, else ``run``."""
        return self.config_name or self.task or "run"


class Problem(NamedTuple):
    """A file that gave no record, or a record that conflicts with another."""

    path: str
    message: str


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def artifacts_of(raw: Any) -> tuple[Artifact, ...]:
    """The well-formed entries of a manifest's ``artifacts``."""
    found = []
    for item in raw if isinstance(raw, list) else ():
        if not isinstance(item, Mapping):
            continue
        sha, path = item.get("sha256"), item.get("path")
        if isinstance(sha, str) and SHA256.match(sha) and isinstance(path, str):
            found.append(Artifact(path, sha, _text(item.get("role")) or "output"))
    return tuple(found)


def inputs_of(raw: Any) -> tuple[Input, ...]:
    """The entries of a manifest's ``inputs`` with a sha256 or a version."""
    found = []
    for index, item in enumerate(raw if isinstance(raw, list) else ()):
        if not isinstance(item, Mapping):
            continue
        sha = item.get("sha256")
        sha = sha if isinstance(sha, str) and SHA256.match(sha) else None
        version = _text(item.get("version"))
        if sha is None and version is None:
            continue
        key, path = _text(item.get("key")) or "", _text(item.get("path")) or ""
        found.append(Input(key, path, sha, version, index))
    return tuple(found)


def parents_of(raw: Any) -> tuple[str, ...]:
    """The run ids of a manifest's ``lineage.parents``, each once."""
    parents = raw.get("parents") if isinstance(raw, Mapping) else None
    if not isinstance(parents, list):
        return ()
    return tuple(dict.fromkeys(p for p in parents if isinstance(p, str) and p))


def record_of(manifest: Mapping[str, Any], path: str) -> RunRecord | None:
    """The record of a parsed manifest read from ``path``; None when it
    names no run id (it cannot be a node of the graph)."""
    run_id = manifest.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        return None
    return RunRecord(
        run_id=run_id,
        path=path,
        digest=_text(manifest.get("digest")),
        status=_text(manifest.get("status")) or "unknown",
        config_name=_text(manifest.get("config_name")),
        task=_text(manifest.get("task")),
        created=_text(manifest.get("created")) or "",
        artifacts=artifacts_of(manifest.get("artifacts")),
        inputs=inputs_of(manifest.get("inputs")),
        parents=parents_of(manifest.get("lineage")),
    )


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def lineage_columns(manifest: Mapping[str, Any]) -> tuple[str, str, str]:
    """A manifest's artifacts, inputs and parents as compact JSON, as a runs
    index stores them (read back by :func:`record_from_row`)."""
    return (
        _dumps([list(a) for a in artifacts_of(manifest.get("artifacts"))]),
        _dumps([list(i) for i in inputs_of(manifest.get("inputs"))]),
        _dumps(list(parents_of(manifest.get("lineage")))),
    )


def record_from_row(
    path: str, values: Sequence[Any], artifacts: str, inputs: str, parents: str
) -> RunRecord:
    """The record of an index row: ``values`` are the run id, digest,
    status, config name, task and start, the rest :func:`lineage_columns`."""
    run_id, digest, status, config_name, task, created = values
    return RunRecord(
        run_id=run_id,
        path=path,
        digest=digest,
        status=status or "unknown",
        config_name=config_name,
        task=task,
        created=created or "",
        artifacts=tuple(Artifact(*a) for a in json.loads(artifacts)),
        inputs=tuple(Input(*i) for i in json.loads(inputs)),
        parents=tuple(json.loads(parents)),
    )


def read_record(path: Path) -> RunRecord | Problem:
    """The record of the manifest file ``path``, or why there is none."""
    try:
        document = parse_json(read_bytes(path), file=str(path))
    except ManifestError as exc:
        return Problem(str(path), exc.describe())
    if not isinstance(document, dict):
        return Problem(str(path), f"{path}: not a JSON object")
    record = record_of(document, str(path))
    if record is None:
        return Problem(str(path), f"{path}: /run_id: no run id: not a manifest")
    return record


@dataclass(frozen=True)
class Records:
    """The records read from some paths, and the files that gave none."""

    records: tuple[RunRecord, ...]
    problems: tuple[Problem, ...]
    files: int

    def __iter__(self) -> Iterator[RunRecord]:
        return iter(self.records)


def read_records(paths: Sequence[Path], *, extra: Iterable[Path] = ()) -> Records:
    """Records of every manifest below ``paths`` (files, or folders searched
    for ``*.json``) and of the files in ``extra``, each file read once.

    Raises :class:`~manifest.errors.InputError` for a path that does not exist.
    """
    files = list(dict.fromkeys([*discover(list(paths)), *extra]))
    records: list[RunRecord] = []
    problems: list[Problem] = []
    for file in files:
        found = read_record(file)
        if isinstance(found, RunRecord):
            records.append(found)
        else:
            problems.append(found)
    return Records(tuple(records), tuple(problems), len(files))
