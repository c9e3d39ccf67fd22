"""Groups of runs: one side of a comparison, read from manifests.

A side is named by any mix of folders (searched for ``*.json``), glob
patterns (``runs/**/*.json``), manifest files, comma-separated lists of them
and ``@LIST`` files holding one path per line (e.g. the paths printed by
``manifest run -m``). Each manifest is read strictly and checked against the
schema and its digest. Only ``status: completed`` manifests count; the others
are kept as :class:`Skipped` with the reason, never silently dropped.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.canonical import manifest_digest
from ..core.discover import discover
from ..core.reading import read_bytes, read_json
from ..core.schemas import MANIFEST_SCHEMA, validator_for
from ..errors import InputError, ManifestError

_GLOB_CHARS = frozenset("*?[")


class EmptyGroupError(ManifestError):
    """A side of a comparison with no completed run in it."""


@dataclass(frozen=True)
class Run:
    """One completed run: where it came from, its seeds and its metrics."""

    path: str
    run_id: str
    digest: str
    seeds: tuple[tuple[str, int | None], ...]
    metrics: dict[str, float]


@dataclass(frozen=True)
class Skipped:
    """A manifest named on a side that does not count, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Group:
    """The runs of one side (``baseline`` or ``candidate``)."""

    label: str
    sources: tuple[str, ...]
    runs: tuple[Run, ...]
    skipped: tuple[Skipped, ...]

    def values(self, metric: str) -> list[float]:
        return [r.metrics[metric] for r in self.runs if metric in r.metrics]

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "sources": list(self.sources),
            "runs": [
                {"path": r.path, "run_id": r.run_id, "digest": r.digest, "seeds": dict(r.seeds)}
                for r in self.runs
            ],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
        }


def _expand_one(spec: str) -> list[Path]:
    if spec.startswith("@"):
        listing = Path(spec[1:])
        text = read_bytes(listing, limit=16 * 1024 * 1024).decode("utf-8", "replace")
        lines = [ln.strip() for ln in text.splitlines()]
        return [p for ln in lines if ln and not ln.startswith("#") for p in _expand_one(ln)]
    path = Path(spec)
    if path.exists():
        return discover([path])
    if _GLOB_CHARS & set(spec):
        matches = sorted(Path(m) for m in glob.glob(spec, recursive=True))
        files = [m for m in matches if m.is_file()]
        if not files:
            raise InputError("no manifest matches the pattern", file=spec)
        return files
    if "," in spec:
        return [p for part in spec.split(",") if part.strip() for p in _expand_one(part.strip())]
    raise InputError(
        "no such file, folder or pattern",
        file=spec,
        hint="a side is a folder, a glob, a comma-separated list or @LIST",
    )


def expand(specs: Iterable[str]) -> list[Path]:
    """The manifest files named by ``specs``, in order, each once."""
    found: list[Path] = []
    for spec in specs:
        found.extend(_expand_one(spec))
    seen: dict[Path, Path] = {}
    for path in found:
        seen.setdefault(path.resolve(), path)
    return list(seen.values())


def _load(path: Path) -> Run | Skipped:
    name = str(path)
    try:
        manifest = read_json(path)
    except InputError:
        raise
    except ManifestError as exc:
        return Skipped(name, f"unreadable: {exc.describe()}")
    validator = validator_for(MANIFEST_SCHEMA)
    if not validator.is_valid(manifest):
        first = validator.issues(manifest)[0]
        return Skipped(name, f"does not match the manifest schema: {first.describe()}")
    try:
        actual = manifest_digest(manifest)
    except ValueError as exc:
        return Skipped(name, f"cannot compute the digest: {exc}")
    if actual != manifest["digest"]:
        return Skipped(name, "the digest does not match the content: the manifest was edited")
    if manifest["status"] != "completed":
        return Skipped(name, f"status {manifest['status']}, not completed")
    return Run(
        path=name,
        run_id=manifest["run_id"],
        digest=manifest["digest"],
        seeds=tuple(sorted(manifest["seeds"].items())),
        metrics={k: float(v) for k, v in manifest["metrics"].items()},
    )


def load_group(specs: Sequence[str], label: str) -> Group:
    """Read the runs named by ``specs``.

    Raises :class:`InputError` for a name that matches nothing and
    :class:`EmptyGroupError` when no completed, valid run remains.
    """
    if not specs:
        raise InputError(f"no manifests given for the {label}")
    runs: list[Run] = []
    skipped: list[Skipped] = []
    for path in expand(specs):
        loaded = _load(path)
        (runs if isinstance(loaded, Run) else skipped).append(loaded)  # type: ignore[arg-type]
    if not runs:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:3])
        raise EmptyGroupError(
            f"no completed run in the {label}",
            file=", ".join(specs),
            expected="at least one valid manifest with status completed",
            found=f"{len(skipped)} skipped" + (f" ({reasons})" if reasons else ""),
        )
    return Group(label, tuple(specs), tuple(runs), tuple(skipped))


def pairing(baseline: Sequence[Run], candidate: Sequence[Run]) -> tuple[bool, str]:
    """Whether the two sides are paired by seed, and why (not).

    Paired when every run records seeds, no two runs of a side share the same
    seeds, and both sides hold exactly the same set of seed assignments.
    """
    if len(baseline) < 2:
        return False, "not paired: fewer than 2 runs"
    keys = []
    for side in (baseline, candidate):
        side_keys = [r.seeds for r in side]
        if any(not k for k in side_keys):
            return False, "not paired: some runs record no seed"
        if len(set(side_keys)) != len(side_keys):
            return False, "not paired: two runs of one side share the same seeds"
        keys.append(set(side_keys))
    if keys[0] != keys[1]:
        return False, "not paired: the two sides ran different seeds"
    return True, "paired by seed: both sides ran the same seeds"


def paired_values(
    baseline: Sequence[Run], candidate: Sequence[Run], metric: str
) -> tuple[list[float], list[float]]:
    """Values of ``metric`` aligned by seeds (call only when :func:`pairing` holds)."""
    by_seed = {r.seeds: r.metrics[metric] for r in candidate}
    ordered = sorted(baseline, key=lambda r: repr(r.seeds))
    return [r.metrics[metric] for r in ordered], [by_seed[r.seeds] for r in ordered]
