"""``manifest gate``: every rule kind, both outcomes, undefined cases, formats
and policy errors, on manifests recorded by real runs (paired by seed) whose
configs declare the metrics' directions (``manifest.metrics``).

Paired differences of the fixture (candidate - baseline): accuracy
[0.05, 0.06, 0.04, 0.06, 0.04, 0.06], mean 0.051667, sd 0.0098319, so the
one-sided 95% lower bound of the improvement is 0.051667 - t(0.95, 5) *
0.0098319 / sqrt(6) = 0.043579 (R: ``t.test(c, b, paired = TRUE, alternative =
"greater", conf.level = 0.95)$conf.int``); latency_ms [5, 4, 3, 6, 7, 2]
(lower is better: improvement -4.5, sd 1.8708, lower bound -6.0391)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from runfactory import sweep

from manifest.cli import main
from manifest.core.canonical import pretty_bytes

BASE = {
    "accuracy": [0.80, 0.81, 0.79, 0.80, 0.82, 0.78],
    "latency_ms": [40, 42, 41, 39, 40, 41],
    "zero_base": [-1, 1, -1, 1, 0, 0],
    "neg_base": [-2, -1, -3, -2, -2, -2],
    "same": [1, 2, 3, 4, 5, 6],
}
CAND = {
    "accuracy": [0.85, 0.87, 0.83, 0.86, 0.86, 0.84],
    "latency_ms": [45, 46, 44, 45, 47, 43],
    "zero_base": [1, 1, 1, 2, 1, 1],
    "neg_base": [-1, -1, -2, -1, -1, -1],
    "same": [1, 2, 3, 4, 5, 6],
}
DIRECTIONS = {
    "accuracy": "higher",
    "latency_ms": "lower",
    "zero_base": "higher",
    "neg_base": "higher",
    "same": "higher",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("gate")
    return {
        "base": sweep(root, "base", BASE, directions=DIRECTIONS),
        "cand": sweep(root, "cand", CAND, directions=DIRECTIONS),
        "root": root,
    }


def write_policy(folder: Path, text: str) -> Path:
    path = folder / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def gate_json(
    runs: dict[str, Path], policy: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(
        [
            "gate",
            str(runs["base"]),
            str(runs["cand"]),
            "--policy",
            str(policy),
            "--format",
            "json",
            *extra,
        ]
    )
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, report


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in report["checks"] if c["id"] == check_id)
    return found


RULES = [
    # (rule, check id, status, decision)
    (
        "{metric: accuracy, direction: higher, threshold: 0.84}",
        "accuracy.threshold",
        "pass",
        "accept",
    ),
    (
        "{metric: accuracy, direction: higher, threshold: 0.9}",
        "accuracy.threshold",
        "fail",
        "block",
    ),
    (
        "{metric: latency_ms, direction: lower, threshold: 50}",
        "latency_ms.threshold",
        "pass",
        "accept",
    ),
    (
        "{metric: latency_ms, direction: lower, threshold: 44}",
        "latency_ms.threshold",
        "fail",
        "block",
    ),
    ("{metric: accuracy, min: 0.8}", "accuracy.min", "pass", "accept"),
    ("{metric: accuracy, min: 0.9}", "accuracy.min", "fail", "block"),
    ("{metric: latency_ms, max: 50}", "latency_ms.max", "pass", "accept"),
    ("{metric: latency_ms, max: 40}", "latency_ms.max", "fail", "block"),
    # min_change: the lower bound 0.043579 of the improvement must reach it
    ("{metric: accuracy, min_change: 0.0435}", "accuracy.min_change", "pass", "accept"),
    ("{metric: accuracy, min_change: 0.0436}", "accuracy.min_change", "fail", "block"),
    (
        "{metric: accuracy, min_change: 0.05, point_estimate: true}",
        "accuracy.min_change",
        "pass",
        "accept",
    ),
    ("{metric: accuracy, min_change: 0.05}", "accuracy.min_change", "fail", "block"),
    ("{metric: latency_ms, min_change: -6.03}", "latency_ms.min_change", "fail", "block"),
    ("{metric: latency_ms, min_change: -6.04}", "latency_ms.min_change", "pass", "accept"),
    (
        "{metric: latency_ms, min_change: -5, point_estimate: true}",
        "latency_ms.min_change",
        "pass",
        "accept",
    ),
    (
        "{metric: latency_ms, min_change: -4, point_estimate: true}",
        "latency_ms.min_change",
        "fail",
        "block",
    ),
    (
        "{metric: accuracy, min_relative_change: 0.05}",
        "accuracy.min_relative_change",
        "pass",
        "accept",
    ),
    (
        "{metric: accuracy, min_relative_change: 0.1}",
        "accuracy.min_relative_change",
        "fail",
        "block",
    ),
    (
        "{metric: accuracy, non_inferiority_margin: 0.0}",
        "accuracy.non_inferiority",
        "pass",
        "accept",
    ),
    (
        "{metric: latency_ms, non_inferiority_margin: 10}",
        "latency_ms.non_inferiority",
        "pass",
        "accept",
    ),
    (
        "{metric: latency_ms, non_inferiority_margin: 1}",
        "latency_ms.non_inferiority",
        "fail",
        "block",
    ),
    ("{metric: same, non_inferiority_margin: 0.1}", "same.non_inferiority", "pass", "accept"),
    (
        "{metric: same, non_inferiority_margin: 0, min_change: 0}",
        "same.non_inferiority",
        "fail",
        "block",
    ),
    ("{metric: accuracy, threshold: 0.9, severity: warn}", "accuracy.threshold", "fail", "warn"),
    (
        "{metric: zero_base, min_relative_change: 0}",
        "zero_base.min_relative_change",
        "undefined",
        "block",
    ),
    (
        "{metric: neg_base, min_relative_change: 0, severity: warn}",
        "neg_base.min_relative_change",
        "undefined",
        "warn",
    ),
    ("{metric: f1, threshold: 0.5}", "f1.threshold", "undefined", "block"),
    # exactly on the line: "same" has mean 3.5 on both sides and no variance
    ("{metric: same, threshold: 3.5}", "same.threshold", "pass", "accept"),
    ("{metric: same, threshold: 3.5000001}", "same.threshold", "fail", "block"),
    ("{metric: same, min: 3.5}", "same.min", "pass", "accept"),
    ("{metric: same, max: 3.5}", "same.max", "pass", "accept"),
    ("{metric: same, max: 3.4999999}", "same.max", "fail", "block"),
    ("{metric: same, min_change: 0}", "same.min_change", "pass", "accept"),
    ("{metric: same, min_change: 0.0000001}", "same.min_change", "fail", "block"),
    ("{metric: same, min_change: 0, point_estimate: true}", "same.min_change", "pass", "accept"),
    ("{metric: same, non_inferiority_margin: 0}", "same.non_inferiority", "fail", "block"),
    ("{metric: same, equivalence: 0.0000001}", "same.equivalence", "pass", "accept"),
    ("{metric: same, min_relative_change: 0}", "same.min_relative_change", "pass", "accept"),
    ("{metric: latency_ms, equivalence: 4}", "latency_ms.equivalence", "fail", "block"),
    ("{metric: latency_ms, equivalence: 7}", "latency_ms.equivalence", "pass", "accept"),
]


@pytest.mark.parametrize(
    ("rule", "check_id", "status", "decision"),
    RULES,
    ids=[f"{r[1]}-{r[2]}-{i}" for i, r in enumerate(RULES)],
)
def test_rule_kinds(
    runs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rule: str,
    check_id: str,
    status: str,
    decision: str,
) -> None:
    policy = write_policy(tmp_path, f"rules:\n  - {rule}\n")
    code, report = gate_json(runs, policy, capsys)
    assert check(report, check_id)["status"] == status
    assert report["decision"] == decision
    assert code == (1 if decision == "block" else 0)


def test_evidence_of_each_rule(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = write_policy(
        tmp_path,
        """
