"""The stratified comparison (``compare --stratify-by KEY``) called directly,
on small hand-built groups, against independent computations: scipy's
``trim_mean`` and Mann-Whitney U (rliable's definitions), R's Holm
adjustment, and a stratified bootstrap written out here with its own
random numbers.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from manifest.comparison.bootstrap import quantile_se
from manifest.comparison.directions import DirectionError
from manifest.comparison.groups import Group, Run, Skipped
from manifest.comparison.stratify import (
    _aggregate,
    _improvement_share,
    _replicates,
    iqm,
    stratify,
)
from manifest.errors import UsageError

KEY = "data.name"
FAST = {"resamples": 200, "seed": 0, "confidence": 0.95}


def group(
    label: str,
    strata: list[tuple[Any, list[float]]],
    *,
    metrics: tuple[str, ...] = ("acc",),
    direction: str | None = "higher",
    skipped: tuple[Skipped, ...] = (),
    copies: tuple[Skipped, ...] = (),
) -> Group:
    """A side whose runs carry ``KEY`` = each stratum's value; run i of a
    stratum has seed i (so the two sides pair by seed) and reports every
    metric of ``metrics`` (the second one shifted by 1)."""
    runs = []
    for value, values in strata:
        for i, v in enumerate(values):
            name = f"{label}-{value}-{i}"
            runs.append(
                Run(
                    path=f"/runs/{name}.json",
                    run_id=name,
                    digest=name,
                    seeds=(("seed", i),),
                    metrics={m: v + k for k, m in enumerate(metrics)},
                    seed=i,
                    directions={m: direction for m in metrics} if direction else {},
                    labels={KEY: value},
                )
            )
    return Group(label, (label,), tuple(runs), skipped, copies)


def holm(p: list[float]) -> list[float]:
    """R's ``p.adjust(p, "holm")``, written out."""
    order = np.argsort(p)
    adjusted = np.maximum.accumulate([min(1.0, (len(p) - i) * p[j]) for i, j in enumerate(order)])
    out = [0.0] * len(p)
    for rank, j in enumerate(order):
        out[j] = float(adjusted[rank])
    return out


def share(base: Any, cand: Any, lower: bool) -> float:
    """P(candidate better) + P(tie) / 2 as Mann-Whitney's U over n_b * n_c."""
    x, y = (base, cand) if lower else (cand, base)
    return float(sps.mannwhitneyu(x, y).statistic / (len(base) * len(cand)))


# --- strata and refusals -------------------------------------------------------


def test_strata_are_named_by_the_value_and_non_strings_by_their_json() -> None:
    values = [0.1, 0.2, 0.3]
    labels: list[Any] = ["cifar", 3, True, None, [1, 2]]
    base = group("baseline", [*((v, values) for v in labels), ({"b": 1, "a": 2}, values)])
    # the same mapping written in another key order is the same stratum
    cand = group("candidate", [*((v, values) for v in labels), ({"a": 2, "b": 1}, values)])
    result = stratify(base, cand, KEY, options=FAST)
    names = [name for name, _ in result.strata]
    assert names == sorted(["cifar", "3", "true", "null", "[1, 2]", '{"a": 2, "b": 1}'])
    assert result.warnings == ()
    assert [c.baseline.runs[0].labels[KEY] for _, c in result.strata] == [
        3,
        [1, 2],
        "cifar",
        None,
        True,
        {"b": 1, "a": 2},
    ]


@pytest.mark.parametrize("side", ["baseline", "candidate"])
def test_a_run_without_the_key_is_refused_naming_its_file_and_the_key(side: str) -> None:
    sides = {s: group(s, [("cifar", [0.1, 0.2])]) for s in ("baseline", "candidate")}
    bare = Run(path="/runs/bare.json", run_id="bare", digest="bare", seeds=(), metrics={"acc": 1})
    sides[side] = Group(side, (side,), (*sides[side].runs, bare), ())
    with pytest.raises(UsageError) as caught:
        stratify(sides["baseline"], sides["candidate"], KEY, options=FAST)
    assert str(caught.value) == (
        f"/runs/bare.json: /params/data/name: {side} run bare has no config key 'data.name' "
        "(expected a value to stratify by, found absent)"
    )


