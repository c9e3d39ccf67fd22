"""Contract kinds as pure functions, the contracts file, and the example
contracts in conf/contracts.yaml (the CLI cases are in tests/cases)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from validate_kit import (
    REPO,
    Example,
    example_run,
    json_report,
    one_check,
    run,
    write_contracts,
    write_manifest,
)

from manifest.check import kinds, lineage
from manifest.check.contract_file import (
    ContractError,
    ContractSet,
    load_contracts,
    parse_contracts,
    parse_duration,
)
from manifest.check.evaluate import Evaluator
from manifest.core.results import FAIL, PASS, WARN
from manifest.core.schemas import load_schema
from manifest.core.timestamps import parse_utc
from manifest.errors import EXIT_USAGE, ManifestError

EXAMPLE_CONTRACTS = REPO / "conf" / "contracts.yaml"


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    return example_run(tmp_path_factory)


def ts(text: str) -> float:
    """Seconds since the epoch of a UTC time, read as the toolkit reads them
    (``datetime.fromisoformat`` of Python 3.10 refuses ``...00.5``)."""
    return parse_utc(text).timestamp()


# -------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    ("op", "value", "holds"),
    [
        pytest.param(">=", 0.914, True, id="ge-equal"),
        pytest.param(">", 0.914, False, id="gt-equal"),
        pytest.param("<=", 0.914, True, id="le-equal"),
        pytest.param("<", 0.95, True, id="lt"),
        pytest.param("==", 0.914, True, id="eq"),
        pytest.param("!=", 0.914, False, id="ne"),
    ],
)
def test_threshold_operators(op: str, value: float, holds: bool) -> None:
    finding = kinds.threshold(metric="accuracy", op=op, value=value)(
        {"metrics": {"accuracy": 0.914}}
    )
    assert finding.holds is holds
    assert (finding.pointer, finding.expected, finding.found) == (
        "/metrics/accuracy",
        f"accuracy {op} {value!r}",
        "0.914",
    )


def test_missing_metric_suggests_the_closest() -> None:
    rule = kinds.threshold(metric="log_los", op="<", value=1)
    finding = rule({"metrics": {"accuracy": 0.9, "log_loss": 0.2}})
    assert not finding.holds
    assert finding.message == "metric 'log_los' is not recorded; did you mean 'log_loss'?"
    assert finding.found == "absent (recorded: accuracy, log_loss)"
    far = kinds.threshold(metric="f1", op="<", value=1)({"metrics": {}})
    assert far.message == "metric 'f1' is not recorded" and far.found == "absent (recorded: none)"


def test_budget_fields_and_metrics() -> None:
    manifest = {"cost": {"wall_s": 12.5, "peak_memory_bytes": 2_000}, "metrics": {"tokens": 900}}
    assert kinds.budget(limit=12.5, field="cost.wall_s")(manifest).holds
    over = kinds.budget(limit=1_000, field="cost.peak_memory_bytes")(manifest)
    assert (over.holds, over.pointer, over.found) == (False, "/cost/peak_memory_bytes", "2000")
    assert kinds.budget(limit=1_000, metric="tokens")(manifest).holds
    gone = kinds.budget(limit=1, field="cost.cpu_s")(manifest)
    assert (gone.holds, gone.message, gone.found) == (False, "cost.cpu_s is not a number", "absent")


def test_freshness_at_a_fixed_clock() -> None:
    rule = kinds.freshness(
        now=ts("2026-02-01T00:00:00"), max_age_s=86400, max_age="1d", field="finished"
    )
    assert rule({"finished": "2026-01-31T00:00:00Z"}).holds  # exactly one day: still fresh
    assert rule({"finished": "2026-01-31T00:00:00.5Z"}).holds  # one digit of fraction
    assert rule({"finished": "2026-03-01T00:00:00Z"}).holds  # in the future
    stale = rule({"finished": "2026-01-30T23:59:59.999999Z"})
    assert not stale.holds
    assert stale.expected == "finished no older than 1d (at or after 2026-01-31T00:00:00Z)"
    assert stale.found == "2026-01-30T23:59:59.999999Z (1d old)"
    assert rule({"finished": "yesterday"}).message == "finished is not a UTC timestamp"
    assert rule({"finished": "2026-13-40T00:00:00Z"}).message == "finished is not a UTC timestamp"
    half = kinds.freshness(
        now=ts("2026-02-01T00:00:00.5"), max_age_s=86400, max_age="1d", field="created"
    )
    assert half({"created": "2026-01-31T00:00:00.6Z"}).holds  # same second as the limit
    assert not half({"created": "2026-01-31T00:00:00.4Z"}).holds
    assert not half({"created": "2026-01-31T00:00:00Z"}).holds
    inputs = kinds.freshness(
        now=ts("2026-02-01T00:00:00"), max_age_s=86400, max_age="1d", input="data"
    )
    recorded = {"inputs": [{"key": "other"}, {"key": "data", "mtime": "2026-01-01T00:00:00Z"}]}
    old = inputs(recorded)
    assert (old.holds, old.pointer) == (False, "/inputs/1/mtime")
    assert old.found == "2026-01-01T00:00:00Z (31d old)"
    no_time = inputs({"inputs": [{"key": "data", "version": "v1"}]})
    assert (no_time.holds, no_time.message) == (False, "input 'data' records no time")


DIRTY = {"available": True, "commit": "a" * 40, "dirty": True, "changed": ["x", "y"]}


@pytest.mark.parametrize(
    ("need", "manifest", "pointer", "found"),
    [
        pytest.param("owner", {"owner": None}, "/owner", "no owner", id="owner"),
        pytest.param("owner", {"owner": " "}, "/owner", "no owner", id="owner-blank"),
        pytest.param(
            "code_version",
            {"code": {"git": {"available": False, "reason": "not a git repository"}}},
            "/code/git/commit",
            "git not available: not a git repository",
            id="no-git",
        ),
        pytest.param(
            "code_version",
            {"code": {"git": {"available": True, "commit": None, "dirty": True, "changed": []}}},
            "/code/git/commit",
            "no commit (nothing committed yet)",
            id="no-commit",
        ),
        pytest.param(
            "clean_tree",
            {"code": {"git": DIRTY}},
            "/code/git/dirty",
            "uncommitted changes (2 paths)",
            id="dirty",
        ),
        pytest.param(
            "clean_tree",
            {"code": {"git": {"available": False, "reason": "git is not installed"}}},
            "/code/git/dirty",
            "git not available: git is not installed",
            id="dirty-no-git",
        ),
        pytest.param(
            "inputs_hashed",
            {"inputs": [{"key": "a", "sha256": "0" * 64}, {"key": "b", "version": "v1"}]},
            "/inputs/1/sha256",
            "input 'b' has no sha256",
            id="unhashed-input",
        ),
        pytest.param(
            "parents",
            {"lineage": {"parents": []}},
            "/lineage/parents",
            "no parent runs",
            id="parents",
        ),
        pytest.param("seed", {"seeds": {"seed": None}}, "/seeds", "no seed recorded", id="seed"),
    ],
)
def test_lineage_requirements(
    need: str, manifest: dict[str, Any], pointer: str, found: str
) -> None:
    """Each gap names what is missing, as the validate report shows it."""
    finding = lineage.lineage(require=[need])(manifest)
    assert (finding.holds, finding.pointer) == (False, pointer)
    assert finding.message == f"unauditable: missing {need}"
    assert (finding.expected, finding.found) == (need, f"{need}: {found}")


def test_lineage_holds_for_an_auditable_run() -> None:
    manifest = {
        "owner": "team",
        "code": {"git": {"available": True, "commit": "a" * 40, "dirty": False, "changed": []}},
        "inputs": [{"key": "a", "sha256": "0" * 64}],
        "lineage": {"parents": ["20260101T000000Z-aaaaaaaa"]},
        "seeds": {"seed": 3},
    }
    finding = lineage.lineage(require=list(lineage.LINEAGE))(manifest)
    assert finding.holds and finding.found == "all recorded"


def test_drift_tolerances() -> None:
    reference = {"metrics": {"accuracy": 0.9}, "cost": {"peak_memory_bytes": 1000}}
    rule = kinds.drift(reference, pointer="/metrics/accuracy", atol=0.01, rtol=0.1)
    assert rule({"metrics": {"accuracy": 0.99}}).holds  # |0.09| <= 0.01 + 0.09
    far = rule({"metrics": {"accuracy": 0.7}})
    assert (far.holds, far.found) == (False, "0.7 (difference -0.2)")
    assert far.message == "accuracy drifted beyond the tolerance"
    exact = kinds.drift(reference, pointer="/cost/peak_memory_bytes")
    assert exact({"cost": {"peak_memory_bytes": 1000}}).holds
    assert not exact({"cost": {"peak_memory_bytes": 1001}}).holds
    with pytest.raises(ValueError, match="no number at /metrics/f1"):
        kinds.drift(reference, pointer="/metrics/f1")


@pytest.mark.parametrize(
    ("value", "holds", "found"),
    [
        pytest.param(-5.5, True, "-5.5 (difference +2.5)", id="on-the-bound-above"),
        pytest.param(-10.5, True, "-10.5 (difference -2.5)", id="on-the-bound-below"),
        pytest.param(-5.25, False, "-5.25 (difference +2.75)", id="just-beyond"),
        pytest.param(-8, True, "-8 (difference +0)", id="equal"),
    ],
)
def test_drift_relative_tolerance_is_of_the_reference_magnitude(
    value: float, holds: bool, found: str
) -> None:
    """``atol + rtol * |reference|``: 0.5 + 0.25 * |-8| = 2.5, inclusive."""
    reference = {"metrics": {"margin": -8.0}}
    rule = kinds.drift(
        reference, pointer="/metrics/margin", atol=0.5, rtol=0.25, reference_name="ref.json"
    )
    finding = rule({"metrics": {"margin": value}})
    assert (finding.holds, finding.found) == (holds, found)
    assert finding.expected == "within 2.5 of -8.0 (ref.json)"
    assert finding.pointer == "/metrics/margin"
    assert finding.message == (
        "margin is within the tolerance" if holds else "margin drifted beyond the tolerance"
    )


def test_schema_kind_reports_the_first_issue() -> None:
    rule = kinds.schema({"properties": {"metrics": {"required": ["a", "b"]}}})
    assert rule({"metrics": {"a": 1, "b": 2}}).holds
    finding = rule({"metrics": {}})
    assert (finding.holds, finding.pointer) == (False, "/metrics")
    assert (
        finding.message.startswith("does not match the contract's schema: ")
        and "(+1 more)" in finding.message
    )


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local time zone 13 hours ahead of UTC (POSIX form: needs no tz database)."""
    monkeypatch.setenv("TZ", "NZT-13")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_from_utc")
