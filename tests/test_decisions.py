"""Decisions that cannot be fooled: every way compare and gate used to be
wrong, through the CLI, on manifests recorded by real runs.

References:
- R's ``t.test`` (src/library/stats/R/t.test.R) stops with "data are
  essentially constant" when ``stderr < 10 * .Machine$double.eps *
  max(abs(mx), abs(my))``: no t statistic exists for such data. Here the scale
  is the largest magnitude of the values compared, for paired runs too.
- R 4.2.2, ``t.test(c, b, alternative = "greater")$conf.int`` for the
  one-sided lower bounds quoted below, and ``t.test(c - 1.05 * b, alternative
  = "greater")$p.value`` for a relative change of 5%.
- statsmodels 0.15, ``ttost_paired(c, b, -m, m)`` and ``ttost_ind(c, b, -m,
  m, usevar="unequal")`` for equivalence (TOST).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from runfactory import sweep

from manifest.cli import main

NOISY = 0.1 + 0.2  # 0.30000000000000004: 0.3 up to rounding
# the same shift, in integers and in floats, on seeds 0..4
STEPS = {"ints": [1, 2, 3, 4, 5], "floats": [0.1, 0.2, 0.3, 0.4, 0.5]}
STEPS_UP = {"ints": [2, 3, 4, 5, 6], "floats": [0.2, 0.3, 0.4, 0.5, 0.6]}
# improved by 0.048 on every seed, give or take 0.002
ACC = [0.900, 0.910, 0.905, 0.915, 0.895, 0.910]
GAIN = [0.048, 0.050, 0.046, 0.049, 0.047, 0.048]
# a refactor that must not change results (TOST)
EQ_BASE = [0.912, 0.915, 0.910, 0.913, 0.911, 0.914]
EQ_CAND = [0.913, 0.914, 0.911, 0.913, 0.912, 0.915]
BASE = {
    "flat": [0.9] * 6,
    "same": [0.9] * 6,
    "noisy_same": [NOISY, 0.3, NOISY, 0.3, 0.3, NOISY],
    "mse": [1.0, 1.1, 0.9, 1.05, 0.95, 1.0],
    "uptime": [0.90, 0.91, 0.92, 0.90, 0.91, 0.92],
    "acc": ACC,
    "eq": EQ_BASE,
    **STEPS,
}
CAND = {
    "flat": [0.95] * 6,
    "same": [0.9] * 6,
    "noisy_same": [0.3] * 6,
    "mse": [1.3, 1.45, 1.2, 1.3, 1.25, 1.35],
    "uptime": [0.99, 0.98, 0.99, 0.97, 0.99, 0.98],
    "acc": [round(a + g, 6) for a, g in zip(ACC, GAIN, strict=True)],
    "eq": EQ_CAND,
    **STEPS_UP,
}
UP = {name: "higher" for name in ("flat", "same", "noisy_same", "acc", "ints", "floats", "score")}
DIRECTIONS = {**UP, "mse": "lower"}
# improved by 0.52, Welch 95% CI [0.3029593, 0.7370407], one-sided 0.3417673 (R)
SHIFT_BASE = [0.80, 1.20, 0.90, 1.10, 0.70, 1.30, 1.00, 1.00]
SHIFT_CAND = [1.35, 1.75, 1.30, 1.70, 1.30, 1.80, 1.50, 1.46]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("decisions")
    return {
        "base": sweep(root, "base", BASE, directions=DIRECTIONS),
        "cand": sweep(root, "cand", CAND, directions=DIRECTIONS),
        "two": sweep(root, "two", {"score": [0.80, 0.81]}, directions=UP),
        "two_up": sweep(root, "two_up", {"score": [0.95, 0.99]}, directions=UP),
        "shift_base": sweep(
            root, "shift_base", {"score": SHIFT_BASE, "eq": EQ_BASE}, directions=UP
        ),
        "shift_cand": sweep(
            root,
            "shift_cand",
            {"score": SHIFT_CAND, "eq": EQ_CAND},
            directions=UP,
            offset=100,
        ),
        "extra_key": sweep(
            root, "extra_key", CAND, directions=DIRECTIONS, extra=["+model.seed=${seed}"]
        ),
        "root": root,
    }


def first(folder: Path) -> Path:
    """One manifest of ``folder``: a side of one run."""
    return sorted(folder.glob("*.json"))[0]


def compare(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict[str, Any], str]:
    """The JSON and the text report of ``manifest compare ARGS``."""
    capsys.readouterr()
    assert main(["compare", *args, "--format", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert main(["compare", *args]) == 0
    return document, capsys.readouterr().out


def metric(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in document["metrics"] if m["metric"] == name)
    return found


def gate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, base: Path, cand: Path, policy: str
) -> tuple[int, dict[str, Any], str]:
    path = tmp_path / "policy.yaml"
    path.write_text(policy, encoding="utf-8")
    capsys.readouterr()
    args = ["gate", str(base), str(cand), "--policy", str(path)]
    code = main([*args, "--format", "json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert main(args) == code
    return code, report, capsys.readouterr().out


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in report["checks"] if c["id"] == check_id)
    return found


def test_constant_groups_have_no_t_statistic_whatever_the_float_noise(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # scipy's variance of [0.95] * 6 is 1e-32, which used to print t = 1.007e+15
    document, text = compare(capsys, str(runs["base"]), str(runs["cand"]))
    flat = metric(document, "flat")
    assert flat["tests"]["welch_t"]["statistic"] is None and flat["constant"] is True
    assert "Welch t: undefined: the data are essentially constant" in text
    assert "e+15" not in text and "< 2.2e-16" not in text.split("flat (")[1].split("\n\n")[0]
    assert flat["verdict"] == "candidate better by the same amount on every seed (no variance)"
    for name in ("same", "noisy_same"):  # 0.1 + 0.2 against 0.3 is no difference
        found = metric(document, name)
        assert found["verdict"] == "identical: every seed gives the same value on both sides"
        assert found["tests"]["mann_whitney"]["p_value"] is None  # every value tied
    assert metric(document, "noisy_same")["probability_of_improvement"] == 0.5


def test_paired_ints_and_floats_give_the_same_decision(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # [1..5] vs [2..6] used to be "undefined", [0.1..0.5] vs [0.2..0.6] t = 8e+15
    document, text = compare(capsys, str(runs["base"]), str(runs["cand"]))
    ints, floats = metric(document, "ints"), metric(document, "floats")
    assert ints["paired"] is floats["paired"] is True
    for found in (ints, floats):
        assert found["verdict"] == "candidate better by the same amount on every seed (no variance)"
        assert found["tests"]["paired_t"]["statistic"] is None
        assert found["tests"]["paired_t"]["constant"] is True
    # the rank tests see five tied differences in both: V = 15, normal approximation
    assert ints["tests"]["wilcoxon"] == floats["tests"]["wilcoxon"]
    assert ints["tests"]["wilcoxon"]["statistic"] == 15
    assert ints["tests"]["welch_t"]["p_value"] == pytest.approx(
        floats["tests"]["welch_t"]["p_value"], rel=1e-12
    )
    for name in ("ints", "floats"):
        block = text.split(f"\n{name} (")[1].split("\n\n")[0]
        assert "paired t: undefined: the data are essentially constant" in block


def test_one_run_against_one_is_never_better(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one, one_up = first(runs["two"]), first(runs["two_up"])
    document, text = compare(capsys, str(one), str(one_up))
    score = metric(document, "score")
    assert score["verdict"] == "inconclusive: fewer than 5 runs per side"
    assert "run 4 more baseline seeds and 4 more candidate seeds" in text
    assert score["bootstrap"] is None and score["effects"] == {}
    policy = "rules:\n  - {metric: score, threshold: 0.9, min_change: 0.1}\n"
    code, report, out = gate(capsys, tmp_path, one, one_up, policy)
    assert code == 1 and report["decision"] == "block"
    for check_id in ("score.threshold", "score.min_change"):
        assert check(report, check_id)["status"] == "inconclusive"
    assert check(report, "score.threshold")["action"] == "run 4 more candidate seeds"
    assert check(report, "score.min_change")["action"] == (
        "run 4 more baseline seeds and 4 more candidate seeds"
    )
    assert "INCONCL (block)" in out


def test_non_inferiority_at_two_runs_is_inconclusive_and_severity_decides(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Welch df 1.47 used to accept non-inferiority
    policy = "rules:\n  - {metric: score, non_inferiority_margin: 0.01, severity: warn}\n"
    code, report, _ = gate(capsys, tmp_path, runs["two"], runs["two_up"], policy)
    found = check(report, "score.non_inferiority")
    assert (code, report["decision"], found["status"]) == (0, "warn", "inconclusive")
    assert found["message"] == (
        "inconclusive: 2 baseline, 2 candidate run(s); the policy needs at least 5 per side"
    )
    policy = "min_runs: 2\nrules:\n  - {metric: score, non_inferiority_margin: 0.01}\n"
    code, report, _ = gate(capsys, tmp_path, runs["two"], runs["two_up"], policy)
    assert check(report, "score.non_inferiority")["status"] == "pass"  # the policy allows it


def test_the_decision_does_not_depend_on_file_order_or_names(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = sorted(runs["shift_base"].glob("*.json"))
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for i, path in enumerate(reversed(base)):  # other names, the other order
        shutil.copy(path, renamed / f"{i:02d}-{path.name}")
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(str(p) for p in reversed(base)) + "\n")
    cand = str(runs["shift_cand"])
    first, _ = compare(capsys, str(runs["shift_base"]), cand)
    for side in (str(renamed), f"@{listing}"):
        other, _ = compare(capsys, side, cand)
        assert other["metrics"] == first["metrics"]
    boot = metric(first, "score")["bootstrap"]
    assert boot["resamples"] == 10_000 and boot["monte_carlo_se"] > 0


def test_min_change_is_a_lower_confidence_bound(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = "rules:\n  - {metric: score, min_change: 0.5}\n"
    code, report, _ = gate(capsys, tmp_path, runs["shift_base"], runs["shift_cand"], policy)
    found = check(report, "score.min_change")
    assert code == 1 and found["status"] == "fail" and report["paired"] is False
    # R: t.test(c, b, alternative = "greater")$conf.int[1] = 0.3417672842
    assert found["evidence"]["improvement_lower_bound"] == pytest.approx(0.3417672842, abs=1e-9)
    assert found["message"] == (
        "improved by 0.52, but its 0.95 lower bound 0.341767 is short of the required 0.5 "
        "(Welch two-sample t-test, one-sided p = 0.4231)"
    )
    assert found["action"].startswith("the interval is too wide to show it: run about ")
    policy = "rules:\n  - {metric: score, min_change: 0.5, point_estimate: true}\n"
    code, report, _ = gate(capsys, tmp_path, runs["shift_base"], runs["shift_cand"], policy)
    found = check(report, "score.min_change")
    assert (code, found["status"]) == (0, "pass")
    assert (
        found["message"]
        == "improved by 0.52, reaching the required 0.5 (means only: point_estimate)"
    )


def test_a_small_improvement_is_not_called_a_regression(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra, action in (
        ("", "the candidate does not improve enough: improve it, or lower min_change"),
        (", point_estimate: true", "improve the candidate, or lower min_change"),
    ):
        policy = f"rules:\n  - {{metric: acc, min_change: 0.05{extra}}}\n"
        code, report, _ = gate(capsys, tmp_path, runs["base"], runs["cand"], policy)
        found = check(report, "acc.min_change")
        assert code == 1 and found["action"] == action
        assert found["message"].startswith("improved by 0.048, short of the required 0.05")
        assert "regress" not in found["message"] + found["action"]


def test_directions_are_read_from_the_runs_never_guessed(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    document, text = compare(capsys, str(runs["base"]), str(runs["cand"]))
    mse, uptime = metric(document, "mse"), metric(document, "uptime")
    assert (mse["direction"], mse["direction_source"]) == ("lower", "declared by the runs")
    assert mse["verdict"] == "candidate worse"  # mse went up: a name guess said "better"
    assert uptime["direction"] is None
    assert uptime["verdict"] == "candidate higher (direction not declared)"
    assert "no direction is declared for 'uptime'" in text
    assert "manifest.metrics: {uptime: higher}" in text
    share = uptime["effects"]["probability_of_improvement"]
    assert "P(candidate higher) = " in text and share["value"] == pytest.approx(
        uptime["probability_of_improvement"]
    )


@pytest.mark.parametrize(
    ("args", "found"),
    [
        pytest.param(["--direction", "mse=higher"], "lower", id="flag"),
        pytest.param(["--policy", "POLICY"], "lower", id="policy"),
    ],
)
def test_a_direction_conflict_is_an_error(
    runs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    found: str,
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules:\n  - {metric: mse, direction: higher, max: 10}\n")
    args = [str(policy) if a == "POLICY" else a for a in args]
    capsys.readouterr()
    assert main(["compare", str(runs["base"]), str(runs["cand"]), *args]) == 2
    err = capsys.readouterr().err
    assert "metric 'mse' has two directions: lower (declared by the runs" in err
    assert "Traceback" not in err
    assert main(["gate", str(runs["base"]), str(runs["cand"]), "--policy", str(policy)]) == 2
    assert "has two directions" in capsys.readouterr().err


def test_runs_pair_by_the_declared_seed_key_only(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # the candidate's config also has model.seed: ${seed}; both ran seeds 0..5
    document, text = compare(capsys, str(runs["base"]), str(runs["extra_key"]))
    assert document["paired"] is True
    assert document["pairing"] == "paired by seed ('seed'): both sides ran the same seeds"
    seeds = document["candidate"]["runs"][0]["seeds"]
    assert seeds["model.seed"] == seeds["seed"]  # a second seed-like key, ignored
    assert "paired t:" in text


def test_copies_of_a_run_count_once(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    side = tmp_path / "with-copies"
    shutil.copytree(runs["base"], side)
    original = first(side)
    for name in ("copy-1.json", "copy-2.json"):  # the same run under other names
        shutil.copy(original, side / name)
    plain, _ = compare(capsys, str(runs["base"]), str(runs["cand"]))
    copied, text = compare(capsys, str(side), str(runs["cand"]))
    assert copied["paired"] is True and copied["metrics"] == plain["metrics"]
    assert len(copied["baseline"]["copies"]) == 2
    assert "2 baseline manifest(s) are copies of a run (same digest)" in text
    policy = "rules:\n  - {metric: acc, min_change: 0.04}\n"
    code, report, _ = gate(capsys, tmp_path, side, runs["cand"], policy)
    # counted once, and the gate says so: a warning, not a block
    assert code == 0 and report["decision"] == "warn"
    assert [c["id"] for c in report["checks"] if c["outcome"] != "accept"] == ["copies.baseline"]


@pytest.mark.parametrize(
    ("sides", "margin", "p_value", "status"),
    [
        pytest.param(("base", "cand"), 0.005, 2.2497636896035604e-05, "pass", id="paired"),
        pytest.param(("base", "cand"), 0.001, 0.1015553318600278, "fail", id="paired-narrow"),
        pytest.param(
            ("shift_base", "shift_cand"), 0.005, 0.0005111643396280407, "pass", id="welch"
        ),
        pytest.param(
            ("shift_base", "shift_cand"), 0.001, 0.30685438492650596, "fail", id="welch-narrow"
        ),
    ],
)
def test_equivalence_is_tost_as_statsmodels(
    runs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    sides: tuple[str, str],
    margin: float,
    p_value: float,
    status: str,
) -> None:
    policy = f"rules:\n  - {{metric: eq, equivalence: {margin}}}\n"  # no direction needed
    code, report, _ = gate(capsys, tmp_path, runs[sides[0]], runs[sides[1]], policy)
    found = check(report, "eq.equivalence")
    assert found["status"] == status and code == (0 if status == "pass" else 1)
    assert found["evidence"]["p_value"] == pytest.approx(p_value, rel=1e-9)
    word = "lies" if status == "pass" else "does not lie"
    message = found["message"]
    assert "90% interval [" in message and f"] {word} within ±{margin:g}" in message
    if status == "fail":
        assert found["action"].startswith("the interval is too wide to show it: run about ")


@pytest.mark.parametrize(
    ("r", "status", "p_value", "verb"),
    [
        pytest.param(0.05, "pass", 0.00152731711933, "is shown to reach", id="5%"),
        pytest.param(0.06, "fail", 0.999974174495, "is not shown to reach", id="6%"),
    ],
)
def test_min_relative_change_is_a_test_of_c_minus_1_plus_r_times_b(
    runs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    r: float,
    status: str,
    p_value: float,
    verb: str,
) -> None:
    policy = f"rules:\n  - {{metric: acc, min_relative_change: {r}}}\n"
    _, report, _ = gate(capsys, tmp_path, runs["base"], runs["cand"], policy)
    found = check(report, "acc.min_relative_change")
    assert found["status"] == status
    assert found["evidence"]["p_value"] == pytest.approx(p_value, rel=1e-9)
    assert found["message"].startswith(f"relative improvement 5.2990% {verb} {r:.4%}")


def six(value: float) -> str:
    """A number as the gate prints it: 6 significant digits."""
    return f"{value:.6g}"


@pytest.mark.parametrize(
    ("sides", "end"),
    [
        pytest.param(("base", "cand"), 1, id="upper-end-on-the-margin"),
        pytest.param(("cand", "base"), 0, id="lower-end-on-the-margin"),
    ],
)
def test_equivalence_needs_the_interval_strictly_inside_the_margin(
    runs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    sides: tuple[str, str],
    end: int,
) -> None:
    """``equivalence: m`` passes when the 90% interval lies inside (-m, m), ends
    excluded: a margin equal to an end of the interval fails. The texts say
    which interval, which test and what to do."""
    base, cand = runs[sides[0]], runs[sides[1]]
    policy = "rules:\n  - {metric: eq, equivalence: 1}\n"
    code, report, _ = gate(capsys, tmp_path, base, cand, policy)
    wide = check(report, "eq.equivalence")
    low, high = wide["evidence"]["interval"]
    diff, p = wide["evidence"]["difference"], wide["evidence"]["p_value"]
    assert code == 0 and wide["status"] == "pass" and "action" not in wide
    assert low < diff < high and (high > -low if end == 1 else -low > high)
    assert wide["message"] == (
        f"difference {six(diff)}, 90% interval [{six(low)}, {six(high)}] lies within ±1 "
        f"(TOST, Paired t-test, p = {p:.4g})"
    )
    assert wide["expected"] == "within (-1, 1)" and wide["found"] == f"[{six(low)}, {six(high)}]"
    assert wide["evidence"]["margin"] == 1 and wide["evidence"]["confidence"] == 0.95
    # TOST: the larger p of the two one-sided tests, each against one end
    p_lower, p_upper = wide["evidence"]["p_lower"], wide["evidence"]["p_upper"]
    assert p == max(p_lower, p_upper) and p_lower != p_upper

    margin = abs([low, high][end])  # repr() of a float reads back as the same float
    code, report, _ = gate(
        capsys, tmp_path, base, cand, f"rules:\n  - {{metric: eq, equivalence: {margin!r}}}\n"
    )
    edge = check(report, "eq.equivalence")
    assert code == 1 and edge["status"] == "fail" and edge["evidence"]["interval"] == [low, high]
    assert "does not lie within" in edge["message"]
    # |difference| < margin: more seeds would narrow the interval enough
    assert edge["action"].startswith("the interval is too wide to show it: run about ")


def test_equivalence_beyond_the_margin_and_without_variance(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = "rules:\n  - {metric: eq, equivalence: 0.0001}\n  - {metric: same, equivalence: 0.01}"
    code, report, _ = gate(capsys, tmp_path, runs["base"], runs["cand"], policy)
    beyond = check(report, "eq.equivalence")
    assert code == 1 and beyond["status"] == "fail"
    assert abs(beyond["evidence"]["difference"]) > 0.0001
    assert beyond["action"] == "the candidate differs by more than the margin"
    flat = check(report, "same.equivalence")
    assert flat["status"] == "pass" and flat["evidence"]["interval"] == [0, 0]
    assert flat["message"] == (
        "difference 0, 90% interval [0, 0] lies within ±0.01 "
        "(no variance across the runs: the interval is the observed difference)"
    )
    assert flat["evidence"]["p_value"] is None and flat["found"] == "[0, 0]"


def test_a_metric_missing_from_the_runs_is_inconclusive_for_each_criterion(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = "rules:\n  - {metric: loss, direction: lower, threshold: 1, min_change: 0.1}\n"
    code, report, text = gate(capsys, tmp_path, runs["base"], runs["cand"], policy)
    assert code == 1 and report["decision"] == "block"
    found = [c for c in report["checks"] if c["metric"] == "loss"]
    assert [c["id"] for c in found] == ["loss.threshold", "loss.min_change"]
    for c in found:
        assert c["status"] == "undefined"
        assert c["message"] == "metric 'loss' is missing from the baseline and candidate runs"
        assert (c["expected"], c["found"]) == ("the metric in every group", "missing")
        assert c["action"] == "record the metric in the runs"
    assert "metric 'loss' is missing from the baseline and candidate runs" in text


def test_a_metric_missing_from_one_side_names_that_side(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = "rules:\n  - {metric: eq, min_change: 0}\n"  # eq: in base and shift_cand only
    _, report, _ = gate(capsys, tmp_path, runs["two"], runs["shift_cand"], policy)
    found = check(report, "eq.min_change")
    assert found["message"] == "metric 'eq' is missing from the baseline runs"


def test_a_rule_that_needs_a_direction_says_how_to_declare_one(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """uptime has no declared direction: a threshold or a change cannot be
    judged, a min can."""
    policy = "rules:\n  - {metric: uptime, threshold: 0.5, min_change: 0, min: 0.5}\n"
    code, report, _ = gate(capsys, tmp_path, runs["base"], runs["cand"], policy)
    assert code == 1 and report["decision"] == "block"
    for kind in ("threshold", "min_change"):
        found = check(report, f"uptime.{kind}")
        assert found["status"] == "undefined" and found["kind"] == kind
        assert found["message"] == (
            "undefined: no direction is declared for 'uptime', so no side is called better or "
            "worse: declare it in the run config (manifest.metrics: {uptime: higher}, or "
            "lower), in the policy's rule, or with --direction uptime=higher|lower"
        )
        assert (found["expected"], found["found"]) == ("a declared direction", "none")
        assert found["action"] == (
            "add direction: higher|lower to the rule, or declare uptime in manifest.metrics "
            "of the run config"
        )
    assert check(report, "uptime.min")["status"] == "pass"


def test_the_gate_compares_the_policys_metrics_found_on_both_sides(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Only metrics that a rule names and both sides record are compared
    (eq: in the candidate runs only), at the policy's confidence."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "confidence: 0.9\nrules:\n  - {metric: score, min: 0}\n  - {metric: eq, min: 0}\n"
    )
    capsys.readouterr()
    argv = ["gate", str(runs["two"]), str(runs["shift_cand"]), "--policy", str(policy)]
    assert main([*argv, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    [score] = report["metrics"]
    assert score["metric"] == "score"
    welch = score["tests"]["welch_t"]
    assert welch["confidence"] == 0.9
    assert check(report, "eq.min")["message"] == "metric 'eq' is missing from the baseline runs"


def test_a_difference_within_float_rounding_is_unchanged(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """noisy_same differs from 0.3 by rounding only (0.1 + 0.2): the gate
    says "unchanged", not "regressed by 5.55112e-17"."""
    policy = "rules:\n  - {metric: noisy_same, min_change: 0, non_inferiority_margin: 0.01}\n"
    code, report, _ = gate(capsys, tmp_path, runs["base"], runs["cand"], policy)
    assert code == 0
    for kind in ("min_change", "non_inferiority"):
        message = check(report, f"noisy_same.{kind}")["message"]
        assert message.startswith("unchanged; its 0.95 lower bound "), message


def test_relative_change_of_unpaired_runs_is_welchs_test_of_c_minus_w_b(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Runs not paired by seed: Welch's test of candidate - 1.3 x baseline,
    which is SciPy's Welch test of the candidate against 1.3 x the baseline."""
    from scipy import stats

    policy = "rules:\n  - {metric: score, min_relative_change: 0.3}\n"
    code, report, _ = gate(capsys, tmp_path, runs["shift_base"], runs["shift_cand"], policy)
    found = check(report, "score.min_relative_change")
    evidence = found["evidence"]
    assert report["paired"] is False and evidence["test"] == "welch_t"
    assert evidence["method"] == "Welch t-test of candidate - 1.3 x baseline"
    scaled = [1.3 * b for b in SHIFT_BASE]
    ref = stats.ttest_ind(SHIFT_CAND, scaled, equal_var=False, alternative="greater")
    assert evidence["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert evidence["statistic"] == pytest.approx(ref.statistic, rel=1e-9)
    assert found["status"] == ("pass" if ref.pvalue <= 0.05 else "fail")
    assert code == (0 if ref.pvalue <= 0.05 else 1)
