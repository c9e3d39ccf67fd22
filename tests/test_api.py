"""The public Python API (``manifest.__all__``): recording with ``start_run``,
``load``, and the checking commands as functions that return what the CLI
renders; nothing process-wide left changed."""

from __future__ import annotations

import json
import logging
import math
import sys
from pathlib import Path
from typing import Any

import pytest
from runfactory import sweep

import manifest
from conftest import CONF, REPO, python, run_cli, run_example

BASE = {"accuracy": [0.80, 0.81, 0.79, 0.80, 0.82], "latency_ms": [40, 42, 41, 39, 40]}
CAND = {"accuracy": [0.85, 0.87, 0.83, 0.86, 0.86], "latency_ms": [45, 46, 44, 45, 47]}
DIRECTIONS = {"accuracy": "higher", "latency_ms": "lower"}
POLICY = {
    "rules": [
        {"metric": "accuracy", "min_change": 0.01},
        {"metric": "latency_ms", "max": 44},
    ]
}


def config() -> dict[str, Any]:
    return {
        "lr": 0.1,
        "seed": 7,
        "data": {"path": "data.csv"},
        "manifest": {"inputs": ["data.path"], "owner": "nb-user", "metrics": {"loss": "lower"}},
    }


def test_start_run_records_the_block_as_a_run(workdir: Path) -> None:
    (workdir / "data.csv").write_text("x,y\n1,2\n")
    (workdir / "notes.txt").write_text("a file written elsewhere\n")
    with manifest.start_run(config(), store="runs") as run:
        for step, loss in enumerate((0.9, 0.5, 0.3)):
            run.log_metric("loss", loss, step=step)
        run.log_metrics({"eval": {"accuracy": 0.91}})
        (run.dir / "model.txt").write_text("weights\n")
        copied = run.log_artifact(workdir / "notes.txt", role="report")
    recorded = run.manifest
    assert isinstance(recorded, manifest.Manifest)
    assert recorded.status == "completed" and recorded.path == run.path
    assert recorded.path is not None and recorded.path.parent == workdir / "runs"
    assert recorded.metrics == {"eval.accuracy": 0.91, "loss": 0.3}
    assert recorded.directions == {"loss": "lower"}
    assert recorded.owner == "nb-user"
    assert recorded.task == "test_api:test_start_run_records_the_block_as_a_run"
    assert recorded.params == {"lr": 0.1, "seed": 7, "data": {"path": "data.csv"}}
    assert recorded.seeds == {"seed": 7}
    assert recorded["inputs"][0]["key"] == "data.path" and recorded["inputs"][0]["size"] == 8
    assert recorded["code"]["source"]["path"].endswith("test_api.py")
    assert recorded["cost"]["wall_s"] >= 0 and "python" in recorded["environment"]
    roles = {a["path"]: a["role"] for a in recorded.artifacts}
    assert roles == {"metrics.jsonl": "metrics", "model.txt": "output", "notes.txt": "report"}
    assert copied == run.dir / "notes.txt"
    lines = [json.loads(line) for line in (run.dir / "metrics.jsonl").read_text().splitlines()]
    assert lines == [{"name": "loss", "step": s, "value": v} for s, v in enumerate((0.9, 0.5, 0.3))]
    assert manifest.load(recorded.run_id, store="runs") == recorded  # an intact record
    assert run_cli("validate", "--no-contracts", str(recorded.path)) == 0


def test_an_exception_gives_a_failed_manifest_and_is_raised(workdir: Path) -> None:
    with pytest.raises(ZeroDivisionError), manifest.start_run({"seed": 1}) as run:
        run.log_metric("loss", 0.5)
        _ = 1 / 0
    assert run.manifest is not None and run.manifest.status == "failed"
    assert run.manifest.error is not None and run.manifest.error["type"] == "ZeroDivisionError"
    assert run.manifest.metrics == {}
    assert run.manifest.path is not None and run.manifest.path.parent == workdir / "manifests"


@pytest.mark.parametrize(
    ("name", "value", "step", "message"),
    [
        pytest.param("loss", math.nan, None, "metric 'loss' is nan", id="nan"),
        pytest.param("loss", "high", None, "metric 'loss' is not a number", id="text"),
        pytest.param("loss", 0.1, -1, "step must be an integer >= 0", id="step"),
    ],
)
def test_a_bad_metric_is_refused_and_fails_the_run(
    workdir: Path, name: str, value: Any, step: int | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message), manifest.start_run({"seed": 1}) as run:
        run.log_metric(name, value, step=step)
    assert run.manifest is not None and run.manifest.status == "failed"
    assert run.manifest.error is not None and message in run.manifest.error["message"]


