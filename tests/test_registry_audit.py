"""``registry verify``'s audit (manifest/registry/audit.py), check by check.

Each promotion cites a gate report (by path and digest) and the manifests it
promoted (by path, run id and digest). The audit must fail a promotion for
each way the evidence can disagree with the history, name the field, and
say what the history expected and what was found; and pass, once, when all
of it holds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from runfactory import sweep

from manifest.core.canonical import digest_of, manifest_digest, pretty_bytes
from manifest.core.results import FAIL, PASS, WARN, Check
from manifest.registry.audit import audit, audit_report
from manifest.registry.store import ModelRecord

REPORT = "reports/m/v1.gate.json"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    root = tmp_path_factory.mktemp("audit")
    return {
        "base": sorted(sweep(root, "base", {"accuracy": [0.80, 0.81]}).glob("*.json")),
        "good": sorted(sweep(root, "good", {"accuracy": [0.85, 0.86]}).glob("*.json")),
    }


def ref(path: Path) -> dict[str, str]:
    manifest = json.loads(path.read_text())
    return {"path": str(path), "run_id": manifest["run_id"], "digest": manifest["digest"]}


def gate_report(candidate: list[Path], baseline: list[Path], **fields: Any) -> dict[str, Any]:
    return {
        "kind": "gate-report",
        "decision": "pass",
        "policy": {"digest": "sha256:policy"},
        "candidate": {"runs": [ref(p) for p in candidate]},
        "baseline": {"runs": [ref(p) for p in baseline]},
    } | fields


def record_of(
    folder: Path,
    runs: dict[str, list[Path]],
    report: Any,
    *,
    history: dict[str, Any] | None = None,
    write: bool = True,
) -> ModelRecord:
    """A registry whose one promotion cites ``report`` (written as is)."""
    path = folder / REPORT
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pretty_bytes(report))
    entry = {
        "action": "promote",
        "version": 1,
        "manifests": [ref(p) for p in runs["good"]],
        "baseline": [ref(p) for p in runs["base"]],
        "gate": {
            "report": REPORT,
            "report_digest": digest_of(report),
            "decision": "pass",
            "policy_digest": "sha256:policy",
        },
    }
    entry["gate"] |= history or {}
    rollback = {"action": "rollback", "version": 0}
    document = {"model": "m", "history": [entry, rollback]}
    return ModelRecord(folder / "m.json", document)


def failed(checks: list[Check]) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.check, c.message, c.expected, c.found) for c in checks if c.status == FAIL]


def test_evidence_that_holds_passes_once_per_kind(
    tmp_path: Path, runs: dict[str, list[Path]]
) -> None:
    record = record_of(tmp_path, runs, gate_report(runs["good"], runs["base"]))
    checks = audit(record)
    assert [(c.subject, c.check, c.status, c.message) for c in checks] == [
        ("m v1", "gate-report", PASS, "the gate report matches the history"),
        ("m v1", "manifest", PASS, "the promoted manifests hold"),
    ]
    report = audit_report([record, record])
    assert report.command == "registry verify"
    assert report.subjects == ("m v1",)
    assert len(report.checks) == 4


def test_the_order_of_the_runs_in_the_report_does_not_matter(
    tmp_path: Path, runs: dict[str, list[Path]]
) -> None:
    report = gate_report(runs["good"][::-1], runs["base"][::-1])
    assert failed(audit(record_of(tmp_path, runs, report))) == []


@pytest.mark.parametrize(
    ("change", "field", "expected", "found"),
    [
        ({"decision": "warn"}, "decision", "pass", "warn"),
        ({"policy": {"digest": "sha256:other"}}, "policy", "sha256:policy", "sha256:other"),
        ({"policy": None}, "policy", "sha256:policy", "None"),
    ],
)
def test_a_report_that_disagrees_with_the_history_names_the_field(
    tmp_path: Path,
    runs: dict[str, list[Path]],
    change: dict[str, Any],
    field: str,
    expected: str,
    found: str,
) -> None:
    report = gate_report(runs["good"], runs["base"], **change)
    checks = audit(record_of(tmp_path, runs, report))
    message = f"the gate report's {field} is not what the history records"
    assert failed(checks) == [(f"gate-report.{field}", message, expected, found)]
    assert [c.pointer for c in checks if c.status == FAIL] == ["/history/0/gate/report"]


@pytest.mark.parametrize("side", ["candidate", "baseline"])
def test_a_report_that_judged_other_runs_is_caught(
    tmp_path: Path, runs: dict[str, list[Path]], side: str
) -> None:
    judged = {"candidate": runs["good"][:1], "baseline": runs["base"][:1]}[side]
    others = {"candidate": (judged, runs["base"]), "baseline": (runs["good"], judged)}[side]
    report = gate_report(*others)
    [(check, message, expected, found)] = failed(audit(record_of(tmp_path, runs, report)))
    assert check == f"gate-report.{side}"
    assert message == f"the gate report's {side} is not what the history records"
    recorded = sorted(ref(p)["digest"] for p in runs["good" if side == "candidate" else "base"])
    assert expected == str(recorded)
    assert found == str([ref(judged[0])["digest"]])


def test_runs_missing_from_the_report_are_caught(
    tmp_path: Path, runs: dict[str, list[Path]]
) -> None:
    report = gate_report(runs["good"], runs["base"])
    report["candidate"] = {}
    report["baseline"] = {"runs": ["not a run", None]}
    checks = failed(audit(record_of(tmp_path, runs, report)))
    assert [(c[0], c[3]) for c in checks] == [
        ("gate-report.candidate", "[]"),
        ("gate-report.baseline", "[]"),
    ]


def test_a_promotion_the_gate_blocked_fails_even_when_the_history_agrees(
    tmp_path: Path, runs: dict[str, list[Path]]
) -> None:
    report = gate_report(runs["good"], runs["base"], decision="block")
    record = record_of(tmp_path, runs, report, history={"decision": "block"})
    assert failed(audit(record)) == [
        ("gate-report.decision", "promoted although the gate blocked", None, None)
    ]


@pytest.mark.parametrize("report", [["a", "list"], {"kind": "verify-report"}, {}])
def test_a_file_that_is_not_a_gate_report_fails(
    tmp_path: Path, runs: dict[str, list[Path]], report: Any
) -> None:
    checks = audit(record_of(tmp_path, runs, report))
    assert failed(checks) == [("gate-report", "not a gate report", None, None)]


def test_an_edited_report_is_caught_by_its_digest(
    tmp_path: Path, runs: dict[str, list[Path]]
) -> None:
    report = gate_report(runs["good"], runs["base"])
    record = record_of(tmp_path, runs, report)
    edited = report | {"note": "edited"}
    (tmp_path / REPORT).write_bytes(pretty_bytes(edited))
    assert failed(audit(record)) == [
        (
            "gate-report",
            f"{tmp_path / REPORT} was edited: it is not the gate report that was recorded",
            digest_of(report),
            digest_of(edited),
        )
    ]


def test_a_missing_report_cannot_be_read(tmp_path: Path, runs: dict[str, list[Path]]) -> None:
    record = record_of(tmp_path, runs, gate_report(runs["good"], runs["base"]), write=False)
    [(check, message, _, _)] = failed(audit(record))
    assert check == "gate-report"
    assert message.startswith("the gate report cannot be read: ")
    assert REPORT in message


def test_a_promoted_manifest_that_is_gone_is_a_warning(
    tmp_path: Path, runs: dict[str, list[Path]]
) -> None:
    moved = {k: [shutil.copy(p, tmp_path / f"{k}-{p.name}") for p in v] for k, v in runs.items()}
    copies = {k: [Path(p) for p in v] for k, v in moved.items()}
    record = record_of(tmp_path, copies, gate_report(copies["good"], copies["base"]))
    copies["good"][1].unlink()
    checks = audit(record)
    assert failed(checks) == []
    [warning] = [c for c in checks if c.status == WARN]
    assert warning.message == f"{copies['good'][1]} is not here to check"
    assert warning.pointer == "/history/0/manifests/1"


@pytest.mark.parametrize("what", ["resealed", "damaged", "run_id"])
def test_a_promoted_manifest_that_is_not_the_one_promoted_fails(
    tmp_path: Path, runs: dict[str, list[Path]], what: str
) -> None:
    copies = {
        k: [Path(shutil.copy(p, tmp_path / f"{k}-{p.name}")) for p in v] for k, v in runs.items()
    }
    record = record_of(tmp_path, copies, gate_report(copies["good"], copies["base"]))
    victim = copies["good"][1]
    recorded = ref(victim)
    manifest = json.loads(victim.read_text())
    if what == "run_id":  # the history names another run with these bytes
        record.document["history"][0]["manifests"][1]["run_id"] = "someone-else"
    else:
        manifest["metrics"]["accuracy"] = 0.99
        if what == "resealed":
            manifest["digest"] = manifest_digest(manifest)
        victim.write_bytes(pretty_bytes(manifest))
    [fail] = [c for c in audit(record) if c.status == FAIL]
    assert (fail.check, fail.pointer) == ("manifest", "/history/0/manifests/1")
    assert (fail.expected, fail.found) == (recorded["digest"], manifest["digest"])
    said = f"{victim} is not the manifest that was promoted"
    if what == "damaged":
        assert fail.message.startswith(said + ": ") and "digest" in fail.message
    else:
        assert fail.message == said


def test_each_promotion_is_audited_under_its_own_name_and_place(
    tmp_path: Path, runs: dict[str, list[Path]]
) -> None:
    record = record_of(tmp_path, runs, ["not", "a", "report"])
    first = record.document["history"][0]
    second = json.loads(json.dumps(first)) | {"version": 2}
    second["manifests"][1]["path"] = str(tmp_path / "gone.json")
    record.document["history"].append(second)  # promote, rollback, promote
    checks = [(c.subject, c.check, c.status, c.pointer) for c in audit(record)]
    assert checks == [
        ("m v1", "gate-report", FAIL, "/history/0/gate/report"),
        ("m v1", "manifest", PASS, ""),
        ("m v2", "gate-report", FAIL, "/history/2/gate/report"),
        ("m v2", "manifest", WARN, "/history/2/manifests/1"),
    ]


def test_where_an_unreadable_or_edited_report_is_cited(
    tmp_path: Path, runs: dict[str, list[Path]]
) -> None:
    report = gate_report(runs["good"], runs["base"], decision="block")
    record = record_of(tmp_path, runs, report, history={"decision": "block"})
    (tmp_path / REPORT).write_bytes(pretty_bytes(report | {"note": "edited"}))
    found = [(c.subject, c.check, c.pointer) for c in audit(record) if c.status == FAIL]
    assert found == [
        ("m v1", "gate-report", "/history/0/gate/report"),
        ("m v1", "gate-report.decision", "/history/0/gate/report"),
    ]
    (tmp_path / REPORT).unlink()
    found = [(c.subject, c.check, c.pointer) for c in audit(record) if c.status == FAIL]
    assert found == [("m v1", "gate-report", "/history/0/gate/report")]
