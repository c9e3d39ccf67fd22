"""``manifest verify --upstream``: replay a pipeline stage by stage.

The example pipeline runs here as a project of its own (``conf/pipeline``
with the stages in a module of the project), so that a test can change one
stage's code, as a pull request would, and see the chain stop there.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lineage_kit import REPO, STAGES, Chdir, run_id, run_pipeline

from manifest.cli import main

MODULE = "hm_lineage_stages"
STAGES_SOURCE = '''"""The example pipeline's stages, as this project's own code."""

from manifest.examples.pipeline import evaluate, prepare, train

__all__ = ["evaluate", "prepare", "train"]
'''
TWEAKED_TRAIN = '''"""The example pipeline's stages, with a tweak to training."""

import numpy as np

from manifest.examples import pipeline
from manifest.examples.pipeline import evaluate, prepare

__all__ = ["evaluate", "prepare", "train"]


def train(cfg):
    metrics = pipeline.train(cfg)
    with np.load("model.npz") as model:
        weights, bias = model["weights"], model["bias"]
    np.savez("model.npz", weights=weights * 1.01, bias=bias)  # the change under review
    return metrics
'''
UNSEEDED_PREPARE = '''"""The example pipeline's stages, with noise nobody seeded in the data."""

import numpy as np

from manifest.examples import pipeline
from manifest.examples.pipeline import evaluate, train

__all__ = ["evaluate", "prepare", "train"]


def prepare(cfg):
    metrics = pipeline.prepare(cfg)
    with np.load("train.npz") as data:
        x, y = data["x"], data["y"]
    np.savez("train.npz", x=x + np.random.default_rng().normal(0, 1e-3, x.shape), y=y)
    return metrics
