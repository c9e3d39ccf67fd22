"""The reproducibility envelope, decision by decision, without re-running.

A record against one re-run (:mod:`manifest.verification.envelope`: artifacts,
metrics within ``atol + rtol * |recorded|``, inputs) and against fresh seeds
(:mod:`manifest.verification.stochastic`: the prediction interval per metric,
the lucky-seed rank, crashed seeds). Bounds are probed exactly on the line and
one float step beyond it; the rows' messages and evidence are what a user
reads in the report. The end-to-end runs are in test_verify.py and
test_stochastic.py.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from manifest.core.results import Check
from manifest.verification.envelope import (
    artifact_checks,
    input_checks,
    metric_checks,
    tolerance,
    within,
)
from manifest.verification.stochastic import (
    METHOD,
    envelope_checks,
    fresh_seeds,
    lucky_seed,
    prediction_interval,
    resolution,
)

UP = math.inf


def row(check: Check) -> tuple[str, str, str, str, str | None, str | None]:
    """What the report shows of a check (every check here is about "m.json")."""
    assert check.subject == "m.json"
    return (check.check, check.status, check.message, check.pointer, check.expected, check.found)


# -- tolerances ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("found", "recorded", "atol", "rtol", "holds"),
    [
        pytest.param(1.5, 1.0, 0.5, 0.0, True, id="on-atol"),
        pytest.param(0.5, 1.0, 0.5, 0.0, True, id="on-atol-below"),
        pytest.param(math.nextafter(1.5, UP), 1.0, 0.5, 0.0, False, id="past-atol"),
        pytest.param(6.0, 4.0, 0.0, 0.5, True, id="on-rtol"),
        pytest.param(math.nextafter(6.0, UP), 4.0, 0.0, 0.5, False, id="past-rtol"),
        pytest.param(-3.0, -4.0, 0.0, 0.25, True, id="on-rtol-negative"),
        pytest.param(4.0, 2.0, 0.0, 0.5, False, id="rtol-of-the-record-not-the-re-run"),
        pytest.param(3.0, 2.0, 0.5, 0.25, True, id="on-atol-plus-rtol"),
        pytest.param(math.nextafter(3.0, UP), 2.0, 0.5, 0.25, False, id="past-atol-plus-rtol"),
        pytest.param(0.0, 0.0, 0.0, 0.0, True, id="exact-zero"),
        pytest.param(5e-324, 0.0, 0.0, 1.0, False, id="rtol-of-zero-is-zero"),
        pytest.param(math.nan, 1.0, 1.0, 1.0, False, id="nan-never-within"),
        pytest.param(math.inf, 1.0, 1.0, 1.0, False, id="inf-never-within"),
    ],
)
def test_a_metric_is_within_atol_plus_rtol_times_the_record(
    found: float, recorded: float, atol: float, rtol: float, holds: bool
) -> None:
    assert within(found, recorded, atol, rtol) is holds


def test_a_tolerance_nobody_declares_is_zero_and_null_entries_fall_back() -> None:
    envelope = {"default": {"rtol": 0.01}, "metrics": {"loss": None, "acc": {"rtol": 0.5}}}
    assert tolerance(envelope, "loss") == (0.0, 0.01)
    assert tolerance(envelope, "acc") == (0.0, 0.5)
    assert tolerance({"default": None, "metrics": None}, "acc") == (0.0, 0.0)
    assert tolerance({"metrics": {"acc": {"atol": 2}}}, "acc") == (2.0, 0.0)


ENVELOPE = {"default": {"atol": 0.5}, "metrics": {"loss": {"atol": 0.0, "rtol": 0.25}}}


def test_each_metric_is_checked_against_its_own_rule_and_reported() -> None:
    recorded = {"loss": 2.0, "acc": 1.0, "steps": 10}
    found = {"loss": 2.5, "acc": 1.75, "steps": 10, "time": 3.5}

    checks = metric_checks("m.json", recorded, found, ENVELOPE)

    assert [row(c) for c in checks] == [
        (
            "metric",
            "fail",
            "acc: |difference| = 0.75, |found - recorded| <= 0.5 + 0*|recorded|",
            "/metrics/acc",
            "1.0",
            "1.75",
        ),
        (
            "metric",
            "pass",
            "loss: |difference| = 0.5, |found - recorded| <= 0 + 0.25*|recorded|",
            "/metrics/loss",
            "2.0",
            "2.5",
        ),
        (
            "metric",
            "pass",
            "steps: |difference| = 0, |found - recorded| <= 0.5 + 0*|recorded|",
            "/metrics/steps",
            "10",
            "10",
        ),
        (
            "metric",
            "warn",
            "time: the re-run reports a metric the record does not have",
            "/metrics",
            "absent",
            "3.5",
        ),
    ]


def test_a_metric_missing_from_the_re_run_fails_and_the_rest_are_still_checked() -> None:
    checks = metric_checks("m.json", {"a/b": 1.0, "z": 2.0}, {"z": 2.0}, {})

    assert [row(c) for c in checks] == [
        ("metric", "fail", "a/b: missing from the re-run", "/metrics/a~1b", "1.0", "absent"),
        ("metric", "pass", "z: |difference| = 0, |found - recorded| <= 0 + 0*|recorded|",
         "/metrics/z", "2.0", "2.0"),
    ]  # fmt: skip
    assert metric_checks("m.json", {}, {}, {}) == []


# -- artifacts and inputs --------------------------------------------------------


def artifact(path: str, sha: str, size: int) -> dict[str, Any]:
    return {"path": path, "sha256": sha, "size": size}


def test_artifacts_the_globs_name_must_be_byte_identical() -> None:
    recorded = [
        artifact("model.pt", "a", 10),
        artifact("preds.csv", "b", 20),
        artifact("log.TXT", "c", 5),
        artifact("gone.pt", "d", 1),
        artifact("gone.txt", "e", 1),
    ]
    found = [
        artifact("model.pt", "a", 10),
        artifact("preds.csv", "B", 22),
        artifact("log.TXT", "C", 6),
        artifact("new.pt", "f", 3),
        artifact("new.txt", "g", 3),
        artifact("another.pt", "h", 3),
    ]

    checks = artifact_checks("m.json", recorded, found, ["*.pt", "*.csv", "*.txt"])

    assert [row(c) for c in checks] == [
        ("artifact", "pass", "model.pt: byte-identical (10 bytes)", "/artifacts/0/sha256",
         "a", "a"),
        ("artifact", "fail", "preds.csv: not byte-identical (20 -> 22 bytes)",
         "/artifacts/1/sha256", "b", "B"),
        ("artifact", "pass", "log.TXT: differs, outside the envelope's identical globs",
         "/artifacts/2/sha256", "c", "C"),
        ("artifact", "fail", "gone.pt: missing from the re-run", "/artifacts/3/sha256",
         "d", "no file"),
        ("artifact", "fail", "gone.txt: missing from the re-run", "/artifacts/4/sha256",
         "e", "no file"),
        ("artifact", "fail", "another.pt: extra file in the re-run, not in the record",
         "/artifacts", "no file", "h"),
        ("artifact", "fail", "new.pt: extra file in the re-run, not in the record",
         "/artifacts", "no file", "f"),
        ("artifact", "fail", "new.txt: extra file in the re-run, not in the record",
         "/artifacts", "no file", "g"),
    ]  # fmt: skip


def test_artifacts_outside_the_globs_only_warn_when_missing_or_extra() -> None:
    recorded = [artifact("out/a.bin", "a", 1)]
    found = [artifact("out/b.bin", "b", 1)]

    checks = artifact_checks("m.json", recorded, found, ["*.pt"])

    assert [(c.status, c.message) for c in checks] == [
        ("warn", "out/a.bin: missing from the re-run"),
        ("warn", "out/b.bin: extra file in the re-run, not in the record"),
    ]
    assert artifact_checks("m.json", [], [], ["*"]) == []


def test_each_input_is_re_hashed_by_key_and_path() -> None:
    recorded = [
        {"key": "data", "path": "a.csv", "sha256": "1"},
        {"key": "data", "path": "b.csv", "sha256": "2"},
        {"key": "labels", "path": "a.csv", "sha256": "3"},
        {"key": "dataset", "path": "hf://x", "version": "v1"},
        {"key": "dataset", "path": "hf://y", "version": "v1"},
    ]
    found = [
        {"key": "data", "path": "a.csv", "sha256": "1"},
        {"key": "data", "path": "b.csv", "sha256": "9"},
        {"key": "labels", "path": "b.csv", "sha256": "3"},
        {"key": "dataset", "path": "hf://x", "version": "v2"},
        {"key": "dataset", "path": "hf://y", "version": "v1"},
    ]

    checks = input_checks("m.json", recorded, found)

    assert [row(c) for c in checks] == [
        ("input", "pass", "data = a.csv: unchanged", "/inputs/0/sha256", "1", "1"),
        ("input", "fail", "data = b.csv: changed since the record", "/inputs/1/sha256",
         "2", "9"),
        ("input", "fail", "labels = a.csv: not read by the re-run", "/inputs/2/sha256",
         "3", "absent"),
        ("input", "fail", "dataset = hf://x: changed since the record", "/inputs/3/version",
         "v1", "v2"),
        ("input", "pass", "dataset = hf://y: unchanged", "/inputs/4/version", "v1", "v1"),
    ]  # fmt: skip


# -- fresh seeds: the prediction interval ----------------------------------------


def test_fresh_seeds_follow_the_recorded_one() -> None:
    assert fresh_seeds(7, 3) == [8, 9, 10]
    assert fresh_seeds(-1, 2) == [0, 1]


@pytest.mark.parametrize(
    ("values", "gap"),
    [
        pytest.param([1.0, 1.0, 4.0, 6.0], 2.0, id="smallest"),
        pytest.param([6.0, 1.0, 4.0], 2.0, id="unsorted"),
        pytest.param([0.5, 0.5, 0.5], 0.0, id="agree"),
        pytest.param([0.1 + 0.2, 0.3, 0.5], 0.2, id="rounding-is-no-gap"),
    ],
)
def test_the_resolution_is_the_smallest_gap_between_distinct_values(
    values: list[float], gap: float
) -> None:
    assert resolution(values) == pytest.approx(gap, abs=1e-15)


def test_a_prediction_interval_needs_two_runs() -> None:
    with pytest.raises(ValueError, match=r"^a prediction interval needs at least two runs$"):
        prediction_interval([1.0], 1.0, level=0.95)


def test_the_interval_is_never_narrower_than_its_floor_and_holds_on_its_ends() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    # t(0.95, 4) = 2.131846786326649 (R: qt(0.95, 4)): the level is two-sided
    half = 2.131846786326649 * 2.5**0.5 * 1.2**0.5
    interval = prediction_interval(values, 3.0 + half, level=0.9)
    assert interval.t == pytest.approx(2.131846786326649, rel=1e-12)
    assert interval.upper - 3.0 == pytest.approx(half, rel=1e-12)
    assert interval.holds and prediction_interval(values, 3.0 - half, level=0.9).holds
    assert not prediction_interval(values, 3.0 + half * 1.000001, level=0.9).holds
    assert not prediction_interval(values, 3.0 - half * 1.000001, level=0.9).holds

    wide = prediction_interval(values, 13.0, level=0.9, floor=10.0)
    assert (wide.lower, wide.upper, wide.floor, wide.holds) == (-7.0, 13.0, 10.0, True)
    narrow = prediction_interval(values, 3.0, level=0.9, floor=0.1)
    assert narrow.upper - narrow.mean == pytest.approx(half)


def test_runs_that_agree_up_to_rounding_have_no_spread_and_their_mean() -> None:
    values = [0.1 + 0.2, 0.3, 0.3]
    interval = prediction_interval(values, 0.3, level=0.95)
    assert interval.sd == 0.0 and interval.mean == math.fsum(values) / 3
    tenths = prediction_interval([0.1, 0.1, 0.1], 0.1, level=0.95)  # fsum / 3 = 0.10000000000000002
    assert (tenths.mean, tenths.lower, tenths.upper) == (0.1, 0.1, 0.1)
    same = prediction_interval([2.5, 2.5], 2.5, level=0.95)
    assert (same.mean, same.sd, same.lower, same.upper) == (2.5, 0.0, 2.5, 2.5)
    assert not prediction_interval([2.5, 2.5], 2.5001, level=0.95).holds
    assert same.as_json()["values"] == [2.5, 2.5] and same.as_json()["holds"] is True


def runs_of(name: str, *values: float) -> list[dict[str, float]]:
    return [{name: v} for v in values]


def test_each_metric_gets_a_row_with_its_interval_and_evidence() -> None:
    checks, evidence = envelope_checks(
        "m.json", {"acc": 3.0}, runs_of("acc", 1.0, 2.0, 3.0, 4.0, 5.0), seeds=[1, 2, 3, 4, 5]
    )

    (check,) = checks
    t = evidence["metrics"]["acc"]["t"]
    assert t == pytest.approx(2.7764451051977987)  # R: qt(0.975, 4)
    half = t * 2.5**0.5 * 1.2**0.5
    assert row(check) == (
        "envelope",
        "pass",
        f"acc: recorded 3 inside the 0.95 prediction interval of 5 fresh seeds (mean 3, "
        f"sd 1.58, t {t:.3f}, floor 1)",
        "/metrics/acc",
        f"[{3 - half:.6g}, {3 + half:.6g}]",
        "3.0",
    )
    assert evidence["metrics"]["acc"]["metric"] == "acc"
    assert evidence["metrics"]["acc"]["holds"] is True
    assert evidence | {"metrics": {}} == {
        "method": METHOD,
        "confidence": 0.95,
        "level_per_metric": 0.95,
        "seeds": [1, 2, 3, 4, 5],
        "failed_runs": 0,
        "metrics": {},
    }


def test_a_record_outside_the_interval_fails_naming_it() -> None:
    checks, _ = envelope_checks("m.json", {"acc": 9.0}, runs_of("acc", 1, 2, 3), seeds=[1, 2, 3])
    assert checks[0].status == "fail"
    assert checks[0].message.startswith("acc: recorded 9 outside the 0.95 prediction interval")


def test_the_floor_is_the_declared_tolerance_around_the_fresh_mean() -> None:
    runs = runs_of("acc", 0.5, 0.5, 0.5, 0.5)
    envelope = {"metrics": {"acc": {"atol": 0.1, "rtol": 0.2}}}  # 0.1 + 0.2 * 0.5

    checks, evidence = envelope_checks("m.json", {"acc": 0.7}, runs, seeds=[1, 2, 3, 4],
                                       envelope=envelope)  # fmt: skip

    assert evidence["metrics"]["acc"]["floor"] == pytest.approx(0.2)
    assert checks[0].status == "pass" and "floor 0.2)" in checks[0].message
    checks, _ = envelope_checks("m.json", {"acc": 0.71}, runs, seeds=[1, 2, 3, 4],
                                envelope=envelope)  # fmt: skip
    assert checks[0].status == "fail"
    negative = runs_of("acc", -0.5, -0.5)
    checks, _ = envelope_checks("m.json", {"acc": -0.3}, negative, seeds=[1, 2],
                                envelope=envelope)  # fmt: skip
    assert checks[0].status == "pass"


def test_a_metric_fewer_than_two_fresh_seeds_gave_fails() -> None:
    runs: list[dict[str, float] | None] = [{"acc": 1.0, "loss": 1.0}, {"loss": 2.0}, None]

    checks, evidence = envelope_checks("m.json", {"acc": 1.0, "loss": 1.5}, runs, seeds=[4, 5, 6])

    acc, loss, crashed = checks
    assert row(acc) == (
        "envelope", "fail", "acc: only 1 of 3 fresh-seed re-runs gave it; at least 2 are needed",
        "/metrics/acc", None, "1.0",
    )  # fmt: skip
    assert (loss.check, loss.status) == ("envelope", "pass")
    assert loss.message.startswith("loss: recorded 1.5 inside the 0.975 prediction interval of 2")
    assert row(crashed) == (
        "envelope", "fail", "1 of 3 fresh-seed re-runs did not complete", "/metrics", None, None,
    )  # fmt: skip
    assert list(evidence["metrics"]) == ["loss"] and evidence["failed_runs"] == 1
    assert evidence["level_per_metric"] == pytest.approx(1 - 0.05 / 2)  # two metrics


def test_the_false_alarm_budget_is_split_over_the_metrics_and_the_confidence() -> None:
    runs = [{"a": float(i), "b": float(-i)} for i in range(5)]
    _, evidence = envelope_checks(
        "m.json", {"a": 1.0, "b": -1.0}, runs, seeds=list(range(5)), confidence=0.9
    )
    assert evidence["confidence"] == 0.9
    assert evidence["level_per_metric"] == pytest.approx(0.95)
    _, nothing = envelope_checks("m.json", {}, [{}, {}], seeds=[1, 2])
    assert nothing["level_per_metric"] == pytest.approx(0.95)


# -- fresh seeds: the lucky seed ---------------------------------------------------


def descending(n: int) -> list[dict[str, float]]:
    return [{"score": 0.9 - 0.001 * i, "loss": 0.1 + 0.001 * i} for i in range(n)]


def test_the_best_of_39_fresh_seeds_fails_exactly_at_alpha_over_2() -> None:
    result = lucky_seed("m.json", {"score": 1.0}, descending(39), {"score": "higher"}, 0.05)

    assert result is not None
    check, evidence = result
    assert row(check) == (
        "lucky-seed",
        "fail",
        "lucky seed? on score, the record scores better than 39 of 39 fresh seeds "
        "(p = 0.025; fails at p <= 0.025)",
        "/metrics",
        "p > 0.025",
        "p = 0.025",
    )
    assert evidence["metrics"] == ["score"] and evidence["can_fail"] is True
    assert evidence["scores"][0] == 40.0


def test_the_second_best_of_39_passes() -> None:
    runs = [{"score": 2.0}, *descending(38)]
    result = lucky_seed("m.json", {"score": 1.0}, runs, {"score": "higher"}, 0.05)
    assert result is not None and result[0].status == "pass"
    assert result[1]["p_value"] == pytest.approx(2 / 40)


def test_38_fresh_seeds_cannot_fail_and_say_how_many_can() -> None:
    result = lucky_seed("m.json", {"score": 1.0}, descending(38), {"score": "higher"}, 0.05)
    assert result is not None
    check, evidence = result
    assert check.status == "pass" and evidence["can_fail"] is False
    assert check.message.endswith(
        "(p = 0.0256; cannot fail with 38 fresh seeds: it needs at least 39 (--seeds 39))"
    )


def test_lower_is_better_where_the_direction_says_so_and_ranks_are_averaged() -> None:
    directions = {"score": "higher", "loss": "lower"}
    worst_loss = {"score": 1.0, "loss": 1.0}  # best score, worst loss: a middling run
    result = lucky_seed("m.json", worst_loss, descending(39), directions, 0.05)
    assert result is not None and result[0].status == "pass"
    assert result[0].message.startswith("lucky seed? on loss, score, the record scores better")
    assert result[1]["metrics"] == ["loss", "score"]
    assert result[1]["scores"][0] == pytest.approx((1 + 40) / 2)
    best = lucky_seed("m.json", {"score": 1.0, "loss": 0.0}, descending(39), directions, 0.05)
    assert best is not None and best[0].status == "fail"


def test_ties_with_the_record_count_against_finding_luck() -> None:
    runs = [{"score": 1.0}, *descending(38)]
    result = lucky_seed("m.json", {"score": 1.0}, runs, {"score": "higher"}, 0.05)
    assert result is not None and result[0].status == "pass"
    assert result[1]["p_value"] == pytest.approx(2 / 40)
    assert "better than 38 of 39 fresh seeds" in result[0].message


def test_only_metrics_with_a_direction_that_every_run_has_are_ranked() -> None:
    runs = [{"score": 0.5, "extra": 1.0}, {"score": 0.4}]
    directions = {"score": "higher", "extra": "higher", "absent": "lower"}
    result = lucky_seed("m.json", {"score": 0.1, "extra": 9.0}, runs, directions, 0.05)
    assert result is not None and result[1]["metrics"] == ["score"]
    assert lucky_seed("m.json", {"score": 0.1}, [], directions, 0.05) is None
    assert lucky_seed("m.json", {"extra": 0.1}, runs, directions, 0.05) is None


def test_the_lucky_seed_row_follows_the_metric_rows_and_takes_half_the_budget() -> None:
    runs = descending(39)
    checks, evidence = envelope_checks(
        "m.json", {"score": 1.0}, runs, seeds=list(range(39)), directions={"score": "higher"}
    )
    assert [row(c)[0] for c in checks] == ["envelope", "lucky-seed"]
    assert checks[1].status == "fail" and evidence["lucky_seed"]["can_fail"] is True
    assert evidence["level_per_metric"] == pytest.approx(0.975)
    _, few = envelope_checks(
        "m.json", {"score": 1.0}, runs[:5], seeds=list(range(5)), directions={"score": "higher"}
    )
    assert few["level_per_metric"] == pytest.approx(0.95) and "lucky_seed" in few
