"""Comparing across several datasets or tasks: ``compare --stratify-by KEY``.

Runs are split into strata by the value of a config key (``data.name``,
``task``). Each stratum is compared on its own (the same statistics as a
plain comparison, with Holm's correction across every stratum and metric),
and each metric is summed up across strata as rliable does (Agarwal et al.,
"Deep RL at the Edge of the Statistical Precipice", 2021):

- the interquartile mean (IQM) of all runs of a side, pooled across strata:
  the mean of the middle 50% (``scipy.stats.trim_mean(x, 0.25)``, rliable's
  ``aggregate_iqm``), and the difference of the two sides' IQMs; pooling
  assumes the metric means the same on every stratum;
- the probability of improvement, P(candidate better than baseline)
  averaged over strata (rliable's ``probability_of_improvement``), which
  needs no common scale;

each with a stratified percentile bootstrap interval: every resample draws
the runs of each side within each stratum (rliable's ``StratifiedBootstrap``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..core.tree import MISSING
from ..errors import UsageError
from .bootstrap import quantile_se
from .comparison import Comparison, compare, uncounted_warnings
from .effects import Estimate
from .groups import Group, Run
from .metric import with_holm

_CELLS = 1 << 22  # comparisons per step of P(improvement)


@dataclass(frozen=True)
class Aggregate:
    """One metric summed up across strata."""

    metric: str
    direction: str | None
    strata: int
    iqm_baseline: float
    iqm_candidate: float
    iqm_difference: Estimate
    probability_of_improvement: Estimate
    monte_carlo_se: float


@dataclass(frozen=True)
class Stratified:
    """Per-stratum comparisons and the aggregates across them."""

    key: str
    strata: tuple[tuple[str, Comparison], ...]
    aggregates: tuple[Aggregate, ...]
    warnings: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "strata": [{"stratum": s, **c.as_json()} for s, c in self.strata],
            "aggregates": [asdict(a) for a in self.aggregates],
            "warnings": list(self.warnings),
        }


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _split(group: Group, key: str) -> dict[str, list[Run]]:
    strata: dict[str, list[Run]] = {}
    for run in group.runs:
        value = run.labels.get(key, MISSING)
        if value is MISSING:
            raise UsageError(
                f"{group.label} run {run.run_id} has no config key {key!r}",
                file=run.path,
                pointer="/params/" + key.replace(".", "/"),
                expected="a value to stratify by",
                found="absent",
            )
        strata.setdefault(_label(value), []).append(run)
    return strata


def iqm(values: Any) -> Any:
    """The interquartile mean along the last axis (``trim_mean(x, 0.25)``)."""
    import numpy as np

    ordered = np.sort(values, axis=-1)
    n = ordered.shape[-1]
    cut = int(0.25 * n)
    return ordered[..., cut : n - cut].mean(axis=-1)


def _improvement_share(base: Any, cand: Any, lower: bool) -> Any:
    """P(candidate better) per row, ties counted half (rows are resamples)."""
    import numpy as np

    b, c = base[:, None, :], cand[:, :, None]
    wins = (c < b) if lower else (c > b)
    return np.asarray(wins.mean(axis=(1, 2)) + (c == b).mean(axis=(1, 2)) / 2)


def _replicates(
    pairs: list[tuple[Any, Any]], lower: bool, resamples: int, seed: int
) -> tuple[Any, Any]:
    """IQM differences and mean P(improvement) of stratified resamples,
    drawn in steps that keep memory bounded."""
    import numpy as np

    rng = np.random.default_rng(seed)
    cells = max(sum(len(b) + len(c) + len(b) * len(c) for b, c in pairs), 1)
    step = max(1, _CELLS // cells)
    diffs, shares = [], []
    for start in range(0, resamples, step):
        size = min(step, resamples - start)
        drawn = [
            (b[rng.integers(0, len(b), (size, len(b)))], c[rng.integers(0, len(c), (size, len(c)))])
            for b, c in pairs
        ]
        pooled_b = np.concatenate([b for b, _ in drawn], axis=1)
        pooled_c = np.concatenate([c for _, c in drawn], axis=1)
        diffs.append(iqm(pooled_c) - iqm(pooled_b))
        shares.append(np.mean([_improvement_share(b, c, lower) for b, c in drawn], axis=0))
    return np.concatenate(diffs), np.concatenate(shares)


def _aggregate(
    name: str, direction: str | None, pairs: list[tuple[Any, Any]], options: Mapping[str, Any]
) -> Aggregate:
    import numpy as np

    lower, level = direction == "lower", options["confidence"]
    iqm_b = float(iqm(np.concatenate([b for b, _ in pairs])))
    iqm_c = float(iqm(np.concatenate([c for _, c in pairs])))
    share = float(np.mean([_improvement_share(b[None], c[None], lower)[0] for b, c in pairs]))
    diff_rep, share_rep = _replicates(pairs, lower, options["resamples"], options["seed"])
    alpha = (1 - level) / 2
    method = (
        f"stratified percentile bootstrap, {options['resamples']} resamples, seed {options['seed']}"
    )
    ends = [float(x) for x in np.percentile(diff_rep, [100 * alpha, 100 * (1 - alpha)])]
    share_ends = [float(x) for x in np.percentile(share_rep, [100 * alpha, 100 * (1 - alpha)])]
    se = max(quantile_se(r, q) for r in (diff_rep, share_rep) for q in (alpha, 1 - alpha))
    return Aggregate(
        metric=name,
        direction=direction,
        strata=len(pairs),
        iqm_baseline=iqm_b,
        iqm_candidate=iqm_c,
        iqm_difference=Estimate("iqm_difference", iqm_c - iqm_b, ends[0], ends[1], level, method),
        probability_of_improvement=Estimate(
            "probability_of_improvement", share, share_ends[0], share_ends[1], level, method
        ),
        monte_carlo_se=se,
    )


def stratify(
    baseline: Group, candidate: Group, key: str, *, options: Mapping[str, Any]
) -> Stratified:
    """Compare stratum by stratum on ``key`` and aggregate across strata.
    ``options`` are :func:`~.comparison.compare`'s keyword arguments."""
    import numpy as np

    base, cand = _split(baseline, key), _split(candidate, key)
    # the strata hold counted runs only: what was set aside is said once, here
    warnings = uncounted_warnings(baseline, candidate) + [
        f"stratum {name!r} has runs only in the {label}: left out"
        for label, mine, other in (("baseline", base, cand), ("candidate", cand, base))
        for name in sorted(set(mine) - set(other))
    ]
    names = sorted(set(base) & set(cand))
    if not names:
        raise UsageError(f"no value of {key!r} has runs on both sides", pointer="--stratify-by")
    options = {**options, "declared": _declared(baseline, candidate, options)}
    strata = [
        (
            name,
            compare(
                replace(baseline, runs=tuple(base[name]), skipped=(), copies=()),
                replace(candidate, runs=tuple(cand[name]), skipped=(), copies=()),
                **options,
            ),
        )
        for name in names
    ]
    strata = _holm_across(strata, 1 - options.get("confidence", 0.95))
    by_metric: dict[str, list[Any]] = {}
    for _, comparison in strata:
        for m in comparison.metrics:
            by_metric.setdefault(m.metric, []).append(m)
    aggregates = [
        _aggregate(
            name,
            found[0].direction,
            [(np.array(m.values[0]), np.array(m.values[1])) for m in found],
            _defaults(options),
        )
        for name, found in sorted(by_metric.items())
    ]
    return Stratified(key, tuple(strata), tuple(aggregates), tuple(warnings))


