"""The statistical part of the envelope: a recorded metric against fresh seeds.

A stochastic task gives a different metric for every seed, so a record is
checked against N re-runs with fresh seeds (the recorded seed plus 1..N),
in two ways that share the false-alarm budget alpha = 1 - confidence:

**envelope** (each metric): the record must lie in the two-sided prediction
interval for one new run, ``mean +- max(t * s * sqrt(1 + 1/N), floor)``, with
the mean and sample standard deviation s of the N re-runs and Student's t at
``1 - alpha_pi / (2m)`` (Bonferroni over the m metrics). The *floor* keeps the
false-alarm rate for discrete and tied metrics: it is the metric's declared
tolerance (``atol + rtol * |mean|``, so declare a discrete metric's
resolution there, e.g. ``atol: 0.002`` for an accuracy over 500 examples) and
at least the smallest gap between distinct fresh values. Fresh values that
agree up to rounding have s = 0 (:mod:`manifest.comparison.sample`).

**lucky-seed** (the record as a whole): the real threat is a record chosen
as the best of several seeds, which a two-sided interval rarely catches. Each
run (the record and the N fresh ones) gets its mean rank, over the metrics
with a declared direction, among the N + 1 runs (best = highest); if the
record is an honest draw its score is as likely to be any of the N + 1, so
``p = #{runs scoring at least the record} / (N + 1)`` is a valid p-value
(ties count against finding luck). The check fails when ``p <= alpha / 2``;
it can only do so with ``N + 1 >= 2 / alpha`` runs (39 fresh seeds at
alpha = 0.05). Then the envelope gets the other ``alpha / 2``; with fewer
seeds the rank is reported, the check cannot fail, and the envelope keeps all
of alpha. Either way an honest record fails verify at most alpha of the time.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..comparison.sample import tolerance
from ..core.results import FAIL, PASS, Check
from ..core.tree import json_pointer
from .envelope import tolerance as declared_tolerance

CONFIDENCE = 0.95
METHOD = (
    "two-sided prediction interval for one new run: mean ± max(t(1-alpha_pi/(2m), N-1)*s*"
    "sqrt(1+1/N), floor) over N re-runs with fresh seeds, floor = max(atol + rtol*|mean|, "
    "smallest gap between distinct fresh values), Bonferroni over m metrics; lucky-seed: "
    "the record's mean rank over metrics with a declared direction among the N+1 runs, "
    "failing at p <= alpha/2 (alpha_pi = alpha/2 when that can happen, else alpha)"
)


@dataclass(frozen=True)
class PredictionInterval:
    """The envelope of one metric and whether the record lies inside."""

    metric: str
    n: int
    mean: float
    sd: float
    t: float
    lower: float
    upper: float
    recorded: float
    values: tuple[float, ...]
    floor: float = 0.0

    @property
    def holds(self) -> bool:
        """The record lies inside, up to rounding (:mod:`manifest.comparison.sample`)."""
        slack = tolerance([*self.values, self.recorded])
        return self.lower - slack <= self.recorded <= self.upper + slack

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "values": list(self.values), "holds": self.holds}


def fresh_seeds(recorded: int, n: int) -> list[int]:
    """N seeds other than the recorded one: recorded + 1 .. recorded + N."""
    return [recorded + k for k in range(1, n + 1)]


def resolution(values: Sequence[float]) -> float:
    """The smallest gap between distinct values (0 when they all agree)."""
    tol = tolerance(values)
    distinct = sorted(set(values))
    gaps = [b - a for a, b in itertools.pairwise(distinct) if b - a > tol]
    return min(gaps, default=0.0)


def prediction_interval(
    values: Sequence[float], recorded: float, *, level: float, floor: float = 0.0
) -> PredictionInterval:
    """The ``level`` prediction interval of ``values`` for one new run (at
    least two values), never narrower than ``floor`` on either side."""
    from scipy import special

    n = len(values)
    if n < 2:
        raise ValueError("a prediction interval needs at least two runs")
    mean, sd = math.fsum(values) / n, statistics.stdev(values)
    if sd <= tolerance(values):  # agreeing up to rounding: no spread at all
        mean, sd = (float(values[0]) if len(set(values)) == 1 else mean), 0.0
    t = float(special.stdtrit(n - 1, 1 - (1 - level) / 2))
    half = max(t * sd * math.sqrt(1 + 1 / n), floor)
    return PredictionInterval(
        "", n, mean, sd, t, mean - half, mean + half, recorded, tuple(values), floor
    )


def _metric_check(
    subject: str,
    name: str,
    value: Any,
    values: list[float],
    total: int,
    level: float,
    envelope: Mapping[str, Any],
) -> tuple[Check, PredictionInterval | None]:
    """The recorded ``value`` of metric ``name`` against the fresh seeds' ``values``."""
    pointer = json_pointer(["metrics", name])
    if len(values) < 2:
        message = (
            f"{name}: only {len(values)} of {total} fresh-seed re-runs gave it; "
            "at least 2 are needed"
        )
        return Check(subject, "envelope", FAIL, message, pointer, found=repr(value)), None
    atol, rtol = declared_tolerance(envelope, name)
    mean = math.fsum(values) / len(values)
    floor = max(atol + rtol * abs(mean), resolution(values))
    interval = replace(
        prediction_interval(values, float(value), level=level, floor=floor), metric=name
    )
    where = "inside" if interval.holds else "outside"
    check = Check(
        subject,
        "envelope",
        PASS if interval.holds else FAIL,
        f"{name}: recorded {value:.6g} {where} the {level:.4g} prediction interval of "
        f"{interval.n} fresh seeds (mean {interval.mean:.6g}, sd {interval.sd:.3g}, "
        f"t {interval.t:.3f}, floor {floor:.3g})",
        pointer,
        expected=f"[{interval.lower:.6g}, {interval.upper:.6g}]",
        found=repr(value),
    )
    return check, interval


