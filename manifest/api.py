"""The checking commands as Python functions taking plain values.

Each returns the object its command renders (``manifest validate`` and
``verify`` a :class:`~manifest.core.results.Report`, ``compare`` a
:class:`~manifest.comparison.comparison.Comparison`, ``gate`` a
:class:`~manifest.gating.decision.Decision`, ``registry promote`` a
:class:`~manifest.registry.promotion.Promotion`) and raises a
:class:`~manifest.errors.ManifestError` where the command exits 2. Runs are
given as paths (files, folders, globs), :class:`~manifest.core.manifest.Manifest`
objects, or a list of either; a policy or contracts as a path or as the
parsed document (a dict).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.manifest import Manifest
from .errors import UsageError

if TYPE_CHECKING:
    from .check.contract_file import ContractSet
    from .comparison.comparison import Comparison
    from .comparison.groups import Group
    from .core.results import Report
    from .gating.decision import Decision
    from .gating.policy import Policy
    from .registry.promotion import Promotion
    from .verification.options import Progress

PathLike = str | os.PathLike[str]
RunsLike = Manifest | PathLike | Sequence[Manifest | PathLike]


def _specs(runs: RunsLike, label: str) -> list[str]:
    """Paths (as ``compare``'s sides take them) of ``runs``."""
    items = [runs] if isinstance(runs, (str, os.PathLike, Manifest)) else list(runs)
    specs: list[str] = []
    for item in items:
        if isinstance(item, Manifest):
            if item.path is None:
                raise UsageError(f"a manifest of the {label} has no file", found=item.run_id)
            specs.append(str(item.path))
        elif isinstance(item, (str, os.PathLike)):
            specs.append(os.fspath(item))
        else:
            raise TypeError(f"{label}: not a path or a Manifest: {type(item).__name__}")
    if not specs:
        raise UsageError(f"no manifests given for the {label}")
    return specs


def _policy(policy: PathLike | Mapping[str, Any] | Policy) -> Policy:
    from .gating.policy import Policy, load_policy, parse_policy

    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return parse_policy(dict(policy), file="<policy>")
    return load_policy(Path(policy))


def _group(runs: RunsLike, label: str) -> Group:
    from .comparison.groups import load_group

    return load_group(_specs(runs, label), label)


def validate(
    paths: RunsLike,
    *,
    contracts: PathLike | Mapping[str, Any] | ContractSet | None = None,
    now: datetime | None = None,
    strict: bool = False,
    jobs: int | None = None,
) -> Report:
    """Check manifests (files or folders): strict JSON, schema, digest, and
    ``contracts`` (a contracts file, its parsed document, or a loaded set;
    none by default). See ``manifest validate``."""
    from .check.contract_file import ContractSet, load_contracts, parse_contracts
    from .check.validate import validate as check_all

    chosen: ContractSet | None
    if contracts is None or isinstance(contracts, ContractSet):
        chosen = contracts
    elif isinstance(contracts, Mapping):
        chosen = parse_contracts(dict(contracts), file="<contracts>", base=Path.cwd())
    else:
        chosen = load_contracts(Path(contracts))
    files = [Path(p) for p in _specs(paths, "manifests")]
    return check_all(files, jobs=jobs, contracts=chosen, now=now, strict=strict)


def verify(
    manifests: RunsLike,
    *,
    config_dir: PathLike = "conf",
    seeds: int | None = None,
    jobs: int = 1,
    trust: bool = False,
    perturb: bool = False,
    diagnose: bool = True,
    hydra: Sequence[str] = (),
    work_dir: PathLike | None = None,
    pass_env: Sequence[str] = (),
    allow_network: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> Report:
    """Re-run manifests and check their reproducibility envelope, inside the
    trust boundary (see ``manifest verify``); ``progress`` receives each
    step. Hydra's global state, ``sys.path`` and the logging setup are as
    before when it returns."""
    from .verification.options import VerifyOptions
    from .verification.verifier import verify as verify_all

    options = VerifyOptions(
        config_dir=Path(config_dir),
        seeds=seeds,
        jobs=jobs,
        trust=trust,
        perturb=perturb,
        diagnose=diagnose,
        hydra_overrides=tuple(hydra),
        work_dir=Path(work_dir) if work_dir is not None else None,
        pass_env=tuple(pass_env),
        allow_network=allow_network,
    )
    files = [Path(p) for p in _specs(manifests, "manifests")]
    return verify_all(files, options, progress=progress)


def compare(
    baseline: RunsLike,
    candidate: RunsLike,
    *,
    metrics: Sequence[str] = (),
    directions: Mapping[str, str] | None = None,
    policy: PathLike | Mapping[str, Any] | None = None,
    confidence: float = 0.95,
    seed: int = 0,
    resamples: int | None = None,
    min_runs: int | None = None,
) -> Comparison:
    """Compare a candidate group of runs with a baseline (``manifest
    compare``): ``directions`` (metric to ``higher``/``lower``) and a
    ``policy``'s rules add to the directions the runs declare; ``resamples``
    and ``min_runs`` default to the command's (or the policy's min_runs)."""
    from .comparison.bootstrap import DEFAULT_RESAMPLES
    from .comparison.comparison import compare as compare_groups
    from .comparison.sample import MIN_RUNS

    declared: list[tuple[str, Mapping[str, str]]] = []
    chosen = _policy(policy) if policy is not None else None
    if chosen is not None:
        declared.append((f"policy {chosen.path}", chosen.directions()))
    if directions:
        declared.append(("directions", dict(directions)))
    runs = min_runs if min_runs is not None else (chosen.min_runs if chosen else MIN_RUNS)
    return compare_groups(
        _group(baseline, "baseline"),
        _group(candidate, "candidate"),
        metrics=list(metrics),
        declared=declared,
        confidence=confidence,
        seed=seed,
        resamples=resamples if resamples is not None else DEFAULT_RESAMPLES,
        min_runs=runs,
    )


def _evidence(items: Sequence[PathLike | Mapping[str, Any] | Report]) -> list[tuple[str, Any]]:
    """(source, JSON report) pairs from report files, parsed reports, or the
    :class:`Report` objects :func:`verify` and :func:`validate` return."""
    from .core.results import Report
    from .gating.evidence import read_evidence
    from .render.report import render

    found: list[tuple[str, Any]] = []
    for index, item in enumerate(items):
        if isinstance(item, Report):
            found.append((f"<{item.command} report {index}>", json.loads(render(item, "json"))))
        elif isinstance(item, Mapping):
            found.append((f"<report {index}>", dict(item)))
        else:
            found.extend(read_evidence([Path(item)]))
    return found


def gate(
    baseline: RunsLike,
    candidate: RunsLike,
    policy: PathLike | Mapping[str, Any],
    *,
    evidence: Sequence[PathLike | Mapping[str, Any] | Report] = (),
    seed: int = 0,
) -> Decision:
    """Accept, warn or block a candidate under ``policy`` (``manifest gate``);
    ``evidence`` holds the ``verify``/``validate`` reports its ``require``
    list asks for (files, parsed JSON, or the reports those functions return)."""
    from .gating.decision import gate as decide

    return decide(
        _group(baseline, "baseline"),
        _group(candidate, "candidate"),
        _policy(policy),
        evidence=_evidence(evidence),
        seed=seed,
    )


def promote(
    model: str,
    candidate: RunsLike,
    policy: PathLike | Mapping[str, Any],
    *,
    baseline: RunsLike = (),
    registry: PathLike = "registry",
    evidence: Sequence[PathLike | Mapping[str, Any] | Report] = (),
    who: str | None = None,
    note: str | None = None,
    seed: int = 0,
) -> Promotion:
    """Gate ``candidate`` against ``baseline`` (default: the production
    version's runs) and, unless the gate blocks, record it as the next
    production version of ``model`` in the ``registry`` folder
    (``manifest registry promote``); ``promoted`` says which."""
    from .registry.promotion import promote as record_promotion
    from .registry.store import who_am_i

    root = Path(registry)
    return record_promotion(
        root,
        model,
        _specs(candidate, "candidate"),
        _policy(policy),
        baseline_specs=_specs(baseline, "baseline") if baseline else (),
        evidence=_evidence(evidence),
        who=who or who_am_i(Path.cwd()),
        note=note,
        seed=seed,
    )
