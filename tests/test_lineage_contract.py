"""The ``lineage`` contract's audits of the graph, through ``manifest validate``:
``inputs_traceable`` (every hashed input was written by a recorded run, or is
a declared version) and ``upstream_valid`` (every ancestor has a manifest
that validates, and completed), on the bundled example pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lineage_kit import REPO, Chdir, copy_of, recorded_pipeline, run_id, run_stage, stage_ids

from manifest.check.lineage import lineage
from manifest.cli import main
from manifest.core.canonical import manifest_digest, pretty_bytes
from manifest.record.capture.files import sha256_file

CONTRACTS = Path("conf") / "pipeline" / "contracts.yaml"


@pytest.fixture
def project(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A copy of the recorded pipeline, with the repository's conf/ in it."""
    folder = copy_of(recorded_pipeline(tmp_path_factory), tmp_path / "project")
    shutil.copytree(REPO / "conf", folder / "conf")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / ".cache"))  # hashes and the runs index
    return folder


def validate(
    capsys: pytest.CaptureFixture[str], project: Path, *args: str, contracts: Path = CONTRACTS
) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    with Chdir(project):
        code = main(["validate", *args, "--contracts", str(contracts), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def failures(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The failing contract check of each manifest, by run id (from the file name)."""
    return {
        Path(s["subject"]).stem: c
        for s in report["subjects"]
        for c in s["checks"]
        if c["status"] == "fail"
    }


def test_the_pipeline_holds_its_lineage_contract(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = validate(capsys, project, "manifests")
    assert code == 0 and report["counts"]["failures"] == 0
    rows = [c for s in report["subjects"] for c in s["checks"] if c["check"] == "pipeline-lineage"]
    assert len(rows) == 3 and {r["status"] for r in rows} == {"pass"}
    assert "3 known runs: the validated manifests and manifests" in rows[0]["expected"]


def test_one_new_manifest_finds_its_ancestors_in_the_store(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evaluate = stage_ids(project)["evaluate"]
    code, report = validate(capsys, project, f"manifests/{evaluate}.json")
    assert code == 0 and report["counts"]["subjects"] == 1


def test_an_input_written_by_hand_is_not_traceable(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone 'fixes' the prepared data by hand and trains on it: the new
    training run is blamed, with the input, its hash and what is missing."""
    data = project / "outputs" / "pipeline" / "prepare" / "train.npz"
    with np.load(data) as arrays:
        x, y = arrays["x"], arrays["y"]
    np.savez(data, x=x[:-10], y=y[:-10])
    train = run_id(run_stage(project, "train"))
    evaluate = run_id(run_stage(project, "evaluate"))
    code, report = validate(capsys, project, "manifests")
    assert code == 1
    failed = failures(report)
    assert set(failed) == {train}  # evaluate reads a traceable model and test split
    check = failed[train]
    assert check["pointer"] == "/inputs/0/sha256"
    assert check["message"] == "unauditable: missing inputs_traceable"
    assert check["found"] == (
        "inputs_traceable: input 'data.train' (outputs/pipeline/prepare/train.npz, "
        f"sha256 {sha256_file(data)[:12]}): no known run wrote these bytes (5 runs known), "
        "and it declares no version"
    )
    assert evaluate not in failed


def test_without_a_store_only_the_validated_manifests_are_known(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contracts = project / "just-these.yaml"
    contracts.write_text(
        "contracts:\n  - {id: traced, kind: lineage, require: [inputs_traceable],"
        " severity: block, owner: o, action: block}\n"
    )
    ids = stage_ids(project)
    code, report = validate(capsys, project, f"manifests/{ids['train']}.json", contracts=contracts)
    assert code == 1
    assert (
        "no known run wrote these bytes (1 runs known)" in failures(report)[ids["train"]]["found"]
    )
    code, _ = validate(capsys, project, "manifests", contracts=contracts)
    assert code == 0


def _reseal(path: Path, **changes: Any) -> None:
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    manifest["digest"] = manifest_digest(manifest)
    path.write_bytes(pretty_bytes(manifest))


def test_an_edited_ancestor_fails_every_run_downstream(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = stage_ids(project)
    path = project / "manifests" / f"{ids['prepare']}.json"
    manifest = json.loads(path.read_text())
    manifest["metrics"]["positive_rate"] = 0.5  # edited by hand: the digest no longer holds
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    code, report = validate(capsys, project, "manifests")
    assert code == 1
    failed = failures(report)
    assert failed[ids["prepare"]]["check"] == "digest"
    edited = (
        "it does not validate (digest: the digest does not match the content: "
        "the manifest was edited)"
    )
    train, evaluate = failed[ids["train"]], failed[ids["evaluate"]]
    assert train["message"] == "unauditable: missing upstream_valid"
    assert train["pointer"] == "/inputs/0/sha256"
    assert train["found"].startswith(
        f"upstream_valid: input 'data.train' (sha256 {train['found'].split('sha256 ')[1][:12]}) "
        f"comes from run {ids['prepare']} (pipeline/prepare): {edited}"
    )
    # evaluate reads the test split straight from prepare: named by that input, once
    assert evaluate["pointer"] == "/inputs/1/sha256"
    assert evaluate["found"].count(ids["prepare"]) == 1 and "'data.test'" in evaluate["found"]


def test_a_failed_ancestor_two_steps_up(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = stage_ids(project)
    error = {"type": "MemoryError", "message": "out of memory"}
    _reseal(project / "manifests" / f"{ids['prepare']}.json", status="failed", error=error)
    code, report = validate(capsys, project, "manifests")
    assert code == 1
    found = failures(report)[ids["evaluate"]]["found"]
    assert "input 'data.test' (sha256 " in found
    assert (
        f"comes from run {ids['prepare']} (pipeline/prepare): it did not complete (status failed)"
        in found
    )


def test_declared_parents_that_failed_or_have_no_manifest(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run retried after a failure names the failed attempt, and a run
    that no store holds, as its parents."""
    broken = run_id(run_stage(project, "prepare", "data.source=synthetic://nope", expect=1))
    ghost = "20260101T000000Z-deadbeef"
    retry = run_id(run_stage(project, "prepare", f"manifest.parents=[{broken},{ghost}]"))
    code, report = validate(capsys, project, "manifests")
    assert code == 1
    check = failures(report)[retry]
    assert check["pointer"] == "/lineage/parents/0"
    assert check["found"] == (
        f"upstream_valid: parent {broken}: it did not complete (status failed); "
        f"upstream_valid: parent {ghost}: it has no manifest among the 5 known runs"
    )
    assert set(failures(report)) == {retry}


def test_a_rule_that_needs_the_runs_is_not_built_without_them() -> None:
    with pytest.raises(ValueError, match="upstream_valid need the known runs"):
        lineage(require=["owner", "upstream_valid"])