confidence: 0.9
rules:
  - {metric: latency_ms, direction: lower, non_inferiority_margin: 1, min_change: -4}
  - {metric: zero_base, min_relative_change: 0.1}
""",
    )
    code, report = gate_json(runs, policy, capsys)
    assert code == 1 and report["paired"] is True
    ni = check(report, "latency_ms.non_inferiority")
    assert ni["evidence"]["test"] == "paired_t" and ni["evidence"]["confidence"] == 0.9
    assert ni["evidence"]["improvement"] == pytest.approx(-4.5)
    assert ni["evidence"]["improvement_lower_bound"] < -1 and ni["evidence"]["p_value"] > 0.1
    assert ni["action"] == "the candidate is worse by more than the margin"
    change = check(report, "latency_ms.min_change")
    # one-sided 90% bound: -4.5 - qt(0.9, 5) * 1.8708287 / sqrt(6) = -5.627227
    assert change["found"] == "-5.62723" and change["expected"] == "lower bound >= -4"
    assert change["message"].startswith("regressed by 4.5, more than the 4 allowed")
    assert change["action"] == (
        "the candidate does not improve enough: improve it, or lower min_change"
    )
    undefined = check(report, "zero_base.min_relative_change")
    assert "relative change undefined: the baseline mean is 0" in undefined["message"]
    assert undefined["action"] == "use min_change (an absolute change) for this metric"
    assert report["decision"] == "block"
    assert "do not promote" in report["action"] and "latency_ms.non_inferiority" in report["action"]


def test_text_junit_markdown_and_written_report(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write_policy(
        tmp_path,
        """
rules:
  - {metric: accuracy, direction: higher, threshold: 0.84, non_inferiority_margin: 0.005}
  - {metric: latency_ms, direction: lower, max: 44, severity: warn}