def test_no_stratum_on_both_sides_is_refused() -> None:
    base = group("baseline", [("cifar", [0.1, 0.2])])
    cand = group("candidate", [("mnist", [0.1, 0.2])])
    with pytest.raises(UsageError) as caught:
        stratify(base, cand, KEY, options=FAST)
    assert str(caught.value) == "--stratify-by: no value of 'data.name' has runs on both sides"


def test_strata_of_one_side_only_are_left_out_with_a_warning_each() -> None:
    values = [0.1, 0.2, 0.3]
    base = group("baseline", [("a", values), ("cifar", values)])
    cand = group("candidate", [("z", values), ("cifar", values), ("y", values)])
    result = stratify(base, cand, KEY, options=FAST)
    assert [name for name, _ in result.strata] == ["cifar"]
    assert result.warnings == (
        "stratum 'a' has runs only in the baseline: left out",
        "stratum 'y' has runs only in the candidate: left out",
        "stratum 'z' has runs only in the candidate: left out",
    )
    # one stratum is enough for an aggregate
    [acc] = result.aggregates
    assert acc.strata == 1 and acc.direction == "higher"


# --- the statistics against scipy --------------------------------------------


@pytest.mark.parametrize("n", range(1, 13))
def test_iqm_is_scipys_trim_mean_along_the_last_axis(n: int) -> None:
    rows = np.random.default_rng(n).normal(size=(3, n))
    assert iqm(rows) == pytest.approx(sps.trim_mean(rows, 0.25, axis=1))
    assert iqm(rows[0]) == pytest.approx(sps.trim_mean(rows[0], 0.25))


@pytest.mark.parametrize("lower", [False, True])
def test_improvement_share_counts_ties_half_row_by_row(lower: bool) -> None:
    base = np.array([[1.0, 2.0, 2.0, 3.0], [2.0, 2.0, 2.0, 2.0], [0.0, 5.0, 5.0, 9.0]])
    cand = np.array([[2.0, 2.0, 4.0], [2.0, 2.0, 1.0], [5.0, 0.0, 7.0]])
    got = _improvement_share(base, cand, lower)
    assert list(got) == pytest.approx([share(b, c, lower) for b, c in zip(base, cand, strict=True)])


# --- the aggregate across strata ------------------------------------------------

PAIRS = [  # (baseline, candidate) per stratum, with ties across the sides
    (np.array([0.80, 0.82, 0.81, 0.79, 0.83, 0.80]), np.array([0.86, 0.80, 0.86, 0.88, 0.87])),
    (np.array([0.97, 0.98, 0.97, 0.96]), np.array([0.97, 0.99, 0.98, 0.98, 0.96, 0.97])),
    (np.array([0.90, 0.91, 0.89, 0.92, 0.90]), np.array([0.89, 0.90, 0.91, 0.90, 0.88])),
]


@pytest.mark.parametrize("direction", ["higher", "lower", None])
def test_the_aggregate_is_rliables_pooled_iqm_and_mean_improvement(direction: str | None) -> None:
    options = {"confidence": 0.9, "resamples": 1000, "seed": 3}
    a = _aggregate("loss", direction, PAIRS, options)
    base = np.concatenate([b for b, _ in PAIRS])
    cand = np.concatenate([c for _, c in PAIRS])
    assert (a.metric, a.direction, a.strata) == ("loss", direction, 3)
    assert a.iqm_baseline == pytest.approx(sps.trim_mean(base, 0.25))
    assert a.iqm_candidate == pytest.approx(sps.trim_mean(cand, 0.25))
    lower = direction == "lower"
    expected = np.mean([share(b, c, lower) for b, c in PAIRS])
    d, p = a.iqm_difference, a.probability_of_improvement
    assert p.value == pytest.approx(expected)
    assert d.value == pytest.approx(a.iqm_candidate - a.iqm_baseline)
    # percentile intervals of the stratified resamples, at the level asked for
    diffs, shares = _replicates(PAIRS, lower, 1000, 3)
    exact = {"rel": 1e-12, "abs": 1e-15}
    assert [d.low, d.high] == pytest.approx(np.percentile(diffs, [5, 95]), **exact)
    assert [p.low, p.high] == pytest.approx(np.percentile(shares, [5, 95]), **exact)
    se = max(quantile_se(r, q) for r in (diffs, shares) for q in (0.05, 0.95))
    assert a.monte_carlo_se == pytest.approx(se, **exact)
    method = "stratified percentile bootstrap, 1000 resamples, seed 3"
    assert (d.name, d.confidence, d.method) == ("iqm_difference", 0.9, method)
    assert (p.name, p.confidence, p.method) == ("probability_of_improvement", 0.9, method)