def test_timestamps_are_utc_whatever_the_local_time_zone() -> None:
    assert kinds.timestamp("2026-01-31T00:00:00Z") == ts("2026-01-31T00:00:00")
    rule = kinds.freshness(
        now=ts("2026-02-01T00:00:00"), max_age_s=86400, max_age="1d", field="finished"
    )
    assert rule({"finished": "2026-01-31T00:00:00Z"}).holds
    assert not rule({"finished": "2026-01-30T23:59:59Z"}).holds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("2026-01-31T00:00:00.123456789Z", ts("2026-01-31T00:00:00.123456"), id="ns"),
        pytest.param("2026-01-31T00:00:00.5Z", ts("2026-01-31T00:00:00.5"), id="one-digit"),
        pytest.param("2026-01-31T00:00:00", None, id="no-zone"),
    ],
)
def test_timestamp_fractions(text: str, seconds: float | None) -> None:
    assert kinds.timestamp(text) == seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (59, "59s"),
        (61, "1m 1s"),
        (3600, "1h"),
        (3725, "1h 2m"),
        (90061, "1d 1h"),
        (-90061, "1d 1h"),
        (86400 * 31, "31d"),
    ],
)
def test_ages_are_told_in_two_units_at_most(seconds: float, text: str) -> None:
    assert kinds.duration(seconds) == text