""",
    )
    args = ["gate", str(runs["base"]), str(runs["cand"]), "--policy", str(policy)]
    capsys.readouterr()
    assert main([*args, "--write-report", str(tmp_path / "r1.json")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("gate: WARN")
    assert "FAIL (warn)" in text and "decision: warn" in text and "next: promotion allowed" in text
    assert main([*args, "--format", "junit"]) == 0
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "0"
    assert main([*args, "--format", "markdown"]) == 0
    assert "### ⚠️ manifest gate: **warn**" in capsys.readouterr().out
    assert main([*args, "--format", "json", "--write-report", str(tmp_path / "r2.json")]) == 0
    printed = capsys.readouterr().out
    from manifest.core.schemas import check as schema_check

    schema_check(json.loads(printed), "gate-report.schema.json")
    assert (tmp_path / "r1.json").read_text() == (tmp_path / "r2.json").read_text() == printed


def test_blocking_junit_has_failures(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write_policy(tmp_path, "rules:\n  - {metric: accuracy, threshold: 0.95}\n")
    capsys.readouterr()
    assert (
        main(
            [
                "gate",
                str(runs["base"]),
                str(runs["cand"]),
                "--policy",
                str(policy),
                "--format",
                "junit",
            ]
        )
        == 1
    )
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"


def test_required_evidence(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write_policy(
        tmp_path,
        """
require: [contracts, verified]
rules:
  - {metric: accuracy, threshold: 0.8}
""",
    )
    code, report = gate_json(runs, policy, capsys)
    assert code == 1
    assert check(report, "require.contracts")["status"] == "fail"
    assert "manifest validate" in check(report, "require.contracts")["action"]
    capsys.readouterr()
    assert main(["validate", "--no-contracts", str(runs["cand"]), "--format", "json"]) == 0
    validated = tmp_path / "validate.json"
    validated.write_text(capsys.readouterr().out)
    verified = tmp_path / "verify.json"
    verified.write_text(
        json.dumps(
            {
                "command": "verify",
                "ok": True,
                "subjects": [
                    {"subject": str(p), "ok": True, "checks": []}
                    for p in runs["cand"].glob("*.json")
                ],
            }
        )
    )
    code, report = gate_json(
        runs, policy, capsys, "--evidence", str(validated), "--evidence", str(verified)
    )
    assert code == 0 and report["decision"] == "accept"
    assert check(report, "require.verified")["status"] == "pass"


def verify_report(paths: list[Path], *, ok: bool = True, command: str = "verify") -> str:
    """A ``manifest verify --format json`` report: every one of ``paths`` with ``ok``."""
    subjects = [{"subject": str(p), "ok": ok, "checks": []} for p in paths]
    return json.dumps({"command": command, "ok": ok, "subjects": subjects})


@pytest.mark.parametrize(
    ("report", "missing"),
    [
        pytest.param(lambda runs: verify_report(runs[:1]), 5, id="covers-the-first-run-only"),
        pytest.param(lambda runs: verify_report(runs[1:]), 1, id="misses-the-first-run"),
        pytest.param(lambda runs: verify_report(runs, ok=False), 6, id="failing-report"),
        pytest.param(
            lambda runs: verify_report(runs, command="validate"), 6, id="not-a-verify-report"
        ),
    ],
)
def test_required_evidence_must_pass_for_every_candidate_run(
    runs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    report: Any,
    missing: int,
) -> None:
    """``require: [verified]`` blocks unless a passing verify report names each candidate run."""
    policy = write_policy(
        tmp_path, "require: [verified]\nrules:\n  - {metric: accuracy, min: 0.8}\n"
    )
    candidates = sorted(runs["cand"].glob("*.json"))
    evidence = tmp_path / "verify.json"
    evidence.write_text(report(candidates))
    code, decision = gate_json(runs, policy, capsys, "--evidence", str(evidence))
    assert (code, decision["decision"]) == (1, "block")
    required = check(decision, "require.verified")
    assert (required["status"], required["severity"]) == ("fail", "block")
    assert required["found"] == f"{missing} not covered"
    assert required["message"].startswith(
        f"{missing} candidate run(s) lack a passing manifest verify report, e.g. "
    )
    assert len(required["evidence"]["missing"]) == missing
    assert "manifest verify CANDIDATE... --format json" in required["action"]


def test_evidence_may_name_a_run_by_its_id(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write_policy(
        tmp_path, "require: [verified]\nrules:\n  - {metric: accuracy, min: 0.8}\n"
    )
    ids = [json.loads(p.read_text())["run_id"] for p in sorted(runs["cand"].glob("*.json"))]
    evidence = tmp_path / "verify.json"
    evidence.write_text(verify_report([Path(f"verified/{run_id}.json") for run_id in ids]))
    code, decision = gate_json(runs, policy, capsys, "--evidence", str(evidence))
    assert (code, decision["decision"]) == (0, "accept")
    required = check(decision, "require.verified")
    assert (required["status"], required["found"]) == ("pass", "covered")
    assert required["evidence"] == {"reports": [str(evidence)], "missing": []}


def test_a_sweep_with_crashed_seeds_is_gated_on_the_survivors_with_a_warning(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One seed of the candidate sweep failed: the gate decides on the five
    that completed and warns that it did."""
    crashed = sweep(tmp_path, "crashed", CAND, fail_seed=2, directions=DIRECTIONS)
    policy = write_policy(tmp_path, "rules:\n  - {metric: accuracy, min: 0.8}\n")
    capsys.readouterr()
    argv = ["gate", str(runs["base"]), str(crashed), "--policy", str(policy), "--format", "json"]
    assert main(argv) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["decision"] == "warn"
    assert len(decision["candidate"]["runs"]) == 5
    warning = check(decision, "runs.candidate")
    assert (warning["status"], warning["severity"]) == ("fail", "warn")
    assert warning["message"] == "1 candidate run(s) did not complete and are left out"
    assert warning["found"] == "1 not completed"
    [skipped] = warning["evidence"]["not_completed"]
    assert skipped["reason"].startswith("status ")
    assert check(decision, "accuracy.min")["status"] == "pass"
    assert "review: runs.candidate: 1 candidate run(s) did not complete" in decision["action"]
    assert (warning["rule"], warning["kind"], warning["metric"]) == ("runs", "runs", "")
    assert warning["expected"] == "every run completed"
    assert warning["action"] == "look at why they failed before promoting"
    assert decision["candidate"]["skipped"] == [
        {"path": skipped["path"], "reason": skipped["reason"]}
    ]