def written_share(base: Any, cand: Any, lower: bool) -> float:
    wins = (cand[:, None] < base) if lower else (cand[:, None] > base)
    return float(wins.mean() + (cand[:, None] == base).mean() / 2)


def independent_bootstrap(
    pairs: list[tuple[Any, Any]], lower: bool, resamples: int
) -> tuple[Any, Any]:
    """Stratified bootstrap written out: each resample draws every side of
    every stratum with replacement, one resample at a time."""
    rng = np.random.default_rng(12345)
    diffs, shares = [], []
    for _ in range(resamples):
        drawn = [(rng.choice(b, len(b)), rng.choice(c, len(c))) for b, c in pairs]
        pooled_b = np.concatenate([b for b, _ in drawn])
        pooled_c = np.concatenate([c for _, c in drawn])
        diffs.append(sps.trim_mean(pooled_c, 0.25) - sps.trim_mean(pooled_b, 0.25))
        shares.append(np.mean([written_share(b, c, lower) for b, c in drawn]))
    return np.array(diffs), np.array(shares)


@pytest.mark.parametrize("lower", [False, True])
def test_resamples_follow_an_independent_stratified_bootstrap(lower: bool) -> None:
    # the first run of each side is far from the others: a bootstrap that
    # never draws it, or that pools one side over all resamples, shows
    pairs = [
        (np.array([3.0, 0.0, 0.1, 0.2, 0.3]), np.array([1.0, 1.0, 1.0, 1.0])),
        (np.array([5.0, 5.0, 5.0]), np.array([-4.0, 5.1, 5.2, 5.3, 5.1])),
    ]
    diffs, shares = _replicates(pairs, lower, 3000, 0)
    assert diffs.shape == shares.shape == (3000,)
    want_diffs, want_shares = independent_bootstrap(pairs, lower, 3000)
    # within about 3.5 Monte Carlo standard errors of each other
    assert diffs.mean() == pytest.approx(want_diffs.mean(), abs=0.1)
    assert diffs.std() == pytest.approx(want_diffs.std(), rel=0.1)
    assert shares.mean() == pytest.approx(want_shares.mean(), abs=0.015)
    assert shares.std() == pytest.approx(want_shares.std(), rel=0.1)


def test_every_resample_asked_for_is_drawn_however_many_steps_memory_needs() -> None:
    # 2 strata of 40 x 40 runs: about 1250 resamples fit in a step
    rng = np.random.default_rng(1)
    pairs = [(rng.normal(size=40), rng.normal(size=40)) for _ in range(2)]
    for resamples in (1, 999, 3000):
        diffs, shares = _replicates(pairs, False, resamples, 0)
        assert diffs.shape == shares.shape == (resamples,)
        assert len(set(diffs.tolist())) > 0.9 * resamples  # each step draws afresh


def test_a_stratum_of_one_run_per_side_resamples_that_run() -> None:
    pairs = [(np.array([1.0]), np.array([2.0])), (np.array([0.0, 1.0]), np.array([3.0]))]
    diffs, shares = _replicates(pairs, False, 500, 0)
    assert set(shares.tolist()) == {1.0}
    assert diffs.min() > 0


# --- stratify end to end -----------------------------------------------------------

NOISE = [0.31, -0.52, 0.13, 0.92, -0.71, 0.05, -0.24, 0.44]


def sides(**kwargs: Any) -> tuple[Group, Group]:
    """Two strata: ``clear`` (the candidate far better) and ``close`` (a
    small shift, p between 0.05 and 0.5), with two metrics each."""
    base = [("clear", NOISE), ("close", NOISE)]
    cand = [("clear", cand_values()[0]), ("close", cand_values()[1])]
    return (
        group("baseline", base, metrics=("acc", "f1"), **kwargs),
        group("candidate", cand, metrics=("acc", "f1"), **kwargs),
    )


