"""Registry operations: promote a candidate through the gate, roll back.

:func:`promote` reads the model's record, runs the gate of the candidate
against the baseline (by default the production version's own manifests),
and appends a promotion only when the gate does not block, as a
compare-and-swap on the record it read. :func:`rollback` restores the
rollback candidate. Neither prints; the CLI renders what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..comparison.groups import Group, Run, load_group
from ..core.canonical import digest_of
from ..errors import InputError, UsageError
from ..gating.decision import BLOCK, Decision, gate, report_bytes
from ..gating.policy import Policy
from .history import new_entry
from .store import ModelRecord, RefusedError, append, load, model_path

REPORTS = "reports"


@dataclass(frozen=True)
class Promotion:
    """What a promotion came to: the gate result, and the record if written."""

    model: str
    gate: Decision
    promoted: bool
    record: ModelRecord | None
    entry: dict[str, Any] | None
    report_path: Path | None


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _refs(runs: Sequence[Run]) -> list[dict[str, str]]:
    return [{"path": r.path, "run_id": r.run_id, "digest": r.digest} for r in runs]


def production_group(record: ModelRecord) -> Group:
    """The production version's manifests, checked against their recorded digests."""
    assert record.production is not None
    entry = record.promotion(record.production)
    paths = [m["path"] for m in entry["manifests"]]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise InputError(
            f"the manifests of production version {record.production} are not here",
            file=missing[0],
            hint="pass --baseline with the runs to compare against",
        )
    group = load_group(paths, "baseline")
    recorded = {m["path"]: m["digest"] for m in entry["manifests"]}
    for run in group.runs:
        if recorded.get(run.path) != run.digest:
            raise InputError(
                f"a manifest of production version {record.production} changed since "
                "it was promoted",
                file=run.path,
                expected=recorded.get(run.path),
                found=run.digest,
                hint="pass --baseline explicitly",
            )
    return group


def promote(
    root: Path,
    model: str,
    candidate_specs: Sequence[str],
    policy: Policy,
    *,
    baseline_specs: Sequence[str] = (),
    evidence: Sequence[tuple[str, Any]] = (),
    who: str,
    note: str | None = None,
    seed: int = 0,
) -> Promotion:
    """Gate ``candidate_specs`` and, unless the gate blocks, record them as the
    next production version of ``model``.

    Raises :class:`~manifest.registry.store.ConflictError` when the record changed
    while the gate ran, :class:`~manifest.registry.history.TamperedError` for an
    edited record, :class:`UsageError` when there is no baseline.
    """
    model_path(root, model)
    record = load(root, model)
    candidate = load_group(candidate_specs, "candidate")
    baseline = _baseline(record, baseline_specs, model)
    if record is not None and record.production is not None:
        current = {m["digest"] for m in record.promotion(record.production)["manifests"]}
        if current == {r.digest for r in candidate.runs}:
            raise RefusedError(
                f"these runs are already production version {record.production} of {model}"
            )
    result = gate(baseline, candidate, policy, evidence=evidence, seed=seed)
    if result.decision == BLOCK:
        return Promotion(model, result, False, record, None, None)
    return _record(root, model, record, result, who=who, note=note)


def _baseline(record: ModelRecord | None, specs: Sequence[str], model: str) -> Group:
    """The runs named by ``specs``, else those of the production version."""
    if specs:
        return load_group(specs, "baseline")
    if record is not None and record.production is not None:
        return production_group(record)
    raise UsageError(
        f"{model} has no production version to compare with",
        pointer="--baseline",
        hint="the first promotion needs --baseline",
    )


def _record(
    root: Path,
    model: str,
    record: ModelRecord | None,
    result: Decision,
    *,
    who: str,
    note: str | None,
) -> Promotion:
    """Append the promotion that ``result`` allows, with its gate report."""
    candidate, baseline, policy = (
        result.comparison.candidate,
        result.comparison.baseline,
        result.policy,
    )
    version = 1 + sum(1 for e in (record.history if record else []) if e["action"] == "promote")
    report_path = root / REPORTS / model / f"v{version}.gate.json"
    details: dict[str, Any] = {
        "manifests": _refs(candidate.runs),
        "baseline": _refs(baseline.runs),
        "gate": {
            "decision": result.decision,
            "report": report_path.relative_to(root).as_posix(),
            "report_digest": digest_of(result.as_json()),
            "policy": policy.path,
            "policy_digest": policy.digest,
        },
    }
    if note:
        details["note"] = note
    history = record.history if record else []
    entry = new_entry(
        history, action="promote", version=version, who=who, when=utc_now(), details=details
    )
    written = append(
        root,
        model,
        entry,
        expected_head=record.head if record else None,
        extra_files=((report_path, report_bytes(result)),),
    )
    return Promotion(model, result, True, written, entry, report_path)


def rollback(root: Path, model: str, *, who: str, note: str | None = None) -> ModelRecord:
    """Make the rollback candidate of ``model`` production again.

    Raises :class:`RefusedError` when there is nothing to roll back to and
    :class:`UsageError` for a model the registry does not hold.
    """
    record = load(root, model)
    if record is None:
        raise UsageError(f"the registry has no model {model!r}", file=str(model_path(root, model)))
    if record.rollback_candidate is None:
        raise RefusedError(
            f"{model} has no rollback candidate",
            file=str(record.path),
            pointer="/rollback_candidate",
            expected="a previous production version",
            found="none",
        )
    details: dict[str, Any] = {"retired": record.production}
    if note:
        details["note"] = note
    entry = new_entry(
        record.history,
        action="rollback",
        version=record.rollback_candidate,
        who=who,
        when=utc_now(),
        details=details,
    )
    return append(root, model, entry, expected_head=record.head)