@pytest.fixture(scope="module")
def unpaired(runs: dict[str, Path]) -> dict[str, Path]:
    """The candidate's values under other seeds (100..105): runs not paired by seed."""
    cand = sweep(runs["root"], "cand-unpaired", CAND, offset=100, directions=DIRECTIONS)
    return {**runs, "cand": cand}


# One-sided 95% Welch lower bounds of the improvement (R: t.test(c, b,
# alternative = "greater")$conf.int, b - c for latency): accuracy 0.0365604,
# latency_ms -5.81402.
UNPAIRED = [
    ("{metric: accuracy, min_change: 0.0365}", "accuracy.min_change", "pass"),
    ("{metric: accuracy, min_change: 0.0366}", "accuracy.min_change", "fail"),
    ("{metric: latency_ms, non_inferiority_margin: 5.82}", "latency_ms.non_inferiority", "pass"),
    ("{metric: latency_ms, non_inferiority_margin: 5.81}", "latency_ms.non_inferiority", "fail"),
    ("{metric: latency_ms, min_change: -5.82}", "latency_ms.min_change", "pass"),
    ("{metric: latency_ms, min_change: -5.81}", "latency_ms.min_change", "fail"),
]


@pytest.mark.parametrize(
    ("rule", "check_id", "status"),
    UNPAIRED,
    ids=[f"{r[1]}-{r[2]}-{i}" for i, r in enumerate(UNPAIRED)],
)
def test_unpaired_runs_are_judged_by_welch_bounds(
    unpaired: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rule: str,
    check_id: str,
    status: str,
) -> None:
    policy = write_policy(tmp_path, f"rules:\n  - {rule}\n")
    code, decision = gate_json(unpaired, policy, capsys)
    assert decision["paired"] is False
    found = check(decision, check_id)
    assert found["status"] == status, found["message"]
    assert found["evidence"]["test"] == "welch_t"
    assert code == (0 if status == "pass" else 1)


def test_an_edited_candidate_blocks(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cand = tmp_path / "cand"
    shutil.copytree(runs["cand"], cand)
    victim = next(cand.glob("*.json"))
    manifest = json.loads(victim.read_text())
    manifest["metrics"]["accuracy"] = 0.99
    victim.write_bytes(pretty_bytes(manifest))
    policy = write_policy(tmp_path, "rules:\n  - {metric: accuracy, threshold: 0.8}\n")
    capsys.readouterr()
    assert (
        main(["gate", str(runs["base"]), str(cand), "--policy", str(policy), "--format", "json"])
        == 1
    )
    report = json.loads(capsys.readouterr().out)
    inputs = check(report, "inputs.candidate")
    assert inputs["status"] == "fail" and "digest does not match" in inputs["message"]


BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["rules: [{metric: x, threshold: 1}]"]
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "rules:\n  - {metric: a, treshold: 1}\n",
            "does not match the policy schema",
            id="unknown-key",
        ),
        pytest.param(
            "rules:\n  - {metric: a}\n", "a rule needs at least one of", id="no-criterion"
        ),
        pytest.param("rules: []\n", "does not match the policy schema", id="no-rules"),
        pytest.param("rules:\n  - {metric: a, max: 5e-3}\n", "is not of type", id="yaml11-string"),
        pytest.param(
            "rules:\n  - {metric: a, max: 1, max: 2}\n", "duplicate key 'max'", id="duplicate-key"
        ),
        pytest.param(
            "x: &x {metric: a, max: 1}\nrules: [*x]\n",
            "aliases (*name) are not allowed",
            id="alias",
        ),
        pytest.param(BILLION_LAUGHS, "aliases (*name) are not allowed", id="billion-laughs"),
        pytest.param(
            "rules:\n  - {metric: a, max: 1, direction: higher}\n"
            "  - {id: b, metric: a, min: 0, direction: lower}\n",
            "opposite directions",
            id="conflicting-directions",
        ),
        pytest.param(
            "rules:\n  - {metric: a, max: 1}\n  - {metric: a, min: 0}\n",
            "two rules have the same id",
            id="duplicate-id",
        ),
        pytest.param("rules:\n  - {metric: a, max: 1\n", "not valid YAML", id="bad-yaml"),
        pytest.param("when: 2024-01-01\nrules: []\n", "not plain data", id="date"),
        pytest.param(
            "confidence: 1.5\nrules:\n  - {metric: a, max: 1}\n",
            "does not match the policy schema",
            id="confidence",
        ),
    ],
)
def test_bad_policies_exit_2(
    runs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    policy = write_policy(tmp_path, text)
    capsys.readouterr()
    started = time.monotonic()
    assert main(["gate", str(runs["base"]), str(runs["cand"]), "--policy", str(policy)]) == 2
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert message in err and str(policy) in err and "Traceback" not in err


def test_missing_policy_exits_2(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["gate", str(runs["base"]), str(runs["cand"]), "--policy", str(tmp_path / "none.yaml")]
        )
        == 2
    )
    assert "no such file" in capsys.readouterr().err


