"""`manifest show`, `ls` and `diff` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CONF, run_cli, run_example


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
    assert f"  accuracy ↑   =  {manifest['metrics']['accuracy']:.6g}" in out
    assert "  weight_norm  =  " in out  # no declared direction
    assert (
        "params\n  data.n_features       =  10\n" in out and "  seed                  =  1\n" in out
    )
    assert "  model.npz" in out and "overrides" in out and "seed=1" in out
    assert run_cli("show", "--format", "json", str(first)) == 0
    assert json.loads(capsys.readouterr().out) == manifest


def shared_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` have in common."""
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def test_show_by_run_id(two_runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    first, second = (json.loads(p.read_text()) for p in two_runs)
    # The shortest prefixes that tell the two apart: run ids made in the same
    # second share their time and may share the first digits of the suffix.
    shared = shared_prefix(first["run_id"], second["run_id"])
    suffix = first["run_id"].split("-")[1]
    # at least five digits: a shorter one could also begin a run id ("2026...")
    unique = max(shared_prefix(suffix, second["run_id"].split("-")[1]) + 1, 5)
    for ref in (first["run_id"], first["run_id"][: shared + 1], suffix[:unique]):
        capsys.readouterr()
        assert run_cli("show", ref) == 0, ref
        assert f"run       {first['run_id']}" in capsys.readouterr().out
    assert run_cli("show", "2") == 2
    err = capsys.readouterr().err
    assert "ambiguous" in err and first["run_id"] in err and second["run_id"] in err
    assert run_cli("show", "zzzz") == 2
    assert "zzzz: no such file, and no run with this id" in capsys.readouterr().err
    assert run_cli("show", "--store", "elsewhere", first["run_id"]) == 2
    assert "no folder of manifests" in capsys.readouterr().err


def test_ls(two_runs: tuple[Path, Path], workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "manifests" / "broken.json").write_text("{")
    capsys.readouterr()
    assert run_cli("ls", str(workdir / "manifests")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "run_id", "status", "created", "folder", "config",
        "accuracy", "↑", "log_loss", "↓", "precision", "↑", "recall", "↑", "weight_norm",
        "optimizer.lr", "seed", "error",
    ]  # fmt: skip
    first, second = (json.loads(p.read_text()) for p in two_runs)
    assert lines[1].split()[:2] == [first["run_id"], "completed"]
    assert lines[1].split()[4:6] == [str(workdir / "manifests"), "config"]
    assert lines[1].split()[-2:] == ["0.5", "1"]
    assert lines[2].split()[:2] == [second["run_id"], "completed"]
    assert lines[2].split()[5] == "config" and lines[2].split()[-2:] == ["0.1", "0"]
    assert "unreadable" in lines[3] and lines[3].endswith(
        "truncated: Expecting property name enclosed in double quotes at line 1 column 2"
    )
    assert lines[4] == f"3 runs in {workdir / 'manifests'}; best first: --sort=-metrics.accuracy"
    assert run_cli("ls", "--format", "json", str(workdir / "manifests")) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r.get("run_id") for r in rows] == [first["run_id"], second["run_id"], None]


def test_diff(two_runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    first, second = two_runs
    capsys.readouterr()
    assert run_cli("diff", str(first), str(second)) == 0
    out = capsys.readouterr().out
    assert out.index("params:") < out.index("metrics:") < out.index("run:")
    assert "optimizer.lr" in out and "seed" in out and "log_loss" in out
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


def test_diff_and_show_of_empty_sections_name_no_empty_key(
    two_runs: tuple[Path, Path], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run with no params or artifacts against one with some: each key of
    the other side is added or removed, and no key named "" appears."""
    first, _ = two_runs
    empty = json.loads(first.read_text())
    empty["params"], empty["artifacts"] = {}, []
    (workdir / "empty.json").write_text(json.dumps(empty))
    capsys.readouterr()
    assert run_cli("diff", "--format", "json", str(first), str(workdir / "empty.json")) == 0
    changes = json.loads(capsys.readouterr().out)
    for section in ("params", "artifacts"):
        assert changes[section] and {r["change"] for r in changes[section]} == {"removed"}
        assert "" not in {r["key"] for r in changes[section]}
    assert run_cli("show", str(workdir / "empty.json")) == 0
    assert "  =  {}" not in capsys.readouterr().out


def test_diff_folds_environment_noise(
    two_runs: tuple[Path, Path], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = (json.loads(p.read_text()) for p in two_runs)
    packages = second["environment"]["packages"]
    for name in list(packages)[:5]:
        packages[name] = "0.0.1"
    second["environment"]["packages"]["brand-new"] = "1.0"
    second["code"]["git"] = {
        "available": True,
        "commit": "a" * 40,
        "dirty": True,
        "diff_sha256": None,
        "changed": [f"untracked-{i}.txt" for i in range(30)],
    }
    (workdir / "b.json").write_text(json.dumps(second))
    capsys.readouterr()
    assert run_cli("diff", first["run_id"][-8:], "b.json") == 0
    out = capsys.readouterr().out
    assert "  packages: 6 changed (" in out and "--all lists them" in out
    assert (
        "  git.changed: 30 changed (untracked-0.txt, untracked-1.txt, untracked-10.txt, ...;" in out
    )
    assert "untracked-29.txt" not in out and len(out.splitlines()) < 30
    assert run_cli("diff", "--all", first["run_id"], "b.json") == 0
    full = capsys.readouterr().out
    assert "untracked-29.txt" in full and "packages.brand-new" in full
    assert run_cli("diff", "--format", "markdown", first["run_id"], "b.json") == 0
    md = capsys.readouterr().out
    assert "**params**" in md and "| `optimizer.lr` | 0.5 | 0.1 |  |" in md
    assert "packages: 6 changed" in md
    assert run_cli("diff", first["run_id"]) == 2
    assert "diff takes two runs" in capsys.readouterr().err


def test_views_refuse_bad_input(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "bad.json").write_text("[1, 2")
    assert run_cli("show", str(workdir / "bad.json")) == 2  # input show cannot use
    assert "bad.json: truncated" in capsys.readouterr().err
    assert run_cli("diff", str(workdir / "bad.json"), str(workdir / "nope.json")) == 2
    assert run_cli("show", str(workdir / "nope.json")) == 2
    assert "nope.json: no such file" in capsys.readouterr().err


def test_verify_by_run_id(two_runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    first = json.loads(two_runs[0].read_text())
    capsys.readouterr()
    assert (
        run_cli(
            "verify", "--config-dir", str(CONF), "--no-diagnose", first["run_id"].split("-")[1][:6]
        )
        == 0
    )
    assert f"{two_runs[0].name}" in capsys.readouterr().out