def test_a_missing_metric_keeps_the_contracts_expectation() -> None:
    finding = kinds.threshold(metric="f1", op=">=", value=0.9)({"metrics": {"acc": 1}})
    assert finding.holds is False
    assert (finding.pointer, finding.expected) == ("/metrics/f1", "f1 >= 0.9")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45s", 45),
        ("90m", 5400),
        ("36h", 129600),
        ("30d", 2592000),
        ("1w", 604800),
        ("1d12h", 129600),
        ("1.5h", 5400),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


# ------------------------------------------------------------ contracts file


def _contracts(body: str, tmp_path: Path) -> ContractSet:
    return load_contracts(write_contracts(tmp_path, body))


def test_contract_errors_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as info:
        _contracts(
            "contracts:\n  - {id: a, kind: lineage, require: [owner, owner], severity: block,"
            " owner: o, action: block}\n",
            tmp_path,
        )
    assert isinstance(info.value, ManifestError) and isinstance(info.value, ValueError)
    assert info.value.exit_code == EXIT_USAGE
    assert info.value.pointer == "/contracts/0/require"
    assert info.value.describe().startswith(
        f"{tmp_path / 'contracts.yaml'}: /contracts/0/require: "
    )


def test_applies_to_is_type_strict_and_remembered(tmp_path: Path) -> None:
    contracts = _contracts(
        """
contracts:
  - {id: flagged, kind: lineage, require: [owner], severity: block, owner: o, action: block,
     applies_to: {/params/flag: true}}
  - {id: one, kind: lineage, require: [owner], severity: block, owner: o, action: block,
     applies_to: {/params/flag: 1}}
""",
        tmp_path,
    )
    evaluate = Evaluator(contracts, now=datetime.now(timezone.utc))
    base = {"owner": "me"}
    for _ in range(2):  # the second round comes from the remembered selection
        assert [c.check for c in evaluate("a", {**base, "params": {"flag": True}})] == ["flagged"]
        assert [c.check for c in evaluate("b", {**base, "params": {"flag": 1}})] == ["one"]
        assert [c.check for c in evaluate("c", {**base, "params": {"flag": 1.0}})] == ["one"]
        assert evaluate("d", {**base, "params": {"flag": [1]}}) == []
        assert evaluate("e", base) == []