def test_start_run_takes_a_composed_config(workdir: Path) -> None:
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(CONF), version_base=None):
        cfg = compose("config", ["seed=4", "optimizer=sgd"], return_hydra_config=True)
        with manifest.start_run(cfg, store="m", owner="me") as run:
            run.log_metric("accuracy", 0.9)
    recorded = run.manifest
    assert recorded is not None
    assert (recorded.config_name, recorded.overrides) == ("config", ("seed=4", "optimizer=sgd"))
    assert recorded.owner == "me"  # the argument wins over the config's manifest.owner
    assert recorded.params["optimizer"]["kind"] == "sgd" and "hydra" not in recorded.params
    assert recorded["envelope"]["default"] == {"atol": 0.0, "rtol": 1e-9}  # from conf/


def test_start_run_refuses_what_is_not_a_config(workdir: Path) -> None:
    with pytest.raises(TypeError, match="config must be a mapping or a DictConfig, not list"):
        manifest.start_run([1, 2])
    with pytest.raises(manifest.ManifestError, match=r"manifest\.envelope\.seeds"):
        manifest.start_run({"manifest": {"envelope": {"seeds": 1}}})


@pytest.mark.parametrize("task", ["pkg.mod:main\n", "pkg.mod:main\nrm", "pkg mod:main", "main"])
def test_start_run_refuses_a_task_that_is_not_an_entry_point(workdir: Path, task: str) -> None:
    """A trailing newline too: recorded, it would name no importable task."""
    with pytest.raises(manifest.ManifestError, match="bad task") as caught:
        manifest.start_run({"x": 1}, task=task)
    assert caught.value.found == repr(task)
    assert not (workdir / "manifests").exists()


def test_load_finds_runs_and_refuses_an_edited_one(workdir: Path) -> None:
    assert run_example(workdir) == 0
    [path] = (workdir / "manifests").glob("*.json")
    loaded = manifest.load(path)
    assert manifest.load(loaded.run_id[:18], store=workdir / "manifests") == loaded
    assert loaded.created <= loaded.finished and loaded.created.tzinfo is not None
    document = loaded.to_dict()
    document["metrics"]["accuracy"] = 0.99
    edited = workdir / "edited.json"
    edited.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    with pytest.raises(manifest.ManifestError, match="the manifest was edited") as caught:
        manifest.load(edited)
    assert caught.value.file == str(edited) and caught.value.pointer == "/digest"
    with pytest.raises(manifest.ManifestError, match="no run with this id"):
        manifest.load("zzzz", store=workdir / "manifests")


