"""The statistical part of the envelope: a recorded metric against fresh seeds.

A stochastic task gives a different metric for every seed, so a record is
checked against the spread of N re-runs with fresh seeds (the recorded seed
plus 1..N). The recorded value must lie inside the two-sided prediction
interval for one new run,

    mean ± t(1 - alpha/(2m), N - 1) * s * sqrt(1 + 1/N),

with mean and sample standard deviation s of the N re-runs and Student's t
quantile. alpha = 1 - confidence (0.05) is shared by the m metrics checked
(Bonferroni: alpha/m each), so an honest record fails on some metric at most
5% of the time, while a lucky seed far in the tail is caught. When all N
re-runs agree (s = 0), the interval is that one value. The interval assumes
roughly normal run-to-run variation; more seeds give a tighter check.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..core.results import FAIL, PASS, Check
from ..core.tree import json_pointer

CONFIDENCE = 0.95
METHOD = (
    "two-sided prediction interval for one new run: mean ± t(1-alpha/(2m), N-1)*s*sqrt(1+1/N) "
    "over N re-runs with fresh seeds; alpha = 1 - confidence shared by m metrics (Bonferroni)"
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

    @property
    def holds(self) -> bool:
        return self.lower <= self.recorded <= self.upper

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "values": list(self.values), "holds": self.holds}


def fresh_seeds(recorded: int, n: int) -> list[int]:
    """N seeds other than the recorded one: recorded + 1 .. recorded + N."""
    return [recorded + k for k in range(1, n + 1)]


def prediction_interval(
    values: Sequence[float], recorded: float, *, level: float
) -> PredictionInterval:
    """The ``level`` prediction interval of ``values`` for one new run
    (at least two values)."""
    from scipy import stats

    n = len(values)
    if n < 2:
        raise ValueError("a prediction interval needs at least two runs")
    if all(v == values[0] for v in values):
        mean, sd = float(values[0]), 0.0
    else:
        mean, sd = math.fsum(values) / n, statistics.stdev(values)
    t = float(stats.t.ppf(1 - (1 - level) / 2, n - 1))
    half = t * sd * math.sqrt(1 + 1 / n)
    return PredictionInterval("", n, mean, sd, t, mean - half, mean + half, recorded, tuple(values))


def _metric_check(
    subject: str,
    name: str,
    value: Any,
    values: list[float],
    total: int,
    level: float,
    seeds: Sequence[int],
) -> tuple[Check, PredictionInterval | None]:
    """The recorded ``value`` of metric ``name`` against the fresh seeds' ``values``."""
    pointer = json_pointer(["metrics", name])
    if len(values) < 2:
        message = (
            f"{name}: only {len(values)} of {total} fresh-seed re-runs gave it; "
            "at least 2 are needed"
        )
        return Check(subject, "envelope", FAIL, message, pointer, found=repr(value)), None
    interval = replace(prediction_interval(values, float(value), level=level), metric=name)
    where = "inside" if interval.holds else "outside"
    check = Check(
        subject,
        "envelope",
        PASS if interval.holds else FAIL,
        f"{name}: recorded {value:.6g} {where} the {level:.4g} prediction interval of "
        f"{interval.n} fresh seeds (mean {interval.mean:.6g}, sd {interval.sd:.3g}, "
        f"t {interval.t:.3f}; seeds {', '.join(map(str, seeds))})",
        pointer,
        expected=f"[{interval.lower:.6g}, {interval.upper:.6g}]",
        found=repr(value),
    )
    return check, interval


def envelope_checks(
    subject: str,
    recorded: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any] | None],
    *,
    seeds: Sequence[int],
    confidence: float = CONFIDENCE,
) -> tuple[list[Check], dict[str, Any]]:
    """One ``envelope`` check per recorded metric over the metric vectors of
    the fresh-seed re-runs (None for a re-run that did not complete), and
    the evidence for the report."""
    m = max(len(recorded), 1)
    level = 1 - (1 - confidence) / m
    failed = sum(1 for r in runs if r is None)
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
        values = [float(r[name]) for r in runs if r is not None and name in r]
        check, interval = _metric_check(subject, name, value, values, len(runs), level, seeds)
        checks.append(check)
        if interval is not None:
            evidence["metrics"][name] = interval.as_json()
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
