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


def test_each_metric_takes_its_direction_from_the_runs_then_the_declarations() -> None:
    from manifest.comparison.directions import Direction, resolve
    from manifest.comparison.groups import Run

    def run(path: str, **directions: str) -> Run:
        return Run(path, path, "sha256:" + path, (), {}, directions=directions)

    runs = [run("a.json"), run("b.json", acc="higher"), run("c.json", acc="higher", loss="lower")]
    policy = ("the policy", {"loss": "lower", "f1": "higher"})
    flags = ("--direction", {"latency": "lower", "f1": "higher"})
    assert resolve(["acc", "loss", "f1", "latency", "other"], runs, [policy, flags]) == {
        "acc": Direction("higher", "declared by the runs"),
        "loss": Direction("lower", "declared by the runs"),
        "f1": Direction("higher", "the policy"),  # the first declaration names the source
        "latency": Direction("lower", "--direction"),
        "other": Direction(None, "not declared"),
    }


@pytest.mark.parametrize(
    ("runs", "declared", "said"),
    [
        pytest.param(
            [("a.json", "higher"), ("b.json", "lower")],
            [],
            "metric 'acc' has two directions: higher (declared by the runs, e.g. a.json) and "
            "lower (declared by b.json)",
            id="two-runs",
        ),
        pytest.param(
            [("a.json", "higher")],
            [("the policy", "lower")],
            "metric 'acc' has two directions: higher (declared by the runs, e.g. a.json) and "
            "lower (the policy)",
            id="runs-and-policy",
        ),
        pytest.param(
            [],
            [("the policy", "higher"), ("--direction", "lower")],
            "metric 'acc' has two directions: higher (the policy) and lower (--direction)",
            id="policy-and-flag",
        ),
    ],
)
def test_directions_that_disagree_are_an_error_naming_both(
    runs: list[tuple[str, str]], declared: list[tuple[str, str]], said: str
) -> None:
    from manifest.comparison.directions import DirectionError, resolve
    from manifest.comparison.groups import Run

    recorded = [Run(p, p, "sha256:x", (), {}, directions={"acc": d}) for p, d in runs]
    with pytest.raises(DirectionError) as raised:
        resolve(["acc"], recorded, [(label, {"acc": d}) for label, d in declared])
    first, second = said.split(": ", 1)[1].split(" and ")
    assert raised.value.describe() == (
        f"/directions/acc: {said} (expected one direction per metric, found "
        f"{first.split()[0]} and {second.split()[0]}); "
        "make the run configs, the policy and --direction agree"
    )
    assert raised.value.exit_code == 2


def test_improvement_is_signed_by_direction_and_undeclared_is_higher() -> None:
    from manifest.comparison.directions import how_to_declare, improvement

    assert (improvement("higher", 0.5), improvement("lower", 0.5), improvement(None, -0.5)) == (
        0.5,
        -0.5,
        -0.5,
    )
    assert how_to_declare("acc") == (
        "no direction is declared for 'acc', so no side is called better or worse: declare it "
        "in the run config (manifest.metrics: {acc: higher}, or lower), in the policy's rule, "
        "or with --direction acc=higher|lower"
    )
