"""``manifest lineage`` end to end: the bundled example pipeline
(``conf/pipeline/``: prepare -> train -> evaluate) recorded with
``manifest run``, its graph in every format, and the incident query after a
data file is replaced."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from lineage_kit import Chdir, recorded_pipeline, run_id, run_pipeline, run_stage, stage_ids

from manifest.cli import main
from manifest.core.canonical import manifest_digest, pretty_bytes
from manifest.record.capture.files import sha256_file


def lineage(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    with Chdir(project):
        code = main(["lineage", *args])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> dict[str, Any]:
    code, out, err = lineage(capsys, project, *args, "--format", "json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


@pytest.fixture(autouse=True)
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runs index of each test in a folder of its own."""
    monkeypatch.setenv("HYDRA_MANIFEST_INDEX_DIR", str(tmp_path / "index"))


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The example pipeline recorded once: the project folder, each stage's run id."""
    project = recorded_pipeline(tmp_path_factory)
    return project, stage_ids(project)


def test_the_pipeline_graph(
    pipeline: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    project, ids = pipeline
    document = as_json(capsys, project, ids["evaluate"])
    edges = {
        (e["from"], e["to"], e["kind"], (e.get("artifact") or {}).get("path"), e["input"]["key"])
        for e in document["edges"]
    }
    prepare, train, evaluate = (f"run:{ids[s]}" for s in ("prepare", "train", "evaluate"))
    assert edges == {
        (prepare, train, "content", "train.npz", "data.train"),
        (prepare, evaluate, "content", "test.npz", "data.test"),
        (train, evaluate, "content", "model.npz", "model"),
        ("source:synthetic://logreg/v1", prepare, "source", None, "data.source"),
    }
    sides = {n["id"]: (n["side"], n["distance"]) for n in document["nodes"]}
    assert sides[evaluate] == ("root", 0) and sides[train] == ("upstream", 1)
    assert sides[prepare] == ("upstream", 1)  # evaluate reads its test split directly
    assert document["problems"] == []
    # a config in a folder of conf/ runs as a job named after its file
    recorded = json.loads((project / "manifests" / f"{ids['prepare']}.json").read_text())
    assert recorded["hydra"]["job_name"] == "prepare"
    assert recorded["hydra"]["run_dir"] == "outputs/pipeline/prepare"


def test_the_text_tree_shows_each_run_once(
    pipeline: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    project, ids = pipeline
    code, out, _ = lineage(capsys, project, ids["prepare"][:20], "--down")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{ids['prepare']}  pipeline/prepare  completed  manifests/")
    assert lines[1] == "downstream:"
    assert f"├── {ids['train']}  pipeline/train  completed  [train.npz -> data.train]" in lines
    assert f"│   └── {ids['evaluate']}  pipeline/evaluate  completed  [model.npz -> model]" in lines
    assert (
        f"└── {ids['evaluate']}  pipeline/evaluate  completed  [test.npz -> data.test]  (*)"
        in lines
    )
    assert "upstream:" not in out and lines[-1] == "(*) shown above"


def test_depth_and_direction(
    pipeline: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    project, ids = pipeline
    document = as_json(capsys, project, ids["train"], "--up", "--depth", "1")
    assert {n["name"] for n in document["nodes"]} == {ids["train"], ids["prepare"]}
    _, out, _ = lineage(capsys, project, ids["evaluate"], "--up", "--depth", "1")
    assert "└── ... (beyond --depth)" in out and "synthetic://" not in out


def test_a_run_is_named_by_id_prefix_or_file(
    pipeline: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    project, ids = pipeline
    path = f"manifests/{ids['train']}.json"
    for name in (ids["train"], ids["train"][:22], path, str(project / path)):
        assert as_json(capsys, project, name)["roots"] == [f"run:{ids['train']}"]
    code, _, err = lineage(capsys, project, ids["train"][:4])
    assert code == 2 and "run id prefix '2026' is ambiguous" in err
    code, _, err = lineage(capsys, project, "nope")
    assert code == 2 and "nope: no such file, and no run with this id or id prefix" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param([], "give either RUN or --artifact", id="nothing"),
        pytest.param(["x", "--artifact", "y"], "give either RUN or --artifact", id="both"),
        pytest.param(["x", "--store", "no/such"], "no/such: no such file or folder", id="store"),
        pytest.param(["--artifact", "xyz"], "'xyz' is neither a file nor a sha256", id="artifact"),
        pytest.param(["--artifact", "manifests"], "manifests: a folder", id="folder"),
        pytest.param(["x", "--depth", "0"], "must be at least 1", id="depth"),
        pytest.param(["x", "--format", "svg"], "invalid choice", id="format"),
    ],
)
def test_usage_errors(
    pipeline: tuple[Path, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code, out, err = lineage(capsys, pipeline[0], *args)
    assert code == 2 and message in err and out == ""
    assert "Traceback" not in err


def test_dot_and_mermaid_draw_the_same_edges(
    pipeline: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    project, ids = pipeline
    _, dot, _ = lineage(capsys, project, ids["evaluate"], "--format", "dot")
    _, chart, _ = lineage(capsys, project, ids["evaluate"], "--format", "mermaid")
    assert dot.startswith("digraph lineage {") and dot.count(" -> n") == 4
    assert 'label="synthetic://logreg/v1", shape=ellipse' in dot
    assert chart.startswith("flowchart LR\n")
    assert sum(" -->" in line for line in chart.splitlines()) == 4
    assert '-->|"model.npz → model"|' in chart


def _replace_and_rerun(project: Path) -> dict[str, str]:
    """Prepare again on noisier data (the data files are replaced in
    place), then train and evaluate again; the new run ids."""
    paths = run_pipeline(project, "data.noise=2")
    return {stage: run_id(path) for stage, path in paths.items()}


def test_the_incident_query_after_a_data_file_is_replaced(
    pipeline: tuple[Path, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = tmp_path / "project"
    shutil.copytree(pipeline[0], project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(project / ".cache"))
    old = pipeline[1]
    data = project / "outputs" / "pipeline" / "prepare" / "train.npz"
    old_sha = sha256_file(data)
    new = _replace_and_rerun(project)
    assert sha256_file(data) != old_sha

    # the old bytes: the first prepare wrote them, the first train read them,
    # the first evaluate descends from that train
    document = as_json(capsys, project, "--artifact", old_sha)
    assert document["artifact"]["written_by"] == [{"run_id": old["prepare"], "path": "train.npz"}]
    assert [r["run_id"] for r in document["artifact"]["read_by"]] == [old["train"]]
    assert {n["name"] for n in document["nodes"]} == set(old.values())
    # the file as it is now: only the new runs
    code, out, _ = lineage(capsys, project, "--artifact", str(data))
    assert code == 0
    assert set(new.values()) <= set(out.split()) and not set(old.values()) & set(out.split())
    rows = [line.split()[:2] for line in out.splitlines()[2:]]
    assert rows == [
        ["wrote", new["prepare"]],
        ["read", new["train"]],
        ["downstream", new["evaluate"]],
    ]
    # a prefix of the sha256 works too; bytes nobody recorded are no error
    assert as_json(capsys, project, "--artifact", "sha256:" + old_sha[:10])["roots"]
    data.write_bytes(b"corrupted by hand")
    code, out, _ = lineage(capsys, project, "--artifact", str(data))
    assert code == 0 and "no recorded run wrote or read these bytes" in out


def test_the_stores_problems_are_warnings_and_names_are_escaped(
    pipeline: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    shutil.copytree(pipeline[0], project)
    (project / "manifests" / "broken.json").write_text("{not json")
    (project / "manifests" / "surrogate.json").write_text('{"run_id": "a\\ud800"}')
    source = project / "manifests" / f"{pipeline[1]['train']}.json"
    manifest = json.loads(source.read_text())
    manifest.update(run_id="evil\x1b]0;owned\x07", config_name="x\u202ey")
    manifest["digest"] = manifest_digest(manifest)
    (project / "manifests" / "evil.json").write_bytes(pretty_bytes(manifest))
    code, out, err = lineage(capsys, project, "manifests/evil.json")
    assert code == 0
    assert "warning: manifests/broken.json: malformed JSON" in err
    assert "warning: manifests/surrogate.json: cannot index:" in err
    assert "\x1b" not in out and "\u202e" not in out
    assert "evil\\x1b]0;owned\\x07  x\\u202ey  completed" in out
    _, chart, _ = lineage(capsys, project, "manifests/evil.json", "--format", "mermaid")
    assert "\x1b" not in chart and '"' not in chart.split("<br/>")[1]


def test_a_stage_added_later_joins_the_graph(
    pipeline: tuple[Path, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second evaluation of the same model is a sibling downstream of train."""
    project = tmp_path / "project"
    shutil.copytree(pipeline[0], project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(project / ".cache"))
    again = run_id(run_stage(project, "evaluate"))
    document = as_json(capsys, project, pipeline[1]["train"], "--down")
    assert {n["name"] for n in document["nodes"] if n["side"] == "downstream"} == {
        pipeline[1]["evaluate"],
        again,
    }


def test_the_readme_graph_is_what_the_command_draws(
    pipeline: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """The lineage guide's Mermaid block is the output of `manifest lineage
    EVALUATE --format mermaid` on the example pipeline (run ids aside)."""
    import re

    guide = Path(__file__).resolve().parent.parent / "docs" / "how-to" / "lineage.md"
    readme = guide.read_text()
    block = readme.split("```mermaid\n", 1)[1].split("```", 1)[0]
    project, ids = pipeline
    _, drawn, _ = lineage(capsys, project, ids["evaluate"], "--format", "mermaid")
    run_id = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")
    assert run_id.sub("RUN", drawn) == run_id.sub("RUN", block)