def _declared(
    baseline: Group, candidate: Group, options: Mapping[str, Any]
) -> list[tuple[str, Mapping[str, str]]]:
    """The sources of metric directions for every stratum: ``options``' own,
    then the directions the runs of all strata declare, resolved together so
    that strata which disagree are refused as in a plain comparison, and a
    stratum whose runs declare nothing gets its direction from the others."""
    from .directions import resolve

    declared = list(options.get("declared", ()))
    reported = [{k for r in side.runs for k in r.metrics} for side in (baseline, candidate)]
    names = options.get("metrics") or sorted(reported[0] & reported[1])
    found = resolve(names, [*baseline.runs, *candidate.runs], declared)
    # what ``declared`` gives stays theirs in every stratum: they come first
    by_runs = {m: d.direction for m, d in found.items() if d.direction}
    return [*declared, ("declared by the runs of another stratum", by_runs)]


def _defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    from .bootstrap import DEFAULT_RESAMPLES

    return {
        "seed": options.get("seed", 0),
        "resamples": options.get("resamples", DEFAULT_RESAMPLES),
        "confidence": options.get("confidence", 0.95),
    }


def _holm_across(
    strata: Sequence[tuple[str, Comparison]], alpha: float
) -> list[tuple[str, Comparison]]:
    """Holm's correction across every (stratum, metric) test."""
    flat = [m for _, c in strata for m in c.metrics]
    adjusted = iter(with_holm(flat, alpha))
    return [
        (name, replace(c, metrics=tuple(next(adjusted) for _ in c.metrics))) for name, c in strata
    ]
