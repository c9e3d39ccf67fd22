"""The bundled example uses its seed: ``manifest run seed=3`` prints other
metrics than ``seed=0``, and the same seed prints the same ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import manifests_in, run_example


def metric_line(out: str) -> str:
    """The line ``manifest run`` prints under ``completed ...``: the metrics."""
    lines = out.splitlines()
    assert lines[0].startswith("completed"), out
    return lines[1].strip()


def test_the_seed_changes_every_metric_and_the_same_seed_repeats(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = []
    for seed in ("0", "3", "0"):
        assert run_example(workdir, f"seed={seed}") == 0
        printed.append(metric_line(capsys.readouterr().out))
    assert printed[0] == printed[2]
    assert printed[0] != printed[1]
    first, third, again = manifests_in(workdir / "manifests")
    assert first["metrics"] == again["metrics"]
    assert first["artifacts"] == again["artifacts"]
    assert all(first["metrics"][k] != third["metrics"][k] for k in first["metrics"])
    assert first["seeds"] != third["seeds"]


def test_the_gradient_descent_baseline_varies_across_a_seed_sweep(workdir: Path) -> None:
    assert run_example(workdir, "seed=0,1,2,3,4", multirun=True) == 0
    found = manifests_in(workdir / "manifests")
    assert len({m["metrics"]["log_loss"] for m in found}) == 5


def test_a_bad_train_fraction_fails_the_run_naming_the_key(workdir: Path) -> None:
    assert run_example(workdir, "data.train_fraction=1.5") == 1
    (failed,) = manifests_in(workdir / "manifests")
    assert failed["status"] == "failed"
    assert "data.train_fraction must be in (0, 1]" in failed["error"]["message"]