@pytest.mark.parametrize("confidence", [0.95, 0.5])
def test_holm_runs_across_every_stratum_and_metric_at_the_level_asked(confidence: float) -> None:
    base, cand = sides()
    result = stratify(base, cand, KEY, options={**FAST, "confidence": confidence})
    tests = [(s, m) for s, c in result.strata for m in c.metrics]
    assert [(s, m.metric) for s, m in tests] == [
        ("clear", "acc"),
        ("clear", "f1"),
        ("close", "acc"),
        ("close", "f1"),
    ]
    raw = [m.tests["paired_t"].p_value for _, m in tests]
    assert all(p is not None for p in raw)
    adjusted = holm([p for p in raw if p is not None])
    assert [m.holm["paired_t"] for _, m in tests] == pytest.approx(adjusted)
    assert 0.05 < adjusted[2] < 0.5  # "close": significant at 50% only
    significant = ["candidate better" if p < 1 - confidence else "" for p in adjusted]
    verdicts = [m.verdict for _, m in tests]
    assert verdicts == [s or "no significant difference" for s in significant]
    for _, c in result.strata:
        assert c.confidence == confidence
    assert [a.iqm_difference.confidence for a in result.aggregates] == [confidence] * 2


def test_every_option_reaches_the_strata_and_the_aggregates() -> None:
    base, cand = sides()
    options = {"confidence": 0.8, "seed": 7, "resamples": 300, "min_runs": 9, "metrics": ["f1"]}
    result = stratify(base, cand, KEY, options=options)
    for _, c in result.strata:
        assert (c.confidence, c.seed, c.resamples, c.min_runs) == (0.8, 7, 300, 9)
        assert [m.metric for m in c.metrics] == ["f1"]
        assert c.metrics[0].verdict == "inconclusive: fewer than 9 runs per side"
    [f1] = result.aggregates
    assert f1.metric == "f1"
    assert f1.iqm_difference.method == "stratified percentile bootstrap, 300 resamples, seed 7"


def test_options_left_out_take_compares_defaults() -> None:
    base, cand = sides()
    result = stratify(base, cand, KEY, options={})
    for _, c in result.strata:
        assert (c.confidence, c.seed, c.resamples, c.min_runs) == (0.95, 0, 10000, 5)
    acc = result.aggregates[0]
    assert acc.iqm_difference.confidence == 0.95
    assert acc.iqm_difference.method == "stratified percentile bootstrap, 10000 resamples, seed 0"
    verdicts = [m.verdict for _, c in result.strata for m in c.metrics]
    assert verdicts == ["candidate better"] * 2 + ["no significant difference"] * 2


def test_the_aggregate_keeps_the_direction_and_the_undeclared_stays_undeclared() -> None:
    for direction in ("lower", None):
        base, cand = sides(direction=direction)
        acc = stratify(base, cand, KEY, options=FAST).aggregates[0]
        assert acc.direction == direction
        expected = np.mean(
            [share(b, c, direction == "lower") for b, c in ((NOISE, c) for c in cand_values())]
        )
        assert acc.probability_of_improvement.value == pytest.approx(expected)


def cand_values() -> list[list[float]]:
    return [[1.2 * v + 5 for v in NOISE], [v + 0.15 + v / 3 for v in NOISE]]


def test_skipped_and_copied_manifests_are_reported_once_not_per_stratum() -> None:
    base, cand = sides()
    crashed = (Skipped("/runs/crashed.json", "status is 'failed', not 'completed'"),)
    copy = (Skipped("/runs/copy.json", "same digest as /runs/x.json"),)
    base = Group(base.label, base.sources, base.runs, crashed, copy)
    cand = Group(cand.label, cand.sources, cand.runs, crashed * 2, copy * 3)
    result = stratify(base, cand, KEY, options=FAST)
    for _, c in result.strata:
        assert c.baseline.skipped == c.candidate.skipped == ()
        assert c.baseline.copies == c.candidate.copies == ()
        assert c.warnings == ()
    copies = "manifest(s) are copies of a run (same digest): each run is counted once"
    assert result.warnings == (
        "1 baseline manifest(s) skipped (not completed or not valid)",
        "2 candidate manifest(s) skipped (not completed or not valid)",
        f"1 baseline {copies}",
        f"3 candidate {copies}",
    )


