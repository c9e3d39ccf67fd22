"""End to end: ``manifest run`` on the bundled example and on small projects."""

from __future__ import annotations

import json
import math
import subprocess
import textwrap
from pathlib import Path

import jsonschema
import pytest
import rfc8785

from conftest import REPO, manifests_in, only_manifest, run_cli, run_example

SCHEMA = json.loads((REPO / "schemas" / "manifest.schema.json").read_text())


def sha256sum(path: Path) -> str:
    out = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True)
    return out.stdout.split()[0]


def test_example_run_writes_a_valid_manifest(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_example(workdir) == 0
    path, manifest = only_manifest(workdir / "manifests")
    out = capsys.readouterr().out
    assert manifest["run_id"] in out and str(path) in out and "accuracy=" in out

    jsonschema.Draft202012Validator(SCHEMA).validate(manifest)
    assert manifest["status"] == "completed"
    assert manifest["task"] == "manifest.examples.logreg:train"
    assert set(manifest["metrics"]) == {
        "accuracy",
        "log_loss",
        "precision",
        "recall",
        "weight_norm",
    }
    assert manifest["params"]["optimizer"]["kind"] == "gd"
    assert "manifest" not in manifest["params"] and "hydra" not in manifest["params"]
    assert manifest["seeds"] == {"data.seed": 1234, "seed": 0}
    assert manifest["owner"] == "example-team"
    assert manifest["cost"]["wall_s"] > 0 and manifest["cost"]["peak_memory_bytes"] > 0
    assert manifest["environment"]["packages"]["hydra-core"].startswith("1.3")

    # the digest is the sha256 of the RFC 8785 form of everything else
    body = {k: v for k, v in manifest.items() if k != "digest"}
    import hashlib

    assert manifest["digest"] == "sha256:" + hashlib.sha256(rfc8785.dumps(body)).hexdigest()

    # artifacts: the files the task wrote, hashed as sha256sum does; Hydra's own files left out
    run_dir = workdir / manifest["hydra"]["run_dir"]
    paths = {a["path"]: a for a in manifest["artifacts"]}
    assert set(paths) == {"model.npz", "predictions.csv"}
    assert paths["model.npz"]["role"] == "model"
    for rel, artifact in paths.items():
        assert artifact["sha256"] == sha256sum(run_dir / rel)
        assert artifact["size"] == (run_dir / rel).stat().st_size
    assert (run_dir / ".hydra" / "config.yaml").exists()


def test_file_is_canonical_and_stable(workdir: Path) -> None:
    assert run_example(workdir) == 0
    path, manifest = only_manifest(workdir / "manifests")
    text = path.read_bytes()
    assert (
        text == (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    )
    assert b"\r" not in text


def test_same_overrides_same_identity_other_seed_differs(workdir: Path) -> None:
    assert run_example(workdir, "seed=3") == 0
    assert run_example(workdir, "seed=3") == 0
    assert run_example(workdir, "seed=4") == 0
    a, b, c = manifests_in(workdir / "manifests")
    assert a["run_id"] != b["run_id"]
    assert a["identity_digest"] == b["identity_digest"]
    assert a["params_digest"] == b["params_digest"]
    assert a["artifacts"] == b["artifacts"]
    assert a["metrics"] == b["metrics"]
    assert c["identity_digest"] != a["identity_digest"]
    assert c["params_digest"] != a["params_digest"]
    assert c["overrides"][-1] == "seed=4"


def test_stochastic_variant_varies_with_the_seed(workdir: Path) -> None:
    assert run_example(workdir, "seed=0,1,2", config_name="sgd", multirun=True) == 0
    found = manifests_in(workdir / "manifests")
    assert len(found) == 3
    assert {m["params"]["optimizer"]["kind"] for m in found} == {"sgd"}
    assert len({m["metrics"]["log_loss"] for m in found}) == 3
    assert sorted(m["overrides"][-1] for m in found) == ["seed=0", "seed=1", "seed=2"]
    assert {m["hydra"]["mode"] for m in found} == {"MULTIRUN"}
    assert all(m["envelope"]["stochastic"] for m in found)


_modules = iter(range(10**6))


def write_project(root: Path, task_body: str, config: str = "") -> Path:
    """A user's project: a task module (a fresh name: modules stay imported
    within the test process) and a config folder."""
    module = f"mytask{next(_modules)}"
    (root / f"{module}.py").write_text(textwrap.dedent(task_body))
    config = config.replace("mytask:", f"{module}:")
    conf = root / "conf"
    conf.mkdir()
    head = "defaults:\n  - manifest_schema\n  - _self_\nx: 1\n"
    if "manifest:" not in config:
        head += f"manifest:\n  task: {module}:main\n"
    (conf / "config.yaml").write_text(head + textwrap.dedent(config))
    return conf


def test_failed_task_still_writes_a_manifest(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = write_project(
        workdir,
        """\
        def main(cfg):
            raise ValueError("learning rate too high")
        """,
    )
    assert run_example(workdir, config_dir=conf) == 1
    _, manifest = only_manifest(workdir / "manifests")
    assert manifest["status"] == "failed"
    assert manifest["error"]["type"] == "ValueError"
    assert "learning rate too high" in manifest["error"]["message"]
    assert manifest["metrics"] == {}
    assert "learning rate too high" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("float('nan')", "is nan", id="nan"),
        pytest.param("float('inf')", "is inf", id="inf"),
        pytest.param("'high'", "is not a number", id="string"),
    ],
)
def test_bad_metric_fails_the_run_with_valid_json(workdir: Path, value: str, expected: str) -> None:
    conf = write_project(
        workdir,
        f"""\
        def main(cfg):
            return {{"accuracy": 0.5, "loss": {value}}}
        """,
    )
    assert run_example(workdir, config_dir=conf) == 1
    path, manifest = only_manifest(workdir / "manifests")
    json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert manifest["status"] == "failed"
    assert manifest["error"]["metric"] == "loss"
    assert expected in manifest["error"]["message"]
    assert run_cli("validate", str(path)) == 0


def test_task_returning_none_and_nested_metrics(workdir: Path) -> None:
    conf = write_project(
        workdir,
        """\
        import numpy as np

        def main(cfg):
            if cfg.x == 1:
                return None
            return {"val": {"acc": np.float32(0.5), "n": np.int64(3)}, "loss": 1}
        """,
    )
    assert run_example(workdir, config_dir=conf) == 0
    assert run_example(workdir, "x=2", config_dir=conf) == 0
    first, second = manifests_in(workdir / "manifests")
    assert first["metrics"] == {}
    assert second["metrics"] == {"loss": 1, "val.acc": 0.5, "val.n": 3}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(("nope=1",), "Could not override 'nope'", id="unknown-key"),
        pytest.param(("x=[",), "bad override 'x=['", id="bad-grammar"),
        pytest.param(
            ("manifest.task=nomodule:main",), "cannot import module 'nomodule'", id="bad-task"
        ),
        pytest.param(
            ("manifest.task=not-an-entrypoint",), "bad task entrypoint", id="bad-entrypoint"
        ),
        pytest.param(("manifest.envelope.seeds=1",), "manifest.envelope.seeds", id="bad-setting"),
        pytest.param(("optimizer=adamw",), "Could not find 'optimizer/adamw'", id="bad-group"),
    ],
)
def test_config_errors_exit_2_without_traceback(
    workdir: Path, capsys: pytest.CaptureFixture[str], overrides: tuple[str, ...], expected: str
) -> None:
    assert run_example(workdir, *overrides) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert not (workdir / "manifests").exists()


