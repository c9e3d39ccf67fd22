"""``verify``'s statistical envelope: a false-alarm rate that holds for
discrete and tied metrics, and the lucky-seed rank check.

References: the prediction interval for one new observation,
``mean +- t(1 - a/2, N - 1) s sqrt(1 + 1/N)`` (Hahn & Meeker, Statistical
Intervals, 1991, sec. 4.4); the rank of an exchangeable draw among N + 1 is
uniform, so ``P(record beats all N fresh runs) = 1 / (N + 1)`` (the
permutation argument of a one-sample rank test). Rates over many honest
seeds are measured by ``benchmarks/bench_envelope.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import run_cli
from manifest.verification.stochastic import envelope_checks, lucky_seed, prediction_interval

ENVELOPE = {"default": {"atol": 0.0, "rtol": 0.0}, "metrics": {"recall": {"atol": 0.0041}}}


def failures(record: dict[str, float], runs: list[dict[str, float]], **kw: Any) -> list[str]:
    checks, _ = envelope_checks("m.json", record, runs, seeds=list(range(len(runs))), **kw)
    return [c.pointer for c in checks if c.status == "fail"]


def test_fresh_seeds_that_agree_no_longer_reject_a_neighbouring_value() -> None:
    # recall moves in steps of 1/244: five fresh seeds at one value and the
    # record one step away used to fail (an interval of width zero)
    runs = [{"recall": 0.9180327868852459}] * 5
    record = {"recall": 0.9221311475409836}
    assert failures(record, runs, envelope=ENVELOPE) == []
    assert failures(record, runs, envelope={}) == ["/metrics/recall"]
    assert failures({"recall": 0.93}, runs, envelope=ENVELOPE) == ["/metrics/recall"]


def test_the_floor_is_also_the_gap_between_distinct_fresh_values() -> None:
    values = [0.910, 0.910, 0.910, 0.910, 0.912]
    interval = prediction_interval(values, 0.914, level=0.99, floor=0.002)
    assert interval.floor == 0.002 and interval.upper > 0.9104 + 0.002 - 1e-12
    checks, evidence = envelope_checks(
        "m.json", {"acc": 0.9104}, [{"acc": v} for v in values], seeds=[1, 2, 3, 4, 5]
    )
    assert evidence["metrics"]["acc"]["floor"] == pytest.approx(0.002)
    assert checks[0].status == "pass"


def test_values_equal_up_to_rounding_are_equal() -> None:
    runs = [{"x": 0.1 + 0.2}] * 4 + [{"x": 0.3}]
    assert failures({"x": 0.3}, runs) == [] and failures({"x": 0.1 + 0.2}, runs) == []
    interval = prediction_interval([0.1 + 0.2, 0.3, 0.3], 0.3, level=0.95)
    assert interval.sd == 0.0 and interval.holds


def test_lucky_seed_needs_39_fresh_seeds_to_be_able_to_fail() -> None:
    directions = {"score": "higher", "loss": "lower"}
    best = {"score": 1.0, "loss": 0.0}
    fresh = [{"score": 0.9 - 0.001 * i, "loss": 0.1 + 0.001 * i} for i in range(39)]
    result = lucky_seed("m.json", best, fresh, directions, alpha=0.05)
    assert result is not None
    check, evidence = result
    assert check.status == "fail" and evidence["p_value"] == pytest.approx(1 / 40)
    assert "the record scores better than 39 of 39 fresh seeds" in check.message
    few = lucky_seed("m.json", best, fresh[:5], directions, alpha=0.05)
    assert few is not None and few[0].status == "pass" and few[1]["can_fail"] is False
    assert "cannot fail with 5 fresh seeds: it needs at least 39 (--seeds 39)" in few[0].message
    middle = lucky_seed("m.json", fresh[20], fresh[:20] + fresh[21:], directions, alpha=0.05)
    assert middle is not None and middle[0].status == "pass"
    assert middle[1]["p_value"] == pytest.approx(21 / 39)
    assert lucky_seed("m.json", best, fresh, {}, alpha=0.05) is None  # no direction declared


def test_the_two_checks_share_the_false_alarm_budget() -> None:
    fresh = [{"score": 0.9 + 0.01 * np.sin(i)} for i in range(39)]
    _, with_rank = envelope_checks(
        "m.json", {"score": 0.9}, fresh, seeds=list(range(39)), directions={"score": "higher"}
    )
    _, without = envelope_checks("m.json", {"score": 0.9}, fresh[:5], seeds=list(range(5)))
    assert with_rank["level_per_metric"] == pytest.approx(0.975)  # alpha / 2 for the interval
    assert without["level_per_metric"] == pytest.approx(0.95)
    assert with_rank["lucky_seed"]["can_fail"] is True and "lucky_seed" not in without


def test_gaussian_false_alarms_stay_near_the_nominal_rate() -> None:
    rng = np.random.default_rng(7)
    trials = 1000
    alarms = sum(
        bool(failures({"x": float(rng.normal())}, [{"x": float(v)} for v in rng.normal(size=5)]))
        for _ in range(trials)
    )
    # exactly 5% in theory; 1000 trials: a 99.9% binomial interval is [2.9%, 7.6%]
    assert 29 <= alarms <= 76


TASK = '''
def score(cfg):
    """Seed 0 is the best seed there is; every other is a little worse."""
    return {"score": 1.0 - 0.001 * cfg.seed, "steps": 100}
'''
CONFIG = """
defaults:
  - manifest_schema
  - _self_
seed: 0
manifest:
  task: hm_lucky_task:score
  store: manifests
  metrics: {score: higher}
  envelope:
    identical: []
    stochastic: true
    seeds: 5
hydra:
  run:
    dir: outputs/${now:%H-%M-%S.%f}
  sweep:
    dir: multirun/${now:%H-%M-%S.%f}
    subdir: ${hydra.job.num}
"""


@pytest.mark.slow
def test_verify_flags_the_best_seed_with_39_fresh_seeds(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "conf").mkdir()
    (workdir / "conf" / "config.yaml").write_text(CONFIG)
    (workdir / "hm_lucky_task.py").write_text(TASK)
    monkeypatch.delitem(sys.modules, "hm_lucky_task", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    conf = str(workdir / "conf")
    assert run_cli("run", "--config-dir", conf, "seed=0") == 0
    (path,) = (workdir / "manifests").glob("*.json")
    capsys.readouterr()
    assert run_cli("verify", "--config-dir", conf, str(path), "--format", "json") == 0
    document = json.loads(capsys.readouterr().out)
    [rank] = [c for s in document["subjects"] for c in s["checks"] if c["check"] == "lucky-seed"]
    assert rank["status"] == "pass" and "cannot fail with 5 fresh seeds" in rank["message"]
    code = run_cli("verify", "--config-dir", conf, "--seeds", "39", str(path))
    out = capsys.readouterr().out
    assert code == 1
    assert "lucky seed? on score, the record scores better than 39 of 39 fresh seeds" in out
    assert "p = 0.025; fails at p <= 0.025" in out