def test_the_example_policy_is_valid() -> None:
    from manifest.gating.policy import load_policy

    policy = load_policy(Path(__file__).resolve().parent.parent / "conf" / "policy.yaml")
    assert policy.rules and policy.confidence == 0.95


def test_junit_names_each_rule_and_carries_its_evidence(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In CI, each rule is a test case: a blocking failure is a <failure> with
    the metric's pointer, expected and found, owner and action; a warning is
    printed, not failed; a passing rule is a bare test case."""
    policy = write_policy(
        tmp_path,
        """
rules:
  - {id: floor, metric: accuracy, threshold: 0.95, owner: ml-team}
  - {metric: latency_ms, max: 44, severity: warn}
  - {metric: same, min: 0}
""",
    )
    capsys.readouterr()
    args = ["gate", str(runs["base"]), str(runs["cand"]), "--policy", str(policy)]
    assert main([*args, "--format", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out)
    suite = root.find("testsuite")
    assert root.get("name") == "manifest gate" and suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    cases = {case.get("classname"): case for case in suite.iter("testcase")}
    assert list(cases) == ["rule floor.threshold", "rule latency_ms.max", "rule same.min"]
    assert [case.get("name") for case in cases.values()] == ["threshold", "max", "min"]
    detail = (
        "candidate mean 0.851667 is not at least the floor 0.95 (expected at least 0.95, "
        "found 0.851667) [owner ml-team, action improve the candidate, or change the bound "
        "in the policy]"
    )
    failure = cases["rule floor.threshold"].find("failure")
    assert failure is not None and failure.get("type") == "threshold"
    assert failure.get("message") == detail
    assert failure.text == f"rule floor.threshold: /metrics/accuracy: {detail}"
    warned = cases["rule latency_ms.max"]
    out = warned.find("system-out")
    assert warned.find("failure") is None and out is not None
    assert out.text == (
        "WARNING /metrics/latency_ms: candidate mean 45 is not at most the ceiling 44 "
        "(expected at most 44, found 45) [owner -, action improve the candidate, or change "
        "the bound in the policy]"
    )
    assert list(cases["rule same.min"]) == []


def paired_p(weight: float, alternative: str) -> float:
    """One-sided p of the paired t-test of candidate - weight x baseline
    (accuracy or latency_ms of the fixture), by SciPy."""
    from scipy import stats

    metric = "accuracy" if alternative == "greater" else "latency_ms"
    diffs = [c - weight * b for b, c in zip(BASE[metric], CAND[metric], strict=True)]
    return float(stats.ttest_1samp(diffs, 0.0, alternative=alternative).pvalue)


def test_what_each_test_rule_says_and_asks(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exact message, expected, found and action of non-inferiority and
    relative-change rules, passing and failing, on the paired fixture (bounds
    from R, see the module docstring; p-values from SciPy)."""
    policy = write_policy(
        tmp_path,
        """
rules:
  - {id: ni-ok, metric: accuracy, non_inferiority_margin: 0.01}
  - {id: ni-bad, metric: latency_ms, non_inferiority_margin: 2}
  - {id: ni-wide, metric: latency_ms, non_inferiority_margin: 5}
  - {id: rel-ok, metric: accuracy, min_relative_change: 0.05}
  - {id: rel-bad, metric: accuracy, min_relative_change: 0.1}
  - {id: rel-zero, metric: zero_base, min_relative_change: 0.1}
  - {id: rel-lower, metric: latency_ms, min_relative_change: -0.2}
""",
    )
    code, report = gate_json(runs, policy, capsys)
    assert code == 1 and report["decision"] == "block"
    rows = {c["rule"]: c for c in report["checks"]}
    shown = {k: {f: c.get(f) for f in ("status", "message", "expected", "found", "action")}
             for k, c in rows.items()}  # fmt: skip
    too_wide = "the interval is too wide to show it: run about 82 more seeds per side"
    p_ok, p_bad = paired_p(1.05, "greater"), paired_p(1.1, "greater")
    p_lower = paired_p(1.2, "less")
    assert shown == {
        "ni-ok": {
            "status": "pass",
            "message": "improved by 0.0516667; its 0.95 lower bound 0.0435785 is above -0.01 "
            "(Paired t-test, one-sided p = 1.06e-05)",
            "expected": "lower bound > -0.01",
            "found": "0.0435785",
            "action": None,
        },
        "ni-bad": {
            "status": "fail",
            "message": "regressed by 4.5; its 0.95 lower bound -6.03902 is not above -2 "
            "(Paired t-test, one-sided p = 0.9889)",
            "expected": "lower bound > -2",
            "found": "-6.03902",
            "action": "the candidate is worse by more than the margin",
        },
        # regressed by 4.5 < 5: R's power.t.test(delta = 0.5, sd = 1.8708, type =
        # "paired", alternative = "one.sided", power = 0.8) asks n = 88, 82 more
        "ni-wide": {
            "status": "fail",
            "message": "regressed by 4.5; its 0.95 lower bound -6.03902 is not above -5 "
            "(Paired t-test, one-sided p = 0.2708)",
            "expected": "lower bound > -5",
            "found": "-6.03902",
            "action": too_wide,
        },
        "rel-ok": {
            "status": "pass",
            "message": "relative improvement 6.4583% is shown to reach 5.0000% (Paired t-test "
            f"of candidate - 1.05 x baseline, one-sided p = {p_ok:.4g})",
            "expected": ">= 0.05",
            "found": "0.0645833",
            "action": None,
        },
        "rel-bad": {
            "status": "fail",
            "message": "relative improvement 6.4583% is not shown to reach 10.0000% (Paired "
            f"t-test of candidate - 1.1 x baseline, one-sided p = {p_bad:.4g})",
            "expected": ">= 0.1",
            "found": "0.0645833",
            "action": "improve the candidate, or run more seeds to show it",
        },
        "rel-zero": {
            "status": "undefined",
            "message": "relative change undefined: the baseline mean is 0, and a relative "
            "change needs a baseline mean > 0",
            "expected": "a baseline mean > 0",
            "found": "0",
            "action": "use min_change (an absolute change) for this metric",
        },
        "rel-lower": {
            "status": "pass",
            "message": "relative improvement -11.1111% is shown to reach -20.0000% (Paired "
            f"t-test of candidate - 1.2 x baseline, one-sided p = {p_lower:.4g})",
            "expected": ">= -0.2",
            "found": "-0.111111",
            "action": None,
        },
    }
    assert rows["ni-ok"]["evidence"]["margin"] == 0.01
    assert rows["ni-ok"]["evidence"]["improvement_lower_bound"] == pytest.approx(0.0435785, 1e-6)
    assert rows["rel-ok"]["evidence"]["relative_improvement"] == pytest.approx(0.0645833, 1e-6)
    assert rows["rel-ok"]["evidence"]["p_value"] == pytest.approx(p_ok, rel=1e-9)
    assert rows["rel-bad"]["evidence"]["contrast_interval"][1] is None
    assert rows["rel-lower"]["evidence"]["contrast_interval"][0] is None
    assert rows["rel-zero"]["evidence"] == {"baseline_mean": 0.0, "candidate_mean": 7 / 6}
    assert rows["rel-lower"]["evidence"]["alternative"] == "less"


def test_evidence_for_renamed_manifests_is_matched_by_path(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A candidate manifest saved under a name of its own (no run id in it) is
    covered by a report naming that file, and by no report naming another."""
    renamed = tmp_path / "release"
    renamed.mkdir()
    for i, path in enumerate(sorted(runs["cand"].glob("*.json"))):
        shutil.copy(path, renamed / f"model-{i}.json")
    files = sorted(renamed.glob("*.json"))
    policy = write_policy(tmp_path, "require: [verified]\nrules:\n  - {metric: accuracy, min: 0}\n")
    evidence = tmp_path / "verify.json"
    evidence.write_text(verify_report(files))
    args = ["gate", str(runs["base"]), str(renamed), "--policy", str(policy), "--format", "json"]
    capsys.readouterr()
    assert main([*args, "--evidence", str(evidence)]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "accept"
    evidence.write_text(verify_report([tmp_path / f"model-{i}.json" for i in range(6)]))
    assert main([*args, "--evidence", str(evidence)]) == 1
    found = check(json.loads(capsys.readouterr().out), "require.verified")
    assert found["message"].startswith("6 candidate run(s) lack a passing manifest verify report")


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"command": "verify", "ok": True}, id="no-subjects"),
        pytest.param({"command": "verify", "subjects": "all"}, id="subjects-not-a-list"),
        pytest.param({"command": "verify", "subjects": ["x", 3]}, id="subjects-not-objects"),
        pytest.param({"command": "verify", "subjects": [{"ok": True}]}, id="unnamed-subject"),
    ],
)
def test_a_malformed_evidence_report_covers_no_run(
    runs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: dict[str, Any],
) -> None:
    policy = write_policy(tmp_path, "require: [verified]\nrules:\n  - {metric: accuracy, min: 0}\n")
    evidence = tmp_path / "verify.json"
    evidence.write_text(json.dumps(document))
    code, report = gate_json(runs, policy, capsys, "--evidence", str(evidence))
    assert code == 1 and report["decision"] == "block"
    found = check(report, "require.verified")
    assert found["message"].startswith("6 candidate run(s) lack a passing manifest verify report")


def test_an_edited_baseline_is_named_with_what_to_do(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base"
    shutil.copytree(runs["base"], base)
    victim = sorted(base.glob("*.json"))[0]
    manifest = json.loads(victim.read_text())
    manifest["metrics"]["accuracy"] = 0.5
    victim.write_bytes(pretty_bytes(manifest))
    policy = write_policy(tmp_path, "rules:\n  - {metric: accuracy, threshold: 0.8}\n")
    capsys.readouterr()
    argv = ["gate", str(base), str(runs["cand"]), "--policy", str(policy), "--format", "json"]
    assert main(argv) == 1
    report = json.loads(capsys.readouterr().out)
    inputs = check(report, "inputs.baseline")
    assert (inputs["rule"], inputs["kind"], inputs["metric"]) == ("inputs", "inputs", "")
    assert (inputs["status"], inputs["severity"]) == ("fail", "block")
    [skipped] = report["baseline"]["skipped"]
    assert skipped["path"] == str(victim) and "digest does not match" in skipped["reason"]
    assert inputs["message"] == (
        f"1 baseline manifest(s) are not valid: {victim}: {skipped['reason']}"
    )
    assert inputs["expected"] == "valid manifests with matching digests"
    assert inputs["found"] == "1 invalid"
    assert inputs["action"] == "run manifest validate on them; re-record edited manifests"
    assert inputs["evidence"] == {"invalid": [skipped]}
    assert report["action"].startswith(
        "do not promote. To unblock: inputs.baseline: run manifest validate on them"
    )


def test_a_bound_that_holds_says_so(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write_policy(
        tmp_path,
        "rules:\n  - {metric: accuracy, threshold: 0.85}\n"
        "  - {metric: latency_ms, threshold: 46}\n",
    )
    code, report = gate_json(runs, policy, capsys)
    assert code == 0 and report["decision"] == "accept"
    floor, ceiling = check(report, "accuracy.threshold"), check(report, "latency_ms.threshold")
    assert floor["message"] == "candidate mean 0.851667 is at least the floor 0.85"
    assert (floor["expected"], floor["found"]) == ("at least 0.85", "0.851667")
    assert floor["evidence"]["bound"] == 0.85 and floor["evidence"]["bound_kind"] == "floor"
    assert floor["evidence"]["candidate"]["n"] == 6
    assert floor["evidence"]["candidate"]["mean"] == pytest.approx(0.851667, abs=1e-6)
    assert ceiling["message"] == "candidate mean 45 is at most the ceiling 46"
    assert (ceiling["expected"], ceiling["found"]) == ("at most 46", "45")
    assert ceiling["evidence"]["bound_kind"] == "ceiling" and "action" not in ceiling
    assert report["action"].startswith("promote: every rule holds")


def test_one_run_short_asks_for_one_more_seed_of_the_sides_the_rule_reads(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bounds on the candidate mean (threshold, min, max) need candidate runs
    only; a change needs both sides."""
    policy = write_policy(
        tmp_path,
        """
min_runs: 7
rules:
  - {metric: accuracy, threshold: 0.5, min: 0, max: 1, min_change: 0}
""",
    )
    code, report = gate_json(runs, policy, capsys)
    assert code == 1 and report["decision"] == "block"
    for kind in ("threshold", "min", "max"):
        found = check(report, f"accuracy.{kind}")
        assert found["status"] == "inconclusive" and found["action"] == "run 1 more candidate seed"
        assert found["message"] == (
            "inconclusive: 6 candidate run(s); the policy needs at least 7 per side"
        )
        assert (found["expected"], found["found"]) == ("at least 7 runs per side", "6 candidate")
    change = check(report, "accuracy.min_change")
    assert change["action"] == "run 1 more baseline seed and 1 more candidate seed"
    assert change["found"] == "6 baseline, 6 candidate"
    assert change["evidence"] == {"n_baseline": 6, "n_candidate": 6}


@pytest.mark.parametrize(
    ("document", "found"),
    [
        pytest.param([{"command": "verify"}], "list", id="a-list"),
        pytest.param({"ok": True, "subjects": []}, "dict", id="no-command"),
    ],
)
def test_evidence_that_is_not_a_report_is_refused_naming_the_file(
    runs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: object,
    found: str,
) -> None:
    policy = write_policy(tmp_path, "require: [verified]\nrules:\n  - {metric: accuracy, min: 0}\n")
    evidence = tmp_path / "verify.json"
    evidence.write_text(json.dumps(document))
    capsys.readouterr()
    argv = ["gate", str(runs["base"]), str(runs["cand"]), "--policy", str(policy)]
    assert main([*argv, "--evidence", str(evidence)]) in (1, 2)  # no decision, no traceback
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"manifest gate: error: {evidence}: not a manifest report")
    assert "expected the JSON output of manifest verify or validate" in line
    assert f"found {found}" in line


def test_what_min_change_says_and_asks(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """min_change on the lower confidence bound or, with point_estimate, on
    the means: the exact texts (p-values: SciPy's paired t-test against the
    required change)."""
    from scipy import stats

    policy = write_policy(
        tmp_path,
        """
rules:
  - {id: mc-ok, metric: accuracy, min_change: 0.04}
  - {id: mc-wide, metric: accuracy, min_change: 0.05}
  - {id: mc-allowed, metric: latency_ms, min_change: -2}
  - {id: mc-point, metric: accuracy, min_change: 0.05, point_estimate: true}
  - {id: mc-point-bad, metric: accuracy, min_change: 0.06, point_estimate: true}
  - {id: mc-same, metric: same, min_change: 0}
""",
    )
    code, report = gate_json(runs, policy, capsys)
    assert code == 1
    rows = {c["rule"]: c for c in report["checks"]}
    diffs = [c - b for b, c in zip(BASE["accuracy"], CAND["accuracy"], strict=True)]
    p = {d: stats.ttest_1samp(diffs, d, alternative="greater").pvalue for d in (0.04, 0.05)}
    expected = {
        "mc-ok": (
            f"improved by 0.0516667; its 0.95 lower bound 0.0435785 reaches the required 0.04 "
            f"(Paired t-test, one-sided p = {p[0.04]:.4g})",
            "lower bound >= 0.04",
            "0.0435785",
            None,
        ),
        # R: power.t.test(delta = 0.0016667, sd = 0.0098319, type = "paired",
        # alternative = "one.sided", power = 0.8) asks n = 217, 211 more
        "mc-wide": (
            "improved by 0.0516667, but its 0.95 lower bound 0.0435785 is short of the required "
            f"0.05 (Paired t-test, one-sided p = {p[0.05]:.4g})",
            "lower bound >= 0.05",
            "0.0435785",
            "the interval is too wide to show it: run about 211 more seeds per side",
        ),
        "mc-allowed": (
            "regressed by 4.5, more than the 2 allowed; its 0.95 lower bound -6.03902 "
            "(Paired t-test, one-sided p = 0.9889)",
            "lower bound >= -2",
            "-6.03902",
            "the candidate does not improve enough: improve it, or lower min_change",
        ),
        "mc-point": (
            "improved by 0.0516667, reaching the required 0.05 (means only: point_estimate)",
            ">= 0.05",
            "0.0516667",
            None,
        ),
        "mc-point-bad": (
            "improved by 0.0516667, short of the required 0.06 (means only: point_estimate)",
            ">= 0.06",
            "0.0516667",
            "improve the candidate, or lower min_change",
        ),
        "mc-same": (
            "unchanged; its 0.95 lower bound 0 reaches the required 0 (no variance across the "
            "runs: the bound is the observed value)",
            "lower bound >= 0",
            "0",
            None,
        ),
    }
    shown = {k: (c["message"], c["expected"], c["found"], c.get("action")) for k, c in rows.items()}
    assert shown == expected
    point = rows["mc-point"]["evidence"]
    assert point["point_estimate"] is True and point["improvement"] == pytest.approx(
        0.0516667, 1e-5
    )
    assert (point["baseline_mean"], point["candidate_mean"]) == pytest.approx((0.8, 0.8516667))
    wide = rows["mc-wide"]["evidence"]
    assert wide["improvement_lower_bound"] == pytest.approx(0.0435785, 1e-6)
    assert (wide["baseline_mean"], wide["candidate_mean"]) == pytest.approx((0.8, 0.8516667))
    assert (wide["difference"], wide["direction"]) == (pytest.approx(0.0516667, 1e-5), "higher")
    assert (wide["n_baseline"], wide["n_candidate"], wide["confidence"]) == (6, 6, 0.95)


def test_relative_change_on_the_means_only(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write_policy(
        tmp_path,
        """
rules:
  - {id: rp-ok, metric: accuracy, min_relative_change: 0.06, point_estimate: true}
  - {id: rp-bad, metric: accuracy, min_relative_change: 0.07, point_estimate: true}
""",
    )
    code, report = gate_json(runs, policy, capsys)
    assert code == 1
    ok, bad = (
        check(report, "rp-ok.min_relative_change"),
        check(report, "rp-bad.min_relative_change"),
    )
    assert ok["status"] == "pass" and "action" not in ok
    assert ok["message"] == (
        "relative improvement 6.4583% reaches 6.0000% (means only: point_estimate)"
    )
    assert bad["status"] == "fail"
    assert bad["message"] == (
        "relative improvement 6.4583% falls short of 7.0000% (means only: point_estimate)"
    )
    assert bad["action"] == "improve the candidate, or run more seeds to show it"
    assert bad["evidence"] == {
        "relative_improvement": pytest.approx(0.0516667 / 0.8, rel=1e-5),
        "baseline_mean": pytest.approx(0.8),
    }


def test_a_required_evidence_row_says_what_it_needs(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write_policy(tmp_path, "require: [verified]\nrules:\n  - {metric: accuracy, min: 0}\n")
    evidence = tmp_path / "verify.json"
    evidence.write_text(verify_report(sorted(runs["cand"].glob("*.json"))))
    code, report = gate_json(runs, policy, capsys, "--evidence", str(evidence))
    assert code == 0
    row = check(report, "require.verified")
    assert (row["rule"], row["metric"], row["kind"], row["status"]) == (
        "require",
        "",
        "verified",
        "pass",
    )
    assert row["message"] == "every candidate run has a passing manifest verify report"
    assert row["expected"] == "a passing `manifest verify --format json` report via --evidence"
    assert row["found"] == "covered" and "action" not in row