def test_missing_config_dir_and_name(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("run", "--config-dir", str(workdir / "nope")) == 2
    assert "config folder not found" in capsys.readouterr().err
    assert run_example(workdir, config_name="nosuch") == 2
    assert "nosuch" in capsys.readouterr().err


def test_secrets_from_env_are_redacted(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "s3cr3t-value")
    conf = write_project(
        workdir,
        """\
        def main(cfg):
            assert cfg.token == "s3cr3t-value"
            return {"ok": 1}
        """,
        """\
        token: ${oc.env:API_TOKEN}
        header: Bearer ${token}
        plain: visible
        """,
    )
    assert run_example(workdir, config_dir=conf) == 0
    path, manifest = only_manifest(workdir / "manifests")
    assert "s3cr3t-value" not in path.read_text()
    assert manifest["params"]["token"] == "${oc.env:API_TOKEN}"
    assert manifest["params"]["header"] == "Bearer ${token}"
    assert manifest["params"]["plain"] == "visible"


def test_inputs_are_hashed_and_cached(workdir: Path) -> None:
    data = workdir / "data.csv"
    data.write_text("a,b\n1,2\n")
    old = 1_600_000_000
    import os

    os.utime(data, (old, old))
    conf = write_project(
        workdir,
        """\
        def main(cfg):
            return {"rows": 1}
        """,
        """\
        data_path: data.csv
        dataset: hf://mnist@v2
        manifest:
          task: mytask:main
          inputs: [data_path, dataset]
        """,
    )
    assert run_example(workdir, config_dir=conf) == 0
    first = manifests_in(workdir / "manifests")[0]
    entry, remote = first["inputs"]
    assert entry["key"] == "data_path" and entry["path"] == "data.csv"
    assert entry["sha256"] == sha256sum(data)
    assert entry["mtime"].startswith("2020-09-13T12:26:40")
    assert remote == {"key": "dataset", "path": "hf://mnist@v2", "version": "mnist@v2"}
    # same inode, size and mtime: the cache answers without reading the file
    data.write_text("a,b\n9,9\n")
    os.utime(data, (old, old))
    assert run_example(workdir, config_dir=conf) == 0
    second = manifests_in(workdir / "manifests")[1]
    assert second["inputs"][0]["sha256"] == entry["sha256"]
    # a new mtime is a change: hashed again
    os.utime(data, (old + 10, old + 10))
    assert run_example(workdir, config_dir=conf) == 0
    third = manifests_in(workdir / "manifests")[2]
    assert third["inputs"][0]["sha256"] == sha256sum(data) != entry["sha256"]
    assert third["identity_digest"] != first["identity_digest"]


def test_missing_input_fails_the_run(workdir: Path) -> None:
    conf = write_project(
        workdir,
        """\
        def main(cfg):
            return {"rows": 1}
        """,
        """\
        data_path: missing.csv
        manifest:
          task: mytask:main
          inputs: [data_path]
        """,
    )
    assert run_example(workdir, config_dir=conf) == 1
    _, manifest = only_manifest(workdir / "manifests")
    assert manifest["status"] == "failed"
    assert "data_path" in manifest["error"]["message"]


def test_artifacts_stay_inside_the_run_dir(workdir: Path) -> None:
    outside = workdir / "secret.txt"
    outside.write_text("outside")
    conf = write_project(
        workdir,
        f"""\
        import os

        def main(cfg):
            os.makedirs("sub", exist_ok=True)
            with open("sub/model.bin", "wb") as f:
                f.write(b"weights")
            os.symlink({str(outside)!r}, "escape.txt")
            os.symlink("sub/model.bin", "inside-link.bin")
            os.symlink("/nonexistent", "dangling")
            with open({str(workdir / "report.txt")!r}, "w") as f:
                f.write("declared elsewhere")
            return {{}}
        """,
        """\
        manifest:
          task: mytask:main
          artifacts: ["report.txt", "../*"]
        """,
    )
    assert run_example(workdir, config_dir=conf) == 0
    _, manifest = only_manifest(workdir / "manifests")
    paths = sorted(a["path"] for a in manifest["artifacts"])
    assert paths == ["inside-link.bin", "report.txt", "sub/model.bin"]


def test_task_may_stay_in_the_project_dir(workdir: Path) -> None:
    conf = write_project(
        workdir,
        """\
        import os

        def main(cfg):
            return {"in_project": int(os.getcwd() == cfg.project)}
        """,
        f"""\
        project: {workdir}
        """,
    )
    assert run_example(workdir, config_dir=conf) == 0
    assert run_example(workdir, "hydra.job.chdir=false", config_dir=conf) == 0
    chdir, stay = manifests_in(workdir / "manifests")
    assert chdir["metrics"]["in_project"] == 0 and chdir["hydra"]["chdir"] is True
    assert stay["metrics"]["in_project"] == 1 and stay["hydra"]["chdir"] is False


def test_recording_failure_exits_non_zero(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "blocked").write_text("a file where the store folder should be")
    conf = write_project(
        workdir,
        """\
        def main(cfg):
            return {"a": 1}
        """,
    )
    code = run_cli(
        "run",
        "--config-dir",
        str(conf),
        f"manifest.store={workdir}/blocked",
        f"hydra.run.dir={workdir}/out",
    )
    assert code == 2  # an output that cannot be written, like an input that cannot be read
    err = capsys.readouterr().err
    assert "not written" in err and "cannot write" in err and "blocked" in err


def test_multirun_with_joblib_launcher(workdir: Path) -> None:
    code = run_example(
        workdir, "seed=0,1,2,3", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", multirun=True
    )
    assert code == 0
    found = manifests_in(workdir / "manifests")
    assert sorted(m["params"]["seed"] for m in found) == [0, 1, 2, 3]
    assert len({m["run_id"] for m in found}) == 4
    assert sorted(m["hydra"]["job_num"] for m in found) == [0, 1, 2, 3]


def test_math_is_finite_everywhere(workdir: Path) -> None:
    assert run_example(workdir, "data.noise=0.0") == 0
    _, manifest = only_manifest(workdir / "manifests")
    assert all(math.isfinite(v) for v in manifest["metrics"].values())


def test_yaml_error_in_config_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = write_project(workdir, "def main(cfg):\n    return {}\n", "x: 2\n")
    assert run_example(workdir, config_dir=conf) == 2
    err = capsys.readouterr().err
    assert "duplicate key" in err and "Traceback" not in err


def test_interrupted_run_is_recorded_and_exits_130(workdir: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    conf = write_project(
        workdir,
        """\
        import pathlib, time

        def main(cfg):
            pathlib.Path(cfg.marker).write_text("started")
            time.sleep(60)
        """,
        f"""\
        marker: {workdir / "started"}
        """,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "manifest",
            "run",
            "--config-dir",
            str(conf),
            f"hydra.run.dir={workdir}/out",
        ],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (workdir / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    _, manifest = only_manifest(workdir / "manifests")
    assert manifest["status"] == "interrupted"
    assert manifest["error"]["type"] == "KeyboardInterrupt"


def test_a_task_ending_in_a_newline_is_not_an_entry_point() -> None:
    """``$`` matches before a trailing newline: the whole name must match."""
    from manifest.errors import TaskError
    from manifest.record.tasks import resolve_task

    assert resolve_task("manifest.examples.logreg:train").__name__ == "train"
    with pytest.raises(TaskError, match="bad task entrypoint"):
        resolve_task("manifest.examples.logreg:train\n")