def test_the_json_document_names_the_key_strata_aggregates_and_warnings() -> None:
    base, cand = sides()
    extra = group("baseline", [("imagenet", NOISE)])
    base = Group(base.label, base.sources, (*base.runs, *extra.runs), ())
    result = stratify(base, cand, KEY, options=FAST)
    document = json.loads(json.dumps(result.as_json()))
    assert sorted(document) == ["aggregates", "key", "strata", "warnings"]
    assert document["key"] == KEY
    assert [s["stratum"] for s in document["strata"]] == ["clear", "close"]
    assert document["strata"][0]["command"] == "compare"
    assert [m["metric"] for m in document["strata"][1]["metrics"]] == ["acc", "f1"]
    assert document["warnings"] == ["stratum 'imagenet' has runs only in the baseline: left out"]
    acc = document["aggregates"][0]
    assert (acc["metric"], acc["direction"], acc["strata"]) == ("acc", "higher", 2)
    assert acc["iqm_difference"]["name"] == "iqm_difference"
    assert acc["probability_of_improvement"]["name"] == "probability_of_improvement"
    expected = np.mean([share(NOISE, c, False) for c in cand_values()])
    assert acc["probability_of_improvement"]["value"] == pytest.approx(expected)


def two_strata(close_direction: str | None) -> tuple[Group, Group]:
    """``clear`` declared higher is better; ``close`` declared as given."""
    sides = []
    for label, (clear, close) in (("baseline", (NOISE, NOISE)), ("candidate", cand_values())):
        first = group(label, [("clear", clear)])
        second = group(label, [("close", close)], direction=close_direction)
        sides.append(Group(label, (label,), (*first.runs, *second.runs), ()))
    return sides[0], sides[1]


def test_strata_whose_runs_declare_opposite_directions_are_refused() -> None:
    base, cand = two_strata("lower")
    with pytest.raises(DirectionError) as caught:
        stratify(base, cand, KEY, options=FAST)
    assert str(caught.value).startswith("/directions/acc: metric 'acc' has two directions: higher")


def test_a_stratum_whose_runs_declare_nothing_takes_the_direction_of_the_others() -> None:
    base, cand = two_strata(None)
    result = stratify(base, cand, KEY, options=FAST)
    close = result.strata[1][1].metrics[0]
    assert (close.direction, close.direction_source) == (
        "higher",
        "declared by the runs of another stratum",
    )
    assert close.verdict == "candidate better"
    # a direction given on the command line stays the source it is
    options = {**FAST, "declared": [("--direction", {"acc": "higher"})]}
    close = stratify(base, cand, KEY, options=options).strata[1][1].metrics[0]
    assert close.direction_source == "--direction"


def declaring(side: Group, stratum: str, directions: dict[str, str]) -> Group:
    """``side`` with the runs of ``stratum`` declaring ``directions`` (and no other)."""
    runs = tuple(
        replace(r, directions=directions) if r.labels[KEY] == stratum else r for r in side.runs
    )
    return replace(side, runs=runs)


def test_only_the_metrics_compared_need_one_direction_across_strata() -> None:
    base, cand = sides()
    cand = declaring(cand, "close", {"acc": "higher", "f1": "lower"})
    with pytest.raises(DirectionError, match="metric 'f1' has two directions"):
        stratify(base, cand, KEY, options=FAST)
    result = stratify(base, cand, KEY, options={**FAST, "metrics": ["acc"]})
    assert [m.direction for _, c in result.strata for m in c.metrics] == ["higher", "higher"]


def test_a_metric_of_one_side_only_needs_no_direction() -> None:
    base, cand = sides()
    runs = [
        replace(r, metrics={**r.metrics, "loss": 1.0}, directions={"loss": d})
        for r, d in zip(cand.runs, ["lower", "higher"] * 8, strict=True)
    ]
    result = stratify(base, replace(cand, runs=tuple(runs)), KEY, options=FAST)
    for _, c in result.strata:
        assert [m.metric for m in c.metrics] == ["acc", "f1"]
        assert c.warnings == ("not compared, reported by one group only: loss",)


def test_a_direction_given_against_the_runs_is_refused_naming_both() -> None:
    base, cand = (declaring(s, "clear", {}) for s in sides())
    options = {**FAST, "declared": [("--direction", {"acc": "lower", "f1": "higher"})]}
    with pytest.raises(DirectionError) as caught:
        stratify(base, cand, KEY, options=options)
    assert str(caught.value).startswith(
        "/directions/acc: metric 'acc' has two directions: higher (declared by the runs, "
        "e.g. /runs/baseline-close-0.json) and lower (--direction)"
    )
