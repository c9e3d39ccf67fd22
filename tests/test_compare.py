"""``manifest compare`` end to end, on manifests recorded by real runs.

The values are R's reference data (see tests/test_stats.py for the sources):
the ``sleep`` data and the Hollander & Wolfe examples of ?wilcox.test. R's
difference is x - y with x the candidate here, so the printed signs match R's.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from runfactory import chdir, sweep
from test_stats import HW_EARLY, HW_TERM, HW_VISIT_1, HW_VISIT_2, SLEEP_1, SLEEP_2, sig

from manifest.cli import main
from manifest.comparison.stats import holm
from manifest.core.canonical import pretty_bytes


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    return {
        # same seeds 0..9 on both sides: paired
        "paired_base": sweep(root, "paired_base", {"extra": SLEEP_2, "visit": HW_VISIT_2}),
        "paired_cand": sweep(root, "paired_cand", {"extra": SLEEP_1, "visit": HW_VISIT_1}),
        # seeds 0..9 against 100..109: not paired
        "base": sweep(root, "base", {"extra": SLEEP_2, "perm": HW_EARLY}),
        "cand": sweep(root, "cand", {"extra": SLEEP_1, "perm": HW_TERM}, offset=100),
        "with_failure": sweep(
            root, "with_failure", {"extra": SLEEP_1[:6]}, offset=100, fail_seed=102
        ),
        "root": root,
    }


def compare_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["compare", *args, "--format", "json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def metric(result: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in result["metrics"] if m["metric"] == name)
    return found


def test_welch_student_and_mann_whitney_match_r(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    result = compare_json(capsys, str(runs["base"]), str(runs["cand"]), "--metric", "extra")
    assert result["paired"] is False
    extra = metric(result, "extra")
    welch, student, mw = (extra["tests"][k] for k in ("welch_t", "student_t", "mann_whitney"))
    assert (sig(welch["statistic"], 5), sig(welch["df"], 5), sig(welch["p_value"], 4)) == (
        "-1.8608",
        "17.776",
        "0.07939",
    )
    assert welch["interval"] == pytest.approx([-3.3654832, 0.2054832], abs=5e-8)
    assert (sig(student["statistic"], 5), student["df"], sig(student["p_value"], 4)) == (
        "-1.8608",
        18,
        "0.07919",
    )
    assert student["interval"] == pytest.approx([-3.363874, 0.203874], abs=5e-7)
    assert mw["statistic"] == 25.5 and sig(mw["p_value"], 4) == "0.06933"
    assert "continuity" in mw["method"]  # ties: R's normal approximation
    assert (extra["baseline"]["mean"], extra["candidate"]["mean"]) == pytest.approx((2.33, 0.75))
    assert extra["difference"] == pytest.approx(-1.58)
    assert "paired_t" not in extra["tests"]


def test_exact_mann_whitney_matches_r(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    result = compare_json(capsys, str(runs["base"]), str(runs["cand"]), "--metric", "perm")
    perm = metric(result, "perm")
    mw = perm["tests"]["mann_whitney"]
    # R: W = 35, p-value = 0.1272 one-sided ("greater"); two-sided = 2 x 0.1272061
    assert mw["statistic"] == 35 and sig(mw["p_value"], 4) == "0.2544"
    assert "exact" in mw["method"]
    assert (perm["baseline"]["n"], perm["candidate"]["n"]) == (5, 10)
    assert any("5 baseline run(s) have no metric 'perm'" in w for w in perm["warnings"])


def test_paired_tests_match_r(runs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    result = compare_json(capsys, str(runs["paired_base"]), str(runs["paired_cand"]))
    assert result["paired"] is True
    extra = metric(result, "extra")
    paired, wilcoxon = extra["tests"]["paired_t"], extra["tests"]["wilcoxon"]
    assert (sig(paired["statistic"], 5), paired["df"], sig(paired["p_value"], 4)) == (
        "-4.0621",
        9,
        "0.002833",
    )
    assert paired["interval"] == pytest.approx([-2.4598858, -0.7001142], abs=5e-8)
    assert wilcoxon["statistic"] == 0 and sig(wilcoxon["p_value"], 4) == "0.009091"
    visit = metric(result, "visit")
    exact = visit["tests"]["wilcoxon"]
    # R: V = 40, p-value = 0.01953 one-sided ("greater"); two-sided 0.03906
    assert exact["statistic"] == 40 and sig(exact["p_value"], 4) == "0.03906"
    assert "exact" in exact["method"]
    assert extra["primary_test"] == "paired_t"


def test_holm_is_applied_across_metrics(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    result = compare_json(capsys, str(runs["paired_base"]), str(runs["paired_cand"]))
    for test in ("welch_t", "mann_whitney", "paired_t", "wilcoxon"):
        raw = [m["tests"][test]["p_value"] for m in result["metrics"]]
        assert [m["holm"][test] for m in result["metrics"]] == pytest.approx(holm(raw))
    # with one metric there is nothing to correct
    single = compare_json(
        capsys, str(runs["paired_base"]), str(runs["paired_cand"]), "--metric", "extra"
    )
    extra = metric(single, "extra")
    assert extra["holm"]["paired_t"] == extra["tests"]["paired_t"]["p_value"]


def test_text_report_prints_r_precision(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["compare", str(runs["base"]), str(runs["cand"]), "-M", "extra"]) == 0
    out = capsys.readouterr().out
    assert "Welch t: t = -1.8608, df = 17.776, p-value = 0.07939" in out
    assert "Student t: t = -1.8608, df = 18, p-value = 0.07919" in out
    assert "Mann-Whitney: W = 25.5, p-value = 0.06933" in out
    assert "95% CI [-3.365483, 0.2054832]" in out
    assert "extra (direction not declared)" in out
    assert "no direction is declared for 'extra'" in out
    assert "not paired: the two sides ran different seeds" in out


def test_directions_flip_probability_and_verdict(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = (str(runs["paired_base"]), str(runs["paired_cand"]), "-M", "extra")
    undeclared = metric(compare_json(capsys, *args), "extra")
    higher = metric(compare_json(capsys, *args, "--direction", "extra=higher"), "extra")
    lower = metric(compare_json(capsys, *args, "--direction", "extra=lower"), "extra")
    assert undeclared["verdict"] == "candidate lower (direction not declared)"
    assert undeclared["direction"] is None and undeclared["direction_source"] == "not declared"
    assert higher["verdict"] == "candidate worse" and lower["verdict"] == "candidate better"
    assert higher["probability_of_improvement"] + lower["probability_of_improvement"] == (
        pytest.approx(1.0)
    )
    assert lower["direction_source"] == "--direction"


def test_the_report_is_reproducible(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = (str(runs["base"]), str(runs["cand"]), "--seed", "3")
    first, second = compare_json(capsys, *args), compare_json(capsys, *args)
    assert first == second
    boot = metric(first, "extra")["bootstrap"]
    assert "seed 3" in boot["method"] and boot["low"] < -1.58 < boot["high"]


def test_sides_as_globs_lists_and_list_files(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base_files = sorted(runs["base"].glob("*.json"))
    cand_files = sorted(runs["cand"].glob("*.json"))
    listing = runs["root"] / "cand.txt"
    listing.write_text("# candidate runs\n" + "\n".join(map(str, cand_files)) + "\n")
    by_glob = compare_json(capsys, f"{runs['base']}/*.json", f"@{listing}", "-M", "extra")
    by_list = compare_json(capsys, ",".join(map(str, base_files)), str(runs["cand"]), "-M", "extra")
    by_options = compare_json(
        capsys,
        "--baseline",
        *map(str, base_files),
        "--candidate",
        *map(str, cand_files),
        "-M",
        "extra",
    )
    assert metric(by_glob, "extra") == metric(by_list, "extra") == metric(by_options, "extra")


def test_failed_and_edited_runs_are_skipped(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    side = tmp_path / "side"
    shutil.copytree(runs["with_failure"], side)
    edited = json.loads(next(side.glob("*.json")).read_text())
    edited["metrics"]["extra"] = 99.0
    edited["run_id"] = edited["run_id"][:-8] + "deadbeef"
    (side / "edited.json").write_bytes(pretty_bytes(edited))
    result = compare_json(capsys, str(runs["base"]), str(side), "-M", "extra")
    reasons = sorted(s["reason"] for s in result["candidate"]["skipped"])
    assert reasons == [
        "status failed, not completed",
        "the digest does not match the content: the manifest was edited",
    ]
    assert metric(result, "extra")["candidate"]["n"] == 5


def test_small_samples_are_flagged(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ",".join(map(str, sorted(runs["base"].glob("*.json"))[:3]))
    capsys.readouterr()
    assert main(["compare", base, str(runs["cand"]), "-M", "extra"]) == 0
    out = capsys.readouterr().out
    assert "at least 5 runs per side are needed" in out and "[n < 5: not reliable]" in out
    assert "run 2 more baseline seeds" in out
    assert "verdict: inconclusive" in out
    result = compare_json(capsys, base, str(runs["cand"]), "-M", "extra")
    assert metric(result, "extra")["small_sample"] is True


def test_markdown(runs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert (
        main(
            ["compare", str(runs["paired_base"]), str(runs["paired_cand"]), "--format", "markdown"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("### manifest compare: 10 candidate vs 10 baseline runs")
    assert "| `extra` | not declared |" in out and "paired t" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["-M", "nope"], "no baseline run reports metric 'nope'", id="unknown-metric"),
        pytest.param(["--direction", "extra=up"], "bad --direction", id="bad-direction"),
        pytest.param(["--confidence", "1.5"], "bad confidence level", id="bad-confidence"),
    ],
)
def test_usage_errors_exit_2(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main(["compare", str(runs["base"]), str(runs["cand"]), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_side_and_empty_side_exit_2(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(tmp_path / "nowhere"), str(runs["cand"])]) == 2
    assert "no such file, folder or pattern" in capsys.readouterr().err
    failed_only = tmp_path / "failed"
    failed_only.mkdir()
    for path in runs["with_failure"].glob("*.json"):
        if json.loads(path.read_text())["status"] == "failed":
            shutil.copy(path, failed_only)
    assert main(["compare", str(runs["base"]), str(failed_only)]) == 2
    assert "no completed run in the candidate" in capsys.readouterr().err
    assert main(["compare", str(runs["base"])]) == 2
    assert "give the two sides" in capsys.readouterr().err


def test_plot_without_matplotlib_names_the_extra(
    runs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    capsys.readouterr()
    code = main(
        ["compare", str(runs["base"]), str(runs["cand"]), "--plot", str(tmp_path / "c.png")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--plot needs matplotlib" in err and "hydra-manifest[plot]" in err
    assert not (tmp_path / "c.png").exists()


def test_plot_draws_a_png(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "compare.png"
    with chdir(tmp_path):
        assert (
            main(
                [
                    "compare",
                    str(runs["paired_base"]),
                    str(runs["paired_cand"]),
                    "--plot",
                    str(target),
                ]
            )
            == 0
        )
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_effect_sizes_and_the_seeds_needed_match_r(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # R 4.2.2: effectsize::hedges_g(x, y) on sleep = -0.796935239191 [-1.66517166633,
    # 0.0914077686653]; wilcox.test(x, y, conf.int = TRUE)$conf.int = [-3.59994709104,
    # 0.0999535598809] (uniroot, within 1e-4); power.t.test(delta = 1.58, sd =
    # 1.89862523363, power = 0.8)$n = 23.6672539072, so 24 seeds per side
    args = (str(runs["base"]), str(runs["cand"]), "-M", "extra")
    extra = metric(compare_json(capsys, *args), "extra")
    g, hl = extra["effects"]["hedges_g"], extra["effects"]["hodges_lehmann"]
    assert (g["value"], g["low"], g["high"]) == pytest.approx(
        (-0.796935239191, -1.66517166633, 0.0914077686653), abs=1e-6
    )
    assert (hl["low"], hl["high"]) == pytest.approx((-3.59994709104, 0.0999535598809), abs=1e-4)
    assert extra["verdict"] == "no significant difference"
    capsys.readouterr()
    assert main(["compare", *args]) == 0
    out = capsys.readouterr().out
    assert "Hedges' g = -0.7969, 95% CI [-1.665, 0.09141] (pooled sd, noncentral t interval)" in out
    assert "Hodges-Lehmann shift = -1.35, 95% CI [-3.6, 0.1]" in out
    assert "Cliff's delta = -0.49, 95% CI [" in out
    assert (
        "to resolve it: about 24 seeds per side to resolve a difference of 1.58 at this "
        "spread (sd 1.9; 80% power, two-sided 5%)" in out
    )
    assert "the bootstrap interval undercovers with n = 10 per side" in out
    assert "Monte Carlo error" in out
