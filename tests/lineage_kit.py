"""Helpers of the lineage tests: slim records made by hand, and the bundled
example pipeline (``conf/pipeline/``) recorded through the CLI."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from manifest.cli import main
from manifest.lineage.records import Artifact, Input, RunRecord

REPO = Path(__file__).resolve().parent.parent
STAGES = ("prepare", "train", "evaluate")


def sha(text: str) -> str:
    """A stand-in sha256 for the bytes called ``text``."""
    return hashlib.sha256(text.encode()).hexdigest()


def rec(
    run_id: str,
    created: str,
    *,
    writes: tuple[str, ...] = (),
    reads: tuple[str, ...] = (),
    versions: tuple[str, ...] = (),
    parents: tuple[str, ...] = (),
    status: str = "completed",
    digest: str | None = None,
) -> RunRecord:
    """A record of run ``run_id`` started at ``created`` (``"T01"`` sorts
    before ``"T02"``) that wrote the bytes ``writes`` and read ``reads``."""
    inputs = [
        Input(f"in.{name}", f"data/{name}", sha(name), None, i) for i, name in enumerate(reads)
    ]
    inputs += [
        Input(f"src.{i}", text, None, text.split("://", 1)[1], len(inputs) + i)
        for i, text in enumerate(versions)
    ]
    return RunRecord(
        run_id=run_id,
        path=f"manifests/{run_id}.json",
        digest=digest or f"sha256:{sha(run_id)}",
        status=status,
        config_name=f"cfg-{run_id}",
        task="pkg:task",
        created=created,
        artifacts=tuple(Artifact(f"{name}.bin", sha(name), "output") for name in writes),
        inputs=tuple(inputs),
        parents=parents,
    )


class Chdir:
    def __init__(self, path: Path) -> None:
        self.path, self.old = path, ""

    def __enter__(self) -> None:
        self.old = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        os.chdir(self.old)


def run_stage(
    project: Path, stage: str, *overrides: str, conf: Path = REPO / "conf", expect: int = 0
) -> Path:
    """``manifest run --config-name pipeline/STAGE`` in ``project``; the new manifest."""
    store = project / "manifests"
    before = set(store.glob("*.json"))
    with Chdir(project):
        code = main(
            ["run", "--config-dir", str(conf), "--config-name", f"pipeline/{stage}", *overrides]
        )
    assert code == expect, f"pipeline/{stage} exited {code}"
    (new,) = set(store.glob("*.json")) - before
    return new


def run_pipeline(
    project: Path, *prepare_overrides: str, conf: Path = REPO / "conf"
) -> dict[str, Path]:
    """The three stages, in order; each stage's manifest path."""
    paths = {"prepare": run_stage(project, "prepare", *prepare_overrides, conf=conf)}
    paths["train"] = run_stage(project, "train", conf=conf)
    paths["evaluate"] = run_stage(project, "evaluate", conf=conf)
    return paths


def run_id(path: Path) -> str:
    document: dict[str, Any] = json.loads(path.read_text())
    return str(document["run_id"])


def recorded_pipeline(factory: pytest.TempPathFactory) -> Path:
    """A project folder where the example pipeline was recorded once (per
    test session): copy it before changing anything."""
    if "pipeline" not in _recorded:
        project = factory.mktemp("pipeline")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("XDG_CACHE_HOME", str(project / ".cache"))
            run_pipeline(project)
        _recorded["pipeline"] = project
    return _recorded["pipeline"]


_recorded: dict[str, Path] = {}


def copy_of(project: Path, target: Path) -> Path:
    """A copy of the project folder ``project`` at ``target``."""
    import shutil

    shutil.copytree(project, target)
    return target


def stage_ids(project: Path) -> dict[str, str]:
    """The run id of each stage recorded in ``project``, the first of each."""
    found: dict[str, str] = {}
    for path in sorted((project / "manifests").glob("*.json")):
        document = json.loads(path.read_text())
        stage = str(document.get("config_name", "")).removeprefix("pipeline/")
        found.setdefault(stage, str(document["run_id"]))
    return found