def _mean_ranks(table: list[list[float]], directions: Sequence[str]) -> list[float]:
    """Each run's mean rank over the metrics (columns), best = highest,
    ties sharing their mean rank."""
    from ..comparison.ranktest import ranks

    scores = [0.0] * len(table)
    for j, direction in enumerate(directions):
        column = [row[j] if direction == "higher" else -row[j] for row in table]
        for i, r in enumerate(ranks(column)):
            scores[i] += r / len(directions)
    return scores


def lucky_seed(
    subject: str,
    recorded: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    directions: Mapping[str, str],
    alpha: float,
) -> tuple[Check, dict[str, Any]] | None:
    """The rank check of the record among the fresh runs (None without a
    metric that has a declared direction and is in every run)."""
    names = sorted(
        k for k in recorded if k in directions and all(k in r for r in runs)
    )  # fmt: skip
    if not names or not runs:
        return None
    table = [[float(recorded[k]) for k in names]] + [[float(r[k]) for k in names] for r in runs]
    scores = _mean_ranks(table, [directions[k] for k in names])
    at_least = sum(1 for s in scores if s >= scores[0] - 1e-12)
    n = len(runs)
    p = at_least / (n + 1)
    can_fail = 1 / (n + 1) <= alpha / 2
    ok = p > alpha / 2
    needed = math.ceil(2 / alpha) - 1
    rank = f"the record scores better than {n + 1 - at_least} of {n} fresh seeds"
    power = (
        f"fails at p <= {alpha / 2:g}"
        if can_fail
        else f"cannot fail with {n} fresh seeds: it needs at least {needed} (--seeds {needed})"
    )
    message = f"lucky seed? on {', '.join(names)}, {rank} (p = {p:.3g}; {power})"
    check = Check(
        subject, "lucky-seed", PASS if ok or not can_fail else FAIL, message, "/metrics",
        expected=f"p > {alpha / 2:g}", found=f"p = {p:.3g}",
    )  # fmt: skip
    evidence = {"metrics": names, "p_value": p, "can_fail": can_fail, "scores": scores}
    return check, evidence


def envelope_checks(
    subject: str,
    recorded: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any] | None],
    *,
    seeds: Sequence[int],
    confidence: float = CONFIDENCE,
    envelope: Mapping[str, Any] | None = None,
    directions: Mapping[str, str] | None = None,
) -> tuple[list[Check], dict[str, Any]]:
    """The ``envelope`` check of each recorded metric and the ``lucky-seed``
    check over the metric vectors of the fresh-seed re-runs (None for a
    re-run that did not complete), and the evidence for the report."""
    alpha = 1 - confidence
    done = [r for r in runs if r is not None]
    rank = lucky_seed(subject, recorded, done, directions or {}, alpha)
    alpha_pi = alpha / 2 if rank is not None and rank[1]["can_fail"] else alpha
    m = max(len(recorded), 1)
    level = 1 - alpha_pi / m
    failed = len(runs) - len(done)
    checks: list[Check] = []
    evidence: dict[str, Any] = {
        "method": METHOD,
        "confidence": confidence,
        "level_per_metric": level,
        "seeds": list(seeds),
        "failed_runs": failed,
        "metrics": {},
    }
    for name, value in sorted(recorded.items()):
        values = [float(r[name]) for r in done if name in r]
        check, interval = _metric_check(
            subject, name, value, values, len(runs), level, envelope or {}
        )
        checks.append(check)
        if interval is not None:
            evidence["metrics"][name] = interval.as_json()
    if rank is not None:
        checks.append(rank[0])
        evidence["lucky_seed"] = rank[1]
    if failed:
        checks.append(
            Check(
                subject,
                "envelope",
                FAIL,
                f"{failed} of {len(runs)} fresh-seed re-runs did not complete",
                "/metrics",
            )
        )
    return checks, evidence
