"""Hostile input to compare, gate and the registry: inflated evidence (copies
of one run), and registry entries that do not match their evidence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hostile_kit import cli, tree
from runfactory import sweep

from manifest.core.canonical import manifest_digest, pretty_bytes
from manifest.registry.history import new_entry
from manifest.registry.store import append, load

POLICY = """
rules:
  - {metric: accuracy, direction: higher, threshold: 0.8}
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile-registry")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return {
        "base": sweep(root, "base", {"accuracy": [0.80, 0.81, 0.82, 0.81, 0.80]}),
        "good": sweep(root, "good", {"accuracy": [0.85, 0.86, 0.84, 0.86, 0.85]}),
        "other": sweep(root, "other", {"accuracy": [0.87, 0.88, 0.86, 0.88, 0.87]}),
        "policy": root / "policy.yaml",
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Ada\n\temail = ada@example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def inflated(runs: dict[str, Path], folder: Path) -> Path:
    """One real run under five names, and one run sealed again under the
    same run id with another metric value."""
    folder.mkdir()
    first = sorted(runs["good"].glob("*.json"))[0]
    for n in range(5):
        shutil.copy(first, folder / f"copy-{n}.json")
    manifest: dict[str, Any] = json.loads(first.read_text())
    manifest["metrics"]["accuracy"] = 0.99
    manifest["digest"] = manifest_digest(manifest)
    (folder / "resealed.json").write_bytes(pretty_bytes(manifest))
    return folder


def test_compare_counts_copies_once(
    runs: dict[str, Path], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = inflated(runs, home / "inflated")
    code, out, _ = cli(capsys, "compare", runs["base"], folder, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert len(report["candidate"]["runs"]) == 1
    copies = report["candidate"]["copies"]
    assert len(copies) == 5
    assert sum("same digest" in c["reason"] for c in copies) == 4
    assert sum("run id" in c["reason"] and "another digest" in c["reason"] for c in copies) == 1
    code, out, _ = cli(capsys, "compare", runs["base"], folder)
    assert "copies of a run" in out or "counted once" in out


def test_gate_and_registry_count_copies_once_and_say_so(
    runs: dict[str, Path], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = inflated(runs, home / "inflated")
    args = [runs["base"], folder, "--policy", runs["policy"], "--format", "json"]
    code, out, _ = cli(capsys, "gate", *args)
    report = json.loads(out)
    assert len(report["candidate"]["runs"]) == 1
    [copies] = [c for c in report["checks"] if c["id"] == "copies.candidate"]
    assert copies["severity"] == "warn" and copies["evidence"]["copies"]
    assert report["decision"] in ("warn", "block") and code in (0, 1)
    code, out, _ = cli(
        capsys,
        "registry",
        "promote",
        "m",
        folder,
        "--baseline",
        runs["base"],
        "--policy",
        runs["policy"],
    )
    assert "copies.candidate" in out and "counted once" in out
    record = load(Path("registry"), "m")
    if record is not None:  # promoted with a warning: one run, not six
        assert len(record.history[0]["manifests"]) == 1


def promote(runs: dict[str, Path], capsys: pytest.CaptureFixture[str], candidate: str) -> None:
    code, _, err = cli(
        capsys,
        "registry",
        "promote",
        "m",
        runs[candidate],
        "--baseline",
        runs["base"],
        "--policy",
        runs["policy"],
    )
    assert code == 0, err


def test_registry_verify_checks_every_entry_against_its_evidence(
    runs: dict[str, Path], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    promote(runs, capsys, "good")
    code, out, _ = cli(capsys, "registry", "verify")
    assert code == 0 and "registry verify: 1 manifest checked, 0 failed" in out
    report_path = home / "registry" / "reports" / "m" / "v1.gate.json"
    saved = report_path.read_bytes()

    report_path.unlink()  # a deleted gate report
    code, out, _ = cli(capsys, "registry", "verify", "m")
    assert code == 1 and "m v1" in out and "the gate report cannot be read" in out
    assert cli(capsys, "registry", "show", "m")[0] == 1
    assert cli(capsys, "registry", "history", "m")[0] == 1

    report_path.write_bytes(saved)
    victim = sorted(runs["good"].glob("*.json"))[0]
    original = victim.read_bytes()
    try:  # a promoted manifest edited and sealed again
        manifest = json.loads(original)
        manifest["metrics"]["accuracy"] = 0.5
        manifest["digest"] = manifest_digest(manifest)
        victim.write_bytes(pretty_bytes(manifest))
        code, out, _ = cli(capsys, "registry", "verify", "--format", "json")
        assert code == 1
        failed = [
            c for s in json.loads(out)["subjects"] for c in s["checks"] if c["status"] == "fail"
        ]
        assert [c["check"] for c in failed] == ["manifest"]
        assert "is not the manifest that was promoted" in failed[0]["message"]
    finally:
        victim.write_bytes(original)
    assert cli(capsys, "registry", "verify")[0] == 0


def test_an_entry_whose_report_judged_other_manifests_is_caught(
    runs: dict[str, Path], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A registry file made by hand: its chain hashes, its report's digest is
    right, but the report judged other runs than the entry promotes."""
    promote(runs, capsys, "good")
    root = home / "registry"
    record = load(root, "m")
    assert record is not None
    real = record.history[0]
    others = [
        {"path": str(p), "run_id": json.loads(p.read_text())["run_id"], "digest": d}
        for p in sorted(runs["other"].glob("*.json"))
        for d in [json.loads(p.read_text())["digest"]]
    ]
    details = {k: real[k] for k in ("manifests", "baseline", "gate")}
    details["manifests"] = others  # promotes runs the gate never saw
    entry = new_entry(
        record.history,
        action="promote",
        version=2,
        who="mallory",
        when=real["when"],
        details=details,
    )
    before = tree(root)
    append(root, "m", entry, expected_head=record.head)
    code, out, _ = cli(capsys, "registry", "verify", "m")
    assert code == 1
    assert "m v2" in out and "the gate report's candidate is not what the history records" in out
    assert len(tree(root)) == len(before)  # nothing else written
