"""One manifest's verification: what it needs re-run, and what the re-runs say.

:func:`prepare` checks that a manifest is intact and passes the trust
boundary, and lists its re-runs (the same seed first, then fresh seeds for a
stochastic envelope); :func:`evaluate` turns the finished re-runs into checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.canonical import digest_of
from ..core.results import FAIL, PASS, WARN, Check
from ..core.tree import flatten
from .options import default_timeout
from .recompose import Recomposed, clock_pins
from .rerun import Job, Rerun
from .trust import admit


@dataclass(eq=False)
class Case:
    """The working state of one manifest's verification."""

    subject: str
    manifest: dict[str, Any] | None = None
    checks: list[Check] = field(default_factory=list)
    composed: Recomposed | None = None
    jobs: list[Job] = field(default_factory=list)  # the same-seed re-run first
    seeds: list[int] = field(default_factory=list)
    reruns: dict[str, Rerun] = field(default_factory=dict)
    verdict: str | None = None  # set when refused, not run, timed out or interrupted
    limit: float | None = None  # seconds each re-run may take
    pins: tuple[str, ...] = ()  # overrides giving clock values (${now:}) their recorded value
    evaluated: bool = False
    stochastic: dict[str, Any] | None = None

    @property
    def envelope(self) -> dict[str, Any]:
        return self.composed.settings.envelope if self.composed else {}

    def primary(self) -> Rerun | None:
        return self.reruns.get(self.jobs[0].key) if self.jobs else None

    def add(self, name: str, status: str, message: str, pointer: str = "", **kw: Any) -> None:
        self.checks.append(Check(self.subject, name, status, message, pointer, **kw))

    def refuse(self, name: str, message: str, pointer: str = "", **kw: Any) -> Case:
        self.add(name, FAIL, f"refused: {message}", pointer, **kw)
        self.verdict = "refused"
        return self

    def final_verdict(self) -> str:
        if self.verdict:
            return self.verdict
        return "not-reproduced" if any(c.status == FAIL for c in self.checks) else "verified"


def _without_key(overrides: tuple[str, ...], key: str) -> list[str]:
    return [o for o in overrides if o.lstrip("+~").split("=", 1)[0] != key]


def _intact(case: Case, path: Path) -> dict[str, Any] | None:
    """The manifest at ``path`` if it is intact and verifiable; else the case
    is refused (and None)."""
    from ..check.validate import check_manifest

    integrity, manifest = check_manifest(path)
    failures = [c for c in integrity if c.status == FAIL]
    if failures or manifest is None:
        case.checks += failures
        case.refuse("integrity", "the manifest is not intact", "/digest")
        return None
    case.manifest = manifest
    case.add(
        "integrity",
        PASS,
        "strict JSON, schema and digest hold",
        "/digest",
        found=manifest["digest"],
    )
    if manifest["status"] != "completed":
        case.refuse(
            "status",
            "only a completed run can be verified",
            "/status",
            expected="completed",
            found=manifest["status"],
        )
        return None
    if digest_of(manifest["params"]) != manifest["params_digest"]:
        case.refuse(
            "integrity",
            "params_digest is not the digest of params",
            "/params_digest",
            expected=digest_of(manifest["params"]),
            found=manifest["params_digest"],
        )
        return None
    return manifest


def prepare(
    path: Path,
    index: int,
    *,
    config_dir: Path,
    trust: bool,
    seeds: int | None,
    timeout: float | None = None,
) -> Case:
    """Integrity and trust checks of the manifest at ``path``, and its re-runs
    (``seeds`` fresh seeds, or the envelope's for a stochastic one), each
    limited to ``timeout`` seconds (default: from the recorded wall time)."""
    from ..check.artifacts import artifact_checks

    case = Case(str(path))
    manifest = _intact(case, path)
    if manifest is None:
        return case
    admission = admit(manifest, case.subject, config_dir=config_dir, trust=trust)
    case.checks += admission.checks
    if admission.recomposed is None:
        case.verdict = "refused"
        return case
    composed = case.composed = admission.recomposed
    envelope = composed.settings.envelope
    if manifest["envelope"] != envelope:
        case.add(
            "envelope",
            WARN,
            "the manifest records another envelope than the "
            "repository declares; the repository's is used",
            "/envelope",
        )
    # the stored bytes, where they are here: an overwritten model.npz is no verified run
    case.checks += artifact_checks(case.subject, manifest, project=Path.cwd(), missing=None)
    case.limit = timeout if timeout is not None else default_timeout(manifest)
    case.pins = clock_pins(composed, manifest["params"])
    overrides = (*composed.overrides, *case.pins)
    case.jobs.append(
        Job(f"{index}:same-seed", composed.config_name, overrides, composed.app, case.limit)
    )
    count = seeds or (envelope["seeds"] if envelope["stochastic"] else None)
    if count:
        _add_fresh_seeds(case, index, count)
    return case


