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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.canonical import manifest_digest
from ..core.discover import discover
from ..core.reading import read_bytes, read_json
from ..core.schemas import MANIFEST_SCHEMA, validator_for
from ..core.tree import get
from ..errors import InputError, ManifestError

_GLOB_CHARS = frozenset("*?[")


class EmptyGroupError(ManifestError):
    """A side of a comparison with no completed run in it."""


@dataclass(frozen=True)
class Run:
    """One completed run: where it came from, its seeds and its metrics.

    ``seed`` is the integer at the run's declared seed key
    (``manifest.envelope.seed_key``), the one runs are paired by;
    ``directions`` what its config declares (``manifest.metrics``);
    ``labels`` the values of the config keys asked for (``--stratify-by``).
    """

    path: str
    run_id: str
    digest: str
    seeds: tuple[tuple[str, int | None], ...]
    metrics: dict[str, float]
    seed_key: str = "seed"
    seed: int | None = None
    directions: dict[str, str] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)


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
    copies: tuple[Skipped, ...] = ()  # manifests with the digest of a counted run

    def paths(self) -> list[Path]:
        """Every manifest file named on this side, counted or skipped."""
        return [Path(r.path) for r in self.runs] + [Path(s.path) for s in self.skipped]

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
            "copies": [{"path": s.path, "reason": s.reason} for s in self.copies],
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


def _load(path: Path, keys: Sequence[str] = ()) -> Run | Skipped:
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
    seed_key = manifest["envelope"]["seed_key"]
    seed = get(manifest["params"], seed_key.split("."))
    return Run(
        path=name,
        run_id=manifest["run_id"],
        digest=manifest["digest"],
        seeds=tuple(sorted(manifest["seeds"].items())),
        metrics={k: float(v) for k, v in manifest["metrics"].items()},
        seed_key=seed_key,
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        directions=dict(manifest.get("directions", {})),
        labels={k: get(manifest["params"], k.split(".")) for k in keys},
    )


def load_group(specs: Sequence[str], label: str, *, keys: Sequence[str] = ()) -> Group:
    """Read the runs named by ``specs``, with the values of the config
    ``keys`` (dotted) in each run's ``labels`` (``MISSING`` where absent).

    Raises :class:`InputError` for a name that matches nothing and
    :class:`EmptyGroupError` when no completed, valid run remains.
    """
    if not specs:
        raise InputError(f"no manifests given for the {label}")
    runs: list[Run] = []
    skipped: list[Skipped] = []
    for path in expand(specs):
        loaded = _load(path, keys)
        (runs if isinstance(loaded, Run) else skipped).append(loaded)  # type: ignore[arg-type]
    if not runs:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:3])
        raise EmptyGroupError(
            f"no completed run in the {label}",
            file=", ".join(specs),
            expected="at least one valid manifest with status completed",
            found=f"{len(skipped)} skipped" + (f" ({reasons})" if reasons else ""),
        )
    counted, copies = once_by_digest(runs)
    return Group(label, tuple(specs), counted, tuple(skipped), copies)


def once_by_digest(runs: Sequence[Run]) -> tuple[tuple[Run, ...], tuple[Skipped, ...]]:
    """Each run once, identified by digest and by run id: a manifest with the
    digest of another (a copy under another name), or with another's run id
    (the same run, edited and sealed again), is set aside, whatever the
    order given."""
    by_digest: dict[str, Run] = {}
    by_id: dict[str, Run] = {}
    why: dict[int, str] = {}
    for run in sorted(runs, key=lambda r: (r.digest, r.path)):
        first = by_digest.setdefault(run.digest, run)
        if first is not run:
            why[id(run)] = f"a copy of {first.path} (same digest): counted once"
    for run in by_digest.values():  # in digest order
        first = by_id.setdefault(run.run_id, run)
        if first is not run:
            why[id(run)] = (
                f"run id {run.run_id} is also {first.path}, with another digest: "
                "one run, counted once"
            )
    kept = {id(r) for r in runs} - set(why)
    copies = [Skipped(r.path, why[id(r)]) for r in runs if id(r) in why]
    return tuple(r for r in runs if id(r) in kept), tuple(copies)


def pairing(baseline: Sequence[Run], candidate: Sequence[Run]) -> tuple[bool, str]:
    """Whether the two sides are paired by seed, and why (not).

    Paired when every run has an integer at its declared seed key
    (``manifest.envelope.seed_key``), no two runs of a side share a seed, and
    both sides ran the same seeds. Other seed-like keys (``model.seed:
    ${seed}``, a data seed) do not matter.
    """
    if len(baseline) < 2 or len(candidate) < 2:
        return False, "not paired: fewer than 2 runs"
    found = []
    for label, side in (("baseline", baseline), ("candidate", candidate)):
        missing = [r for r in side if r.seed is None]
        if missing:
            return False, (
                f"not paired: {len(missing)} {label} run(s) hold no integer at their seed "
                f"key {missing[0].seed_key!r} (manifest.envelope.seed_key)"
            )
        seeds = [r.seed for r in side]
        if len(set(seeds)) != len(seeds):
            shared = sorted({s for s in seeds if seeds.count(s) > 1}, key=str)
            return False, f"not paired: two {label} runs share seed {shared[0]}"
        found.append(set(seeds))
    if found[0] != found[1]:
        return False, "not paired: the two sides ran different seeds"
    keys = sorted({r.seed_key for r in (*baseline, *candidate)})
    named = " and ".join(repr(k) for k in keys)
    return True, f"paired by seed ({named}): both sides ran the same seeds"


def paired_values(
    baseline: Sequence[Run], candidate: Sequence[Run], metric: str
) -> tuple[list[float], list[float]]:
    """Values of ``metric`` aligned by seed (call only when :func:`pairing` holds)."""
    by_seed = {r.seed: r.metrics[metric] for r in candidate}
    ordered = sorted(baseline, key=lambda r: r.seed or 0)
    return [r.metrics[metric] for r in ordered], [by_seed[r.seed] for r in ordered]
