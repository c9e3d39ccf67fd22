"""``manifest compare --stratify-by KEY``: per-dataset results and the
aggregate across datasets, as rliable computes it.

References (rliable, Agarwal et al. 2021, ``rliable/metrics.py``):
``aggregate_iqm(scores) = scipy.stats.trim_mean(scores, 0.25, axis=None)``
over every run of every task, and ``probability_of_improvement(x, y)`` = the
mean over tasks of ``mannwhitneyu(x_task, y_task).statistic / (n_x * n_y)``,
i.e. P(X > Y) + P(X = Y) / 2; intervals from a stratified bootstrap (runs
resampled within each task).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from runfactory import sweep
from scipy import stats as sps

from manifest.cli import main

TASKS = {
    "cifar": ([0.80, 0.82, 0.81, 0.79, 0.83], [0.86, 0.87, 0.86, 0.88, 0.87]),
    "mnist": ([0.97, 0.98, 0.97, 0.96, 0.98], [0.97, 0.99, 0.98, 0.98, 0.99]),
    "svhn": ([0.90, 0.91, 0.89, 0.92, 0.90], [0.89, 0.90, 0.91, 0.90, 0.88]),
}


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    root = tmp_path_factory.mktemp("strata")
    out: dict[str, list[str]] = {"baseline": [], "candidate": []}
    for task, (base, cand) in TASKS.items():
        for label, values in (("baseline", base), ("candidate", cand)):
            folder = sweep(
                root,
                f"{label}-{task}",
                {"acc": values},
                directions={"acc": "higher"},
                extra=[f"+data.name={task}"],
            )
            out[label].append(str(folder))
    only = sweep(root, "only", {"acc": [0.5] * 5}, extra=["+data.name=imagenet"])
    out["with_extra"] = [*out["baseline"], str(only)]
    out["root"] = [str(root)]
    return out


def stratified(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["compare", *args, "--stratify-by", "data.name", "--format", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_aggregates_are_rlibles_iqm_and_probability_of_improvement(
    sides: dict[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--baseline", *sides["baseline"], "--candidate", *sides["candidate"])
    document = stratified(capsys, *args)
    assert [s["stratum"] for s in document["strata"]] == ["cifar", "mnist", "svhn"]
    [acc] = document["aggregates"]
    base = [v for b, _ in TASKS.values() for v in b]
    cand = [v for _, c in TASKS.values() for v in c]
    assert acc["iqm_baseline"] == pytest.approx(sps.trim_mean(base, 0.25))
    assert acc["iqm_candidate"] == pytest.approx(sps.trim_mean(cand, 0.25))
    shares = [
        sps.mannwhitneyu(np.array(c), np.array(b)).statistic / (len(b) * len(c))
        for b, c in TASKS.values()
    ]
    share = acc["probability_of_improvement"]
    assert share["value"] == pytest.approx(float(np.mean(shares)))
    assert share["low"] <= share["value"] <= share["high"]
    diff = acc["iqm_difference"]
    assert diff["value"] == pytest.approx(acc["iqm_candidate"] - acc["iqm_baseline"])
    assert diff["low"] <= diff["value"] <= diff["high"] and acc["strata"] == 3
    assert "stratified percentile bootstrap, 10000 resamples" in diff["method"]
    # the same runs named in another order give the same report
    again = stratified(
        capsys, "--baseline", *sides["baseline"][::-1], "--candidate", *sides["candidate"][::-1]
    )
    assert again["aggregates"] == document["aggregates"]


def test_each_stratum_is_compared_with_holm_across_all(
    sides: dict[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--baseline", *sides["baseline"], "--candidate", *sides["candidate"]]
    document = stratified(capsys, *args)
    metrics = {s["stratum"]: s["metrics"][0] for s in document["strata"]}
    raw = [metrics[t]["tests"]["paired_t"]["p_value"] for t in TASKS]
    adjusted = [metrics[t]["holm"]["paired_t"] for t in TASKS]
    order = np.argsort(raw)  # Holm over the three strata (R: p.adjust(raw, "holm"))
    expected = np.maximum.accumulate([min(1.0, (3 - i) * raw[j]) for i, j in enumerate(order)])
    assert [adjusted[j] for j in order] == pytest.approx(list(expected))
    assert metrics["cifar"]["verdict"] == "candidate better"
    capsys.readouterr()
    assert main(["compare", *args, "--stratify-by", "data.name"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("stratified by data.name: 3 strata (cifar, mnist, svhn)")
    assert "across 3 strata: IQM baseline" in text and "P(candidate better) averaged" in text
    assert main(["compare", *args, "--stratify-by", "data.name", "--format", "markdown"]) == 0
    assert "### manifest compare, stratified by `data.name`" in capsys.readouterr().out


def test_a_stratum_on_one_side_only_is_left_out_with_a_warning(
    sides: dict[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    document = stratified(
        capsys, "--baseline", *sides["with_extra"], "--candidate", *sides["candidate"]
    )
    assert document["warnings"] == ["stratum 'imagenet' has runs only in the baseline: left out"]
    assert len(document["strata"]) == 3


def test_a_run_without_the_key_is_a_usage_error(
    sides: dict[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    args = ["compare", "--baseline", *sides["baseline"], "--candidate", *sides["candidate"]]
    assert main([*args, "--stratify-by", "data.split"]) == 2
    err = capsys.readouterr().err
    assert "has no config key 'data.split'" in err and "/params/data/split" in err
    assert "Traceback" not in err


def test_a_crashed_run_is_reported_though_it_belongs_to_no_stratum(
    sides: dict[str, list[str]], capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    base, _ = TASKS["cifar"]
    crashed = sweep(
        tmp_path,
        "crashed",
        {"acc": [*base, 0.5]},
        fail_seed=5,
        directions={"acc": "higher"},
        extra=["+data.name=cifar"],
    )
    args = ["--baseline", str(crashed), *sides["baseline"][1:], "--candidate", *sides["candidate"]]
    document = stratified(capsys, *args)
    warning = "1 baseline manifest(s) skipped (not completed or not valid)"
    assert document["warnings"] == [warning]
    assert [s["baseline"]["skipped"] for s in document["strata"]] == [[], [], []]
    assert main(["compare", *args, "--stratify-by", "data.name"]) == 0
    assert capsys.readouterr().out.endswith(f"WARNING: {warning}\n")


def test_strata_declaring_opposite_directions_are_a_usage_error(
    sides: dict[str, list[str]], capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    base, _ = TASKS["svhn"]
    lower = sweep(
        tmp_path, "lower", {"acc": base}, directions={"acc": "lower"}, extra=["+data.name=svhn"]
    )
    capsys.readouterr()
    args = ["--baseline", *sides["baseline"][:2], str(lower), "--candidate", *sides["candidate"]]
    assert main(["compare", *args, "--stratify-by", "data.name"]) == 2
    err = capsys.readouterr().err
    assert "metric 'acc' has two directions: higher" in err and "lower" in err
    assert "Traceback" not in err