@pytest.fixture(scope="module")
def groups(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("api")
    return {
        "base": sweep(root, "base", BASE, directions=DIRECTIONS),
        "cand": sweep(root, "cand", CAND, directions=DIRECTIONS),
        "root": root,
    }


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    capsys.readouterr()
    run_cli(*args, "--format", "json")
    return json.loads(capsys.readouterr().out)


def test_compare_and_gate_return_what_the_cli_renders(
    groups: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from manifest.render.comparison import render as render_comparison
    from manifest.render.decision import render as render_decision

    base, cand = groups["base"], groups["cand"]
    comparison = manifest.compare(base, str(cand))  # a Path and a str
    assert isinstance(comparison, manifest.Comparison)
    from_cli = cli_json(capsys, "compare", str(base), str(cand))
    assert json.loads(render_comparison(comparison, "json")) == from_cli
    assert comparison.metric("accuracy").verdict == "candidate better"
    loaded = [manifest.load(p) for p in sorted(base.glob("*.json"))]  # Manifest objects
    again = json.loads(render_comparison(manifest.compare(loaded, cand), "json"))
    assert again["metrics"] == from_cli["metrics"]

    policy = groups["root"] / "policy.yaml"
    policy.write_text(json.dumps(POLICY))  # JSON is YAML
    decision = manifest.gate(base, cand, POLICY)  # the policy as a dict
    assert isinstance(decision, manifest.Decision) and decision.decision == "block"
    from_cli = cli_json(capsys, "gate", str(base), str(cand), "--policy", str(policy))
    ours = json.loads(render_decision(decision, "json"))
    assert ours["decision"] == from_cli["decision"] == "block"
    assert [c["status"] for c in ours["checks"]] == [c["status"] for c in from_cli["checks"]]


def test_promote_records_what_the_gate_accepts(
    groups: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = {"rules": [{"metric": "accuracy", "min_change": 0.01}]}
    registry = tmp_path / "registry"
    done = manifest.promote(
        "classifier", groups["cand"], policy, baseline=groups["base"], registry=registry, who="me"
    )
    assert isinstance(done, manifest.Promotion)
    assert done.promoted and done.gate.decision == "accept"
    assert done.record is not None and done.record.production == 1
    capsys.readouterr()
    assert run_cli("registry", "show", "classifier", "--registry", str(registry)) == 0
    assert "v1" in capsys.readouterr().out
    # a second candidate the gate blocks: nothing written, the registry as it was
    blocked = manifest.promote(
        "classifier", groups["base"], {"rules": [{"metric": "accuracy", "min_change": 0.5}]},
        baseline=groups["cand"], registry=registry, who="me",
    )  # fmt: skip
    assert (blocked.model, blocked.promoted) == ("classifier", False)
    assert blocked.gate.decision == "block"
    assert blocked.record is not None and blocked.record.production == 1
    assert (blocked.entry, blocked.report_path) == (None, None)


def test_validate_and_verify_take_paths_and_manifests(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_example(workdir) == 0
    [path] = (workdir / "manifests").glob("*.json")
    report = manifest.validate([manifest.load(path)])
    assert isinstance(report, manifest.Report) and report.ok
    verified = manifest.verify(str(path), config_dir=CONF)
    assert verified.extra["verdict"] == "verified"
    from manifest.render.report import render

    assert json.loads(render(verified, "json"))["verdict"] == "verified"
    contracts = {"contracts": [_floor(0.99)]}  # contracts as a parsed document
    assert not manifest.validate(workdir / "manifests", contracts=contracts).ok


def _floor(value: float) -> dict[str, Any]:
    return {
        "id": "floor",
        "kind": "threshold",
        "metric": "accuracy",
        "op": ">=",
        "value": value,
        "severity": "block",
        "owner": "me",
        "action": "retrain",
    }


def test_calls_leave_hydra_sys_path_and_logging_as_they_were(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Called inside a user's own Hydra session (``initialize``, as in a
    notebook), verify runs Hydra jobs and imports; afterwards the user's
    global Hydra, version base, ``sys.path`` and logging are untouched."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    assert run_example(workdir) == 0
    [path] = (workdir / "manifests").glob("*.json")
    root = logging.getLogger()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.2", job_name="mine"):
        before = (
            GlobalHydra.instance().config_loader(),
            list(sys.path),
            list(root.handlers),
            root.level,
            _version_base(),
        )
        with manifest.start_run(compose("config"), store="m") as run:
            run.log_metric("x", 1.0)
        assert manifest.verify([path], config_dir=CONF).extra["verdict"] == "verified"
        manifest.compare(path, path)
        after = (
            GlobalHydra.instance().config_loader(),
            list(sys.path),
            list(root.handlers),
            root.level,
            _version_base(),
        )
        assert after == before  # the user's own Hydra, its config loader included
        assert compose("config", ["seed=9"]).seed == 9  # still usable


def _version_base() -> Any:
    from hydra import version

    return version.VersionBase.instance().version_base


def test_the_public_api_is_typed_listed_and_cheap(tmp_path: Path) -> None:
    for name in manifest.__all__:
        assert getattr(manifest, name) is not None, name
        assert name in dir(manifest)
    code = (
        "import sys, manifest\n"
        "print(sorted(m for m in ('hydra', 'omegaconf', 'numpy', 'scipy', 'yaml', "
        "'pandas', 'jsonschema_rs') if m in sys.modules))\n"
    )
    result = python("-c", code, cwd=tmp_path)
    assert result.stdout.strip() == "[]", result.stderr
    assert (REPO / "manifest" / "py.typed").is_file()


def test_the_notebook_example_runs(tmp_path: Path) -> None:
    result = python(str(REPO / "examples" / "notebook.py"), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("completed ") for line in lines) == 10
    assert any("metrics.accuracy" in line and "params.seed" in line for line in lines)
    assert any(line.startswith("accuracy: 0.9140 -> 0.9096: candidate") for line in lines)
    assert run_cli("validate", "--no-contracts", str(tmp_path / "notebook-runs")) == 0