def test_severity_and_strict_decide_the_status(tmp_path: Path) -> None:
    contracts = _contracts(
        """
contracts:
  - {id: w, kind: lineage, require: [parents], severity: warn, owner: o, action: warn}
  - {id: b, kind: lineage, require: [parents], severity: block, owner: o, action: block}
""",
        tmp_path,
    )
    manifest = {"lineage": {"parents": []}}
    now = datetime.now(timezone.utc)
    assert [c.status for c in Evaluator(contracts, now=now)("m", manifest)] == [WARN, FAIL]
    strict = Evaluator(contracts, now=now, strict=True)("m", manifest)
    assert [(c.status, c.severity) for c in strict] == [(FAIL, "warn"), (FAIL, "block")]


def test_parse_contracts_takes_documents_too(tmp_path: Path) -> None:
    document = {
        "contracts": [
            {
                "id": "x",
                "kind": "schema",
                "schema": True,
                "severity": "warn",
                "owner": "o",
                "action": "accept",
            }
        ]
    }
    parsed = parse_contracts(document, file="inline", base=tmp_path)
    assert parsed.as_json()["contracts"] == [
        {"id": "x", "kind": "schema", "severity": "warn", "owner": "o", "action": "accept"}
    ]
    assert parsed.digest.startswith("sha256:")


def test_schemas_are_valid_json_schemas() -> None:
    for name in ("contracts.schema.json", "report.schema.json"):
        jsonschema.Draft202012Validator.check_schema(load_schema(name))


# -------------------------------------------------- the example contracts


def test_example_contracts_hold_one_contract_of_each_kind() -> None:
    contracts = load_contracts(EXAMPLE_CONTRACTS)
    assert sorted(c.kind for c in contracts.contracts) == sorted(
        ["threshold", "budget", "freshness", "lineage", "drift", "schema"]
    )
    assert all(c.owner and c.action for c in contracts.contracts)


def test_example_contracts_pass_the_example(
    example: Example, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = json_report(
        capsys, example.path, "--contracts", EXAMPLE_CONTRACTS, "--now", example.now()
    )
    assert code == 0, report
    assert report["counts"] == {
        "subjects": 1,
        "failed_subjects": 0,
        "checks": 9,
        "failures": 0,
        "warnings": 0,
    }
    assert report["contracts"]["file"] == str(EXAMPLE_CONTRACTS)


def test_example_contracts_fail_a_worse_model(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`manifest run data.noise=2` gives accuracy 0.858: the floor blocks, the
    drift from the reference warns; 40 days later the results are stale."""
    path = write_manifest(tmp_path / "noisy.json", example, {"metrics": {"accuracy": 0.858}})
    code, out, _ = run(
        capsys, "validate", path, "--contracts", EXAMPLE_CONTRACTS, "--now", example.now(40)
    )
    assert code == 1
    lines = out.splitlines()
    assert (
        f"FAIL {path}: /metrics/accuracy: [accuracy-floor] accuracy fails the threshold "
        "(expected accuracy >= 0.9, found 0.858) [owner ml-platform, action retrain]"
    ) in lines
    assert any(
        x.startswith(f"WARN {path}: /metrics/accuracy: [accuracy-drift] accuracy drifted")
        for x in lines
    )
    assert any(
        x.startswith(f"WARN {path}: /finished: [results-fresh] finished is stale") for x in lines
    )
    assert lines[-1].startswith("validate: 1 manifest checked, 1 failed, 2 warnings: failed")
    code, report = json_report(
        capsys, path, "--contracts", EXAMPLE_CONTRACTS, "--now", example.now()
    )
    drift = one_check(report, "accuracy-drift")
    assert drift["status"] == WARN and drift["found"] == "0.858 (difference -0.058)"
    assert drift["expected"].startswith("within 0.02 of 0.916 (")
    assert one_check(report, "training-budget")["status"] == PASS


def test_example_reference_is_an_intact_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    reference = REPO / "conf" / "reference" / "gd-seed0.json"
    assert json.loads(reference.read_text())["metrics"]["accuracy"] == 0.916
    code, out, _ = run(capsys, "validate", reference, "--no-contracts")
    assert code == 0, out


def test_example_contracts_leave_other_tasks_alone(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository's own runs (another task) meet none of the example's contracts."""
    path = write_manifest(tmp_path / "other.json", example, {"task": "pkg.train:main"})
    code, report = json_report(capsys, path, "--contracts", EXAMPLE_CONTRACTS)
    assert code == 0
    assert [c["check"] for c in report["subjects"][0]["checks"]] == ["parse", "schema", "digest"]