'''
REPORT_SCHEMA = json.loads((REPO / "schemas" / "verify-report.schema.json").read_text())


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example's configs, with the stages' task in a module of the project."""
    folder = tmp_path / "project"
    shutil.copytree(REPO / "conf", folder / "conf")
    for stage in STAGES:
        config = folder / "conf" / "pipeline" / f"{stage}.yaml"
        text = config.read_text().replace("manifest.examples.pipeline:", f"{MODULE}:")
        config.write_text(text)
    (folder / f"{MODULE}.py").write_text(STAGES_SOURCE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / ".cache"))  # hashes and the runs index
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    return folder


def change_code(project: Path, source: str) -> None:
    (project / f"{MODULE}.py").write_text(source)
    sys.modules.pop(MODULE, None)


def verify_upstream(
    capsys: pytest.CaptureFixture[str], project: Path, run: str, *args: str
) -> tuple[int, dict[str, Any], str]:
    capsys.readouterr()
    with Chdir(project):
        code = main(["verify", "--upstream", run, "--format", "json", *args])
    out, err = capsys.readouterr()
    document: dict[str, Any] = json.loads(out)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    return code, document, err


def verdicts(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["config_name"], s["verdict"]) for s in document["upstream"]["stages"]]


def test_the_pipeline_replays_stage_by_stage(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = {
        stage: run_id(path) for stage, path in run_pipeline(project, conf=project / "conf").items()
    }
    code, document, err = verify_upstream(capsys, project, ids["evaluate"][:21])
    assert code == 0, document
    assert verdicts(document) == [
        ("pipeline/prepare", "verified"),
        ("pipeline/train", "verified"),
        ("pipeline/evaluate", "verified"),
    ]
    assert document["upstream"]["stopped_at"] is None
    assert document["upstream"]["runs"] == [ids["evaluate"]]
    assert f"verify: stage 1/3: pipeline/prepare {ids['prepare']}" in err
    # each stage re-read what the stage before it wrote (and prepare its source)
    inputs = [c for s in document["subjects"] for c in s["checks"] if c["check"] == "input"]
    assert {c["status"] for c in inputs} == {"pass"} and len(inputs) == 4


def test_the_chain_stops_at_the_stage_whose_code_changed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = {
        stage: run_id(path) for stage, path in run_pipeline(project, conf=project / "conf").items()
    }
    change_code(project, TWEAKED_TRAIN)
    code, document, _ = verify_upstream(capsys, project, ids["evaluate"])
    assert code == 1
    assert verdicts(document) == [
        ("pipeline/prepare", "verified"),
        ("pipeline/train", "not-reproduced"),
        ("pipeline/evaluate", "not-run"),
    ]
    assert document["upstream"]["stopped_at"] == ids["train"]
    checks = {
        (Path(s["subject"]).stem, c["check"]): c for s in document["subjects"] for c in s["checks"]
    }
    assert checks[(ids["train"], "artifact")]["status"] == "fail"
    assert "model.npz: not byte-identical" in checks[(ids["train"], "artifact")]["message"]
    diagnoses = [
        c["message"]
        for s in document["subjects"]
        for c in s["checks"]
        if c["check"] == "diagnosis" and ids["train"] in s["subject"]
    ]
    assert any(m.startswith("code changed since the record") for m in diagnoses)
    skipped = checks[(ids["evaluate"], "upstream")]
    assert skipped["status"] == "fail" and skipped["message"] == (
        f"not verified: it derives from {ids['train']} (pipeline/train), which did not reproduce"
    )
    assert not any(
        c["check"] == "rerun" for (run, _), c in checks.items() if run == ids["evaluate"]
    )


def test_the_text_report_names_the_first_stage_that_does_not_reproduce(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = {
        stage: run_id(path) for stage, path in run_pipeline(project, conf=project / "conf").items()
    }
    change_code(project, TWEAKED_TRAIN)
    capsys.readouterr()
    with Chdir(project):
        code = main(["verify", "--upstream", f"manifests/{ids['evaluate']}.json"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[-1] == (
        f"upstream: stopped at stage 2 of 3: pipeline/train {ids['train']} (not-reproduced); "
        f"not run: pipeline/evaluate {ids['evaluate']}"
    )


def test_an_artifact_read_downstream_must_reproduce_byte_for_byte(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """prepare's envelope asks only test.npz to be identical: prepare itself
    verifies, but train reads train.npz, which a re-run does not reproduce."""
    config = project / "conf" / "pipeline" / "prepare.yaml"
    config.write_text(config.read_text().replace('identical: ["*"]', 'identical: ["test.npz"]'))
    change_code(project, UNSEEDED_PREPARE)
    ids = {
        stage: run_id(path) for stage, path in run_pipeline(project, conf=project / "conf").items()
    }
    code, document, _ = verify_upstream(capsys, project, ids["train"])
    assert code == 1
    assert verdicts(document) == [
        ("pipeline/prepare", "not-reproduced"),
        ("pipeline/train", "not-run"),
    ]
    [check] = [c for c in document["subjects"][0]["checks"] if c["check"] == "upstream"]
    assert check["message"] == (
        f"train.npz was not reproduced byte for byte, and {ids['train']} (pipeline/train) "
        "reads it as data.train: the chain cannot be replayed past this stage"
    )


def test_a_missing_ancestor_or_an_unknown_run_cannot_be_replayed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = {
        stage: run_id(path) for stage, path in run_pipeline(project, conf=project / "conf").items()
    }
    with Chdir(project):
        manifest = json.loads(Path(f"manifests/{ids['train']}.json").read_text())
        capsys.readouterr()
        assert main(["verify", "--upstream", "no-such-run"]) == 2
        assert "no-such-run: no such file, and no run with this id" in capsys.readouterr().err
        # the runs a manifest names as parents must be in the store
        child = project / "elsewhere" / "child.json"
        child.parent.mkdir()
        from manifest.core.canonical import manifest_digest, pretty_bytes

        manifest.update(
            run_id="20990101T000000Z-0000000c", lineage={"parents": ["20260101T000000Z-deadbeef"]}
        )
        manifest["digest"] = manifest_digest(manifest)
        child.write_bytes(pretty_bytes(manifest))
        assert main(["verify", "--upstream", str(child)]) == 2
    err = capsys.readouterr().err
    assert (
        f"{child}: /lineage/parents: the parent run 20260101T000000Z-deadbeef has no manifest"
        in err
    )