def _add_fresh_seeds(case: Case, index: int, count: int) -> None:
    """``count`` re-runs with fresh values of the envelope's seed key, or a
    refusal when the recorded parameters hold no integer seed there."""
    assert case.composed is not None and case.manifest is not None
    key = str(case.envelope["seed_key"])
    seed = flatten(case.manifest["params"]).get(key)
    if isinstance(seed, bool) or not isinstance(seed, int):
        case.refuse(
            "envelope",
            f"the seed key {key!r} holds no integer in the params, so fresh seeds cannot be set",
            "/envelope/seed_key",
            found=repr(seed),
        )
        return
    from .stochastic import fresh_seeds

    case.seeds = fresh_seeds(seed, count)
    base = _without_key((*case.composed.overrides, *case.pins), key)
    case.jobs += [
        Job(
            f"{index}:{key}={s}",
            case.composed.config_name,
            (*base, f"++{key}={s}"),
            case.composed.app,
            case.limit,
        )
        for s in case.seeds
    ]


def _params_executed(case: Case, found: dict[str, Any]) -> None:
    """The re-run ran the recomposed parameters (clock values aside)."""
    assert case.composed is not None
    volatile = set(case.composed.volatile)
    ran = {k: v for k, v in flatten(found["params"]).items() if k not in volatile}
    meant = {k: v for k, v in flatten(case.composed.params).items() if k not in volatile}
    if ran != meant:
        keys = sorted(k for k in set(ran) | set(meant) if ran.get(k) != meant.get(k))
        case.add(
            "params",
            FAIL,
            "the re-run did not execute the recomposed parameters: " + ", ".join(keys),
            "/params",
        )


def evaluate(case: Case) -> None:
    """The checks of a case whose re-runs are all done."""
    from .context import context_checks
    from .envelope import artifact_checks, input_checks, metric_checks

    case.evaluated = True
    record, primary = case.manifest or {}, case.primary()
    assert primary is not None
    if primary.manifest is None:
        timed_out = primary.status == "timed-out"
        message = f"the re-run timed out: {primary.error}" if timed_out else "could not re-run"
        case.add("rerun", FAIL, message if timed_out else f"{message}: {primary.error}", "/task")
        case.verdict = "timed-out" if timed_out else "not-run"
        return
    found = primary.manifest
    if primary.status != "completed":
        case.add(
            "rerun",
            FAIL,
            f"the re-run {primary.status}: {primary.error}",
            "/status",
            expected="completed",
            found=primary.status,
        )
    else:
        wall = (found.get("cost") or {}).get("wall_s", 0)
        case.add(
            "rerun",
            PASS,
            f"re-ran {found['task']} in a fresh run directory ({wall:.3g} s)",
            "/status",
            expected="completed",
            found=primary.status,
        )
        _params_executed(case, found)
        envelope = case.envelope
        case.checks += artifact_checks(
            case.subject, record["artifacts"], found["artifacts"], envelope["identical"]
        )
        case.checks += metric_checks(case.subject, record["metrics"], found["metrics"], envelope)
        case.checks += input_checks(case.subject, record["inputs"], found["inputs"])
    volatile = case.composed.volatile if case.composed else ()
    case.checks += context_checks(case.subject, record, found, volatile=volatile)
    if case.seeds:
        from .stochastic import envelope_checks

        runs = [
            r.manifest["metrics"] if r.completed and r.manifest else None
            for r in (case.reruns[j.key] for j in case.jobs[1:])
        ]
        checks, evidence = envelope_checks(
            case.subject,
            record["metrics"],
            runs,
            seeds=case.seeds,
            envelope=case.envelope,
            directions=case.composed.settings.directions if case.composed else {},
        )
        case.checks += checks
        case.stochastic = {"seed_key": case.envelope["seed_key"], **evidence}
