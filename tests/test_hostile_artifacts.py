"""Hostile input: stored artifacts replaced, removed or redirected after the
manifest that cites them was sealed. ``validate --artifacts`` names each one;
``verify`` does not call such a run verified."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hostile_kit import cli

from conftest import CONF


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    return tmp_path


def example(capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, object]]:
    code, _, err = cli(capsys, "run", "--config-dir", CONF, "hydra.run.dir=out")
    assert code == 0, err
    [path] = Path("manifests").glob("*.json")
    return path, json.loads(path.read_text())


def failures(out: str) -> list[dict[str, str]]:
    return [c for s in json.loads(out)["subjects"] for c in s["checks"] if c["status"] == "fail"]


def test_validate_artifacts_passes_when_the_bytes_are_there(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = example(capsys)
    code, out, _ = cli(
        capsys, "validate", path, "--no-contracts", "--artifacts", "--format", "json"
    )
    assert code == 0 and failures(out) == []
    checks = json.loads(out)["subjects"][0]["checks"]
    assert any(
        c["check"] == "artifacts" and "hold the recorded bytes" in c["message"] for c in checks
    )


def test_validate_artifacts_names_every_changed_missing_or_escaping_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, manifest = example(capsys)
    before = path.read_bytes()
    (project / "out" / "model.npz").write_bytes(b"overwritten")
    (project / "out" / "predictions.csv").unlink()
    code, out, _ = cli(
        capsys, "validate", path, "--no-contracts", "--artifacts", "--format", "json"
    )
    assert code == 1
    found = {c["pointer"]: c for c in failures(out)}
    artifacts = manifest["artifacts"]
    assert isinstance(artifacts, list)
    index = {a["path"]: i for i, a in enumerate(artifacts)}
    changed = found[f"/artifacts/{index['model.npz']}/sha256"]
    assert "changed after it was recorded" in changed["message"]
    assert changed["expected"] == artifacts[index["model.npz"]]["sha256"] != changed["found"]
    gone = found[f"/artifacts/{index['predictions.csv']}/sha256"]
    assert "is not stored here" in gone["message"] and gone["found"] == "absent"
    assert path.read_bytes() == before
    # a symlink that leads out of the run folder is not the artifact
    (project / "out" / "model.npz").unlink()
    os.symlink("/etc/hostname", project / "out" / "model.npz")
    code, out, _ = cli(capsys, "validate", path, "--no-contracts", "--artifacts")
    assert code == 1 and "is not a regular file inside its folder" in out


def test_verify_does_not_verify_a_run_whose_stored_artifact_changed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = example(capsys)
    shutil.copy(project / "out" / "predictions.csv", project / "out" / "model.npz")
    code, out, _ = cli(
        capsys, "verify", path, "--config-dir", CONF, "--no-diagnose", "--format", "json"
    )
    assert code == 1
    [failure] = failures(out)
    assert failure["check"] == "artifacts" and "model.npz changed" in failure["message"]
