"""`manifest show`, `ls` and `diff` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, run_example


@pytest.fixture
def two_runs(workdir: Path) -> tuple[Path, Path]:
    assert run_example(workdir, "seed=1") == 0
    assert run_example(workdir, "optimizer.lr=0.1") == 0
    paths = sorted((workdir / "manifests").glob("*.json"))
    by_created = sorted(paths, key=lambda p: json.loads(p.read_text())["created"])
    return by_created[0], by_created[1]


def test_show(two_runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = two_runs
    capsys.readouterr()
    assert run_cli("show", str(first)) == 0
    out = capsys.readouterr().out
    manifest = json.loads(first.read_text())
    assert f"run       {manifest['run_id']}  completed" in out
    assert "task      manifest.examples.logreg:train  (config config)" in out
    assert f"  accuracy = {manifest['metrics']['accuracy']:.6g}" in out
    assert "  model.npz" in out and "overrides" in out and "seed=1" in out
    assert run_cli("show", "--format", "json", str(first)) == 0
    assert json.loads(capsys.readouterr().out) == manifest


def test_ls(two_runs: tuple[Path, Path], workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "manifests" / "broken.json").write_text("{")
    capsys.readouterr()
    assert run_cli("ls", str(workdir / "manifests")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["RUN", "STATUS", "CREATED", "CONFIG", "OVERRIDES", "METRICS"]
    first, second = (json.loads(p.read_text()) for p in two_runs)
    assert (
        lines[1].endswith(
            "unreadable  truncated: Expecting property name enclosed in double "
            "quotes at line 1 column 2"
        )
        or "unreadable" in lines[1]
    )
    assert first["run_id"] in lines[2] and "seed=1" in lines[2]
    assert second["run_id"] in lines[3] and "optimizer.lr=0.1" in lines[3]
    assert "accuracy=" in lines[2] and "+2" in lines[2]
    assert run_cli("ls", "--format", "json", str(workdir / "manifests")) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r.get("run_id") for r in rows][1:] == [first["run_id"], second["run_id"]]


def test_diff(two_runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    first, second = two_runs
    capsys.readouterr()
    assert run_cli("diff", str(first), str(second)) == 0
    out = capsys.readouterr().out
    assert "params:" in out and "optimizer.lr" in out and "seed" in out
    assert "metrics:" in out and "log_loss" in out
    assert "artifacts:" in out and "model.npz.sha256" in out
    assert "environment:" not in out  # same machine, same packages
    assert run_cli("diff", "--format", "json", str(first), str(second)) == 0
    changes = json.loads(capsys.readouterr().out)
    lr = next(r for r in changes["params"] if r["key"] == "optimizer.lr")
    assert lr == {"key": "optimizer.lr", "old": 0.5, "new": 0.1, "change": "changed"}
    acc = next(r for r in changes["metrics"] if r["key"] == "log_loss")
    assert acc["delta"] == pytest.approx(acc["new"] - acc["old"])
    assert run_cli("diff", str(first), str(first)) == 0
    assert "no differences" in capsys.readouterr().out


def test_views_refuse_bad_input(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "bad.json").write_text("[1, 2")
    assert run_cli("show", str(workdir / "bad.json")) == 1
    assert "bad.json: truncated" in capsys.readouterr().err
    assert run_cli("diff", str(workdir / "bad.json"), str(workdir / "nope.json")) == 1
    assert run_cli("show", str(workdir / "nope.json")) == 2
    assert "nope.json: no such file" in capsys.readouterr().err
