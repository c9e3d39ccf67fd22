"""What a branch changed in the manifests since a git revision: a pull-request summary.

Runs are files: a manifest under the paths that exists now but not at the
revision was *added*, one that existed then but not now was *removed*, one
whose bytes differ was *changed* (a recorded run is never rewritten, so a
change or removal is something to look at). Each added run is compared with
its *counterpart*: the latest run at the revision with the same config name
and the same overrides (in any order; ``manifest.*`` and ``hydra.*`` ones
left out, they say where and how a run was launched, not what it computed).
A metric is *same* when the difference is within the counterpart's
reproducibility envelope (``atol + rtol * |old|``), else *better* or *worse*
in the direction that a manifest declares or ``directions`` gives, else
*changed*.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.canonical import manifest_digest
from ..core.reading import parse_json, read_bytes
from ..errors import ManifestError, UsageError
from ..index.rows import directions as declared_directions
from ..index.scan import scan
from . import gitrev


@dataclass(frozen=True)
class MetricChange:
    name: str
    old: float | None
    new: float | None
    direction: str | None
    verdict: str  # same, better, worse, changed, new, gone

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass(frozen=True)
class AddedRun:
    path: str
    run_id: str | None
    config: str | None
    overrides: tuple[str, ...]
    counterpart: str | None  # run id at the revision
    counterpart_path: str | None
    metrics: tuple[MetricChange, ...]
    params_changed: tuple[str, ...]
    problem: str | None  # unreadable, or its digest does not match

    @property
    def regressions(self) -> list[MetricChange]:
        return [m for m in self.metrics if m.verdict == "worse"]


@dataclass(frozen=True)
class Since:
    """The summary: ``rev`` as given and its ``commit``, the paths looked at."""

    rev: str
    commit: str
    paths: tuple[str, ...]
    added: tuple[AddedRun, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """No recorded manifest changed or removed, every added one readable
        and intact, and none worse than its counterpart."""
        return not (
            self.removed or self.changed or any(a.problem or a.regressions for a in self.added)
        )


def _key(manifest: Mapping[str, Any]) -> tuple[Any, ...]:
    overrides = manifest.get("overrides") or []
    kept = sorted(
        o
        for o in overrides
        if isinstance(o, str) and not o.lstrip("+~").startswith(("manifest.", "hydra.", "hydra/"))
    )
    return (manifest.get("config_name"), tuple(kept))


def _load(data: bytes, name: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        document = parse_json(data, file=name)
    except ManifestError as exc:
        return None, exc.message
    if not isinstance(document, dict):
        return None, "not a JSON object"
    try:
        intact = manifest_digest(document) == document.get("digest")
    except ValueError:
        intact = False
    return document, None if intact else "its digest does not match its content (edited?)"


def _tolerance(envelope: Any, name: str) -> tuple[float, float]:
    if not isinstance(envelope, Mapping):
        return 0.0, 0.0
    per = (envelope.get("metrics") or {}).get(name) or envelope.get("default") or {}
    try:
        return float(per.get("atol", 0.0)), float(per.get("rtol", 0.0))
    except (TypeError, ValueError, AttributeError):
        return 0.0, 0.0


def _metric(
    name: str, new: Any, old_run: Mapping[str, Any] | None, direction: str | None
) -> MetricChange:
    old = (old_run.get("metrics") or {}).get(name) if old_run else None
    new_v = new if isinstance(new, (int, float)) and not isinstance(new, bool) else None
    old_v = old if isinstance(old, (int, float)) and not isinstance(old, bool) else None
    if old_v is None or new_v is None:
        verdict = "new" if old_v is None else "gone"
        return MetricChange(name, old_v, new_v, direction, verdict)
    atol, rtol = _tolerance(old_run.get("envelope") if old_run else None, name)
    if abs(new_v - old_v) <= atol + rtol * abs(old_v):
        verdict = "same"
    elif direction in ("higher", "lower"):
        better = new_v > old_v if direction == "higher" else new_v < old_v
        verdict = "better" if better else "worse"
    else:
        verdict = "changed"
    return MetricChange(name, old_v, new_v, direction, verdict)


def _flat_params(manifest: Mapping[str, Any]) -> dict[str, Any]:
    from ..core.tree import flatten

    params = manifest.get("params")
    return flatten(params) if isinstance(params, Mapping) else {}


def _added(
    display: str,
    file: Path,
    counterparts: Mapping[tuple[Any, ...], tuple[str, dict[str, Any]]],
    directions: Mapping[str, str],
) -> AddedRun:
    try:
        doc, problem = _load(read_bytes(file), display)
    except ManifestError as exc:
        doc, problem = None, exc.message
    if doc is None:
        return AddedRun(display, None, None, (), None, None, (), (), problem)
    path_then, old = counterparts.get(_key(doc), (None, None))
    chosen = {**declared_directions(old or {}), **declared_directions(doc), **directions}
    new_metrics: Mapping[str, Any] = doc.get("metrics") or {}
    old_metrics: Mapping[str, Any] = (old or {}).get("metrics") or {}
    if not isinstance(new_metrics, Mapping) or not isinstance(old_metrics, Mapping):
        new_metrics, old_metrics = {}, {}
    names = sorted(set(new_metrics) | (set(old_metrics) if old else set()))
    metrics = tuple(_metric(n, new_metrics.get(n), old, chosen.get(n)) for n in names)
    before, after = _flat_params(old or {}), _flat_params(doc)
    params = tuple(k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k))
    overrides = doc.get("overrides") or []
    return AddedRun(
        path=display,
        run_id=doc.get("run_id") if isinstance(doc.get("run_id"), str) else None,
        config=doc.get("config_name") if isinstance(doc.get("config_name"), str) else None,
        overrides=tuple(str(o) for o in overrides) if isinstance(overrides, list) else (),
        counterpart=(old or {}).get("run_id"),
        counterpart_path=path_then,
        metrics=metrics,
        params_changed=params if old else (),
        problem=problem,
    )


def _repo_paths(root: Path, paths: Sequence[str]) -> list[str]:
    out = []
    for p in paths:
        try:
            rel = Path(p).resolve().relative_to(root.resolve())
        except ValueError:
            raise UsageError(
                "not inside the git repository", file=p, hint=f"it is {root}"
            ) from None
        out.append(rel.as_posix())
    return out


def _now(root: Path, paths: Sequence[str], rel: Sequence[str]) -> dict[str, Path]:
    """Manifest files under ``paths`` in the working tree, by repository path."""
    found: dict[str, Path] = {}
    for path, prefix in zip(map(Path, paths), rel, strict=True):
        if path.is_dir():
            base = "" if prefix == "." else prefix + "/"
            found.update({base + name: path / name for name in scan(path)})
        elif path.is_file():
            found[prefix] = path
    return found


def since(rev: str, paths: Sequence[str], directions: Mapping[str, str] | None = None) -> Since:
    """The runs added, removed and changed under ``paths`` since git revision
    ``rev``, each added run compared with its counterpart there.

    Raises :class:`UsageError` outside a git repository, for an unknown
    revision or a path outside the repository."""
    root = gitrev.toplevel(Path.cwd())
    try:
        commit = gitrev.commit_of(root, rev)
    except UsageError:
        raise UsageError(
            "unknown revision",
            pointer="--rev",
            expected="a branch, tag or commit",
            found=repr(rev),
            hint="in CI, fetch it first (git fetch origin main)",
        ) from None
    rel = _repo_paths(root, paths)
    then = gitrev.tree_files(root, commit, rel)
    now = _now(root, paths, rel)
    both = sorted(set(now) & set(then))
    oids = gitrev.working_oids(root, both)
    old_docs = {
        oid: _load(data, oid)[0] for oid, data in gitrev.blobs(root, sorted(set(then.values())))
    }
    counterparts: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}
    for path, oid in then.items():
        doc = old_docs.get(oid)
        if doc is None:
            continue
        key, previous = _key(doc), counterparts.get(_key(doc))
        if previous is None or str(doc.get("created")) > str(previous[1].get("created")):
            counterparts[key] = (path, doc)
    cwd = Path.cwd()

    def shown(repo_path: str) -> str:
        return os.path.relpath(root / repo_path, cwd)

    def named(repo_path: str) -> str:
        doc = old_docs.get(then[repo_path])
        return f"{shown(repo_path)} ({doc.get('run_id')})" if doc else shown(repo_path)

    added = [
        _added(shown(p), now[p], counterparts, directions or {})
        for p in sorted(set(now) - set(then))
    ]
    return Since(
        rev=rev,
        commit=commit,
        paths=tuple(paths),
        added=tuple(added),
        removed=tuple(named(p) for p in sorted(set(then) - set(now))),
        changed=tuple(named(p) for p in both if oids[p] != then[p]),
    )
