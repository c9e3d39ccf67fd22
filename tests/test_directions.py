"""Metric directions: declared in the config (``manifest.metrics``), recorded in
the manifest (``directions``), never guessed from a metric's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import only_manifest, run_example


def test_the_example_records_the_directions_it_declares(workdir: Path) -> None:
    assert run_example(workdir) == 0
    _, manifest = only_manifest(workdir / "manifests")
    assert manifest["directions"] == {
        "accuracy": "higher",
        "log_loss": "lower",
        "precision": "higher",
        "recall": "higher",
    }
    assert "weight_norm" in manifest["metrics"] and "weight_norm" not in manifest["directions"]
    assert manifest["schema_version"] == "1.0"


def test_a_direction_given_on_the_command_line_is_recorded(workdir: Path) -> None:
    assert run_example(workdir, "+manifest.metrics.weight_norm=lower") == 0
    _, manifest = only_manifest(workdir / "manifests")
    assert manifest["directions"]["weight_norm"] == "lower"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        pytest.param(
            "manifest.metrics.accuracy=up",
            "manifest.metrics.accuracy: bad value in the manifest settings "
            "(expected higher or lower, found 'up')",
            id="bad-word",
        ),
        pytest.param(
            "manifest.metrics=[accuracy]",
            "Error merging override manifest.metrics=[accuracy]",
            id="not-a-mapping",
        ),
    ],
)
def test_a_bad_direction_is_a_config_error(
    workdir: Path, capsys: pytest.CaptureFixture[str], override: str, expected: str
) -> None:
    assert run_example(workdir, override) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not (workdir / "manifests").exists()
