"""The callback on third-party Hydra apps that know nothing of this project."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import jsonschema

import apps
from conftest import REPO, manifests_in, python

SCHEMA = json.loads((REPO / "schemas" / "manifest.schema.json").read_text())
CALLBACK = "+hydra.callbacks.manifest._target_=manifest.callback.ManifestCallback"

APP = """\
import hydra
from omegaconf import DictConfig


@hydra.main(version_base=None, config_path="conf", config_name="app")
def main(cfg: DictConfig):
    if cfg.fail:
        raise RuntimeError("diverged at step 7")
    with open("weights.txt", "w") as f:
        f.write(f"lr={cfg.lr}\\n")
    if cfg.silent:
        return None
    return {"score": cfg.lr * 10, "steps": 7}


if __name__ == "__main__":
    main()
"""


def make_app(root: Path) -> Path:
    package = root / "thirdparty"
    (package / "conf").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(APP)
    (package / "conf" / "app.yaml").write_text(
        textwrap.dedent("""\
            lr: 0.1
            fail: false
            silent: false
            seed: 42
            hydra:
              run:
                dir: outputs/${now:%H-%M-%S.%f}
            """)
    )
    return package


def run_app(root: Path, *args: str, as_module: bool = False) -> subprocess.CompletedProcess[str]:
    """Start the app as a user would, the callback added on the command line.

    As a script from inside its package folder, or with ``python -m`` from
    ``root``; Hydra's own flags (``-m``) must come before the overrides.
    """
    flags = [a for a in args if a.startswith("-")]
    overrides = [a for a in args if not a.startswith("-")]
    launch, cwd = (
        (["-m", "thirdparty.app"], root) if as_module else (["app.py"], root / "thirdparty")
    )
    return python(
        *launch, *flags, CALLBACK, *overrides, cwd=cwd, env={"XDG_CACHE_HOME": str(root / "cache")}
    )


def test_callback_records_a_plain_app(tmp_path: Path) -> None:
    package = make_app(tmp_path)
    result = run_app(tmp_path, "lr=0.5")
    assert result.returncode == 0, result.stderr
    [manifest] = manifests_in(package / "manifests")
    jsonschema.Draft202012Validator(SCHEMA).validate(manifest)
    assert manifest["status"] == "completed"
    assert manifest["task"] == "app:main"
    assert manifest["metrics"] == {"score": 5.0, "steps": 7}
    assert manifest["overrides"] == ["lr=0.5"]
    assert manifest["params"] == {"lr": 0.5, "fail": False, "silent": False, "seed": 42}
    assert manifest["seeds"] == {"seed": 42}
    assert manifest["code"]["source"]["path"] == "app.py"
    assert manifest["hydra"]["chdir"] is False
    # without chdir the app writes into the project: nothing in the run dir
    assert manifest["artifacts"] == []


def test_callback_declared_artifacts_outside_the_run_dir(tmp_path: Path) -> None:
    package = make_app(tmp_path)
    result = run_app(tmp_path, "+manifest.artifacts=[weights.txt]")
    assert result.returncode == 0, result.stderr
    [manifest] = manifests_in(package / "manifests")
    [artifact] = manifest["artifacts"]
    assert artifact["path"] == "weights.txt" and artifact["size"] == len("lr=0.1\n")


def test_callback_records_module_entrypoint_with_chdir_and_multirun(tmp_path: Path) -> None:
    make_app(tmp_path)
    result = run_app(
        tmp_path,
        "-m",
        "lr=0.1,0.2",
        "silent=true",
        "hydra.job.chdir=true",
        "+manifest.owner=research",
        as_module=True,
    )
    assert result.returncode == 0, result.stderr
    found = manifests_in(tmp_path / "manifests")
    assert len(found) == 2
    for manifest in found:
        jsonschema.Draft202012Validator(SCHEMA).validate(manifest)
        assert manifest["task"] == "thirdparty.app:main"
        assert manifest["metrics"] == {}
        assert manifest["owner"] == "research"
        assert manifest["hydra"]["mode"] == "MULTIRUN" and manifest["hydra"]["chdir"] is True
        assert [a["path"] for a in manifest["artifacts"]] == ["weights.txt"]
    assert sorted(m["params"]["lr"] for m in found) == [0.1, 0.2]


def test_callback_records_a_failed_app(tmp_path: Path) -> None:
    package = make_app(tmp_path)
    result = run_app(tmp_path, "fail=true")
    assert result.returncode == 1
    [manifest] = manifests_in(package / "manifests")
    assert manifest["status"] == "failed"
    assert manifest["error"]["type"] == "RuntimeError"
    assert "diverged at step 7" in manifest["error"]["message"]


def test_callback_failure_is_loud(tmp_path: Path) -> None:
    package = make_app(tmp_path)
    (package / "manifests").write_text("a file where the store folder should be")
    result = run_app(tmp_path)
    assert "hydra-manifest: ERROR: no manifest was recorded" in result.stderr
    assert "manifests" in result.stderr


def test_callback_store_argument(tmp_path: Path) -> None:
    package = make_app(tmp_path)
    result = run_app(tmp_path, "+hydra.callbacks.manifest.store=runs/m")
    assert result.returncode == 0, result.stderr
    assert len(manifests_in(package / "runs" / "m")) == 1


def test_a_sweep_ends_with_what_its_jobs_recorded(tmp_path: Path) -> None:
    app = apps.make(tmp_path, "sweep")  # hydra.sweeper.params in the config
    result = apps.run(app, "-m")
    assert result.returncode == 0, result.stderr
    found = manifests_in(tmp_path / "manifests")
    assert sorted(m["params"]["seed"] for m in found) == [0, 1, 2]
    lines = (result.stdout + result.stderr).splitlines()
    # in this process: each job's own line once (Hydra's job log), then the count
    for manifest in found:
        assert sum(manifest["run_id"] in line for line in lines) == 1
    store = tmp_path / "manifests"
    assert f"hydra-manifest: 3 manifests recorded for this sweep in {store} (3 completed)" in lines


def test_a_sweep_names_each_job_without_a_manifest(tmp_path: Path) -> None:
    app = apps.make(tmp_path, "sweep")
    (tmp_path / "blocked").write_text("a file where the store folder should be")
    result = apps.run(app, "-m", "seed=4,5", "manifest.store=blocked")
    assert "hydra-manifest: 0 manifests recorded for this sweep" in result.stderr
    missing = [line for line in result.stderr.splitlines() if "for the job in" in line]
    assert len(missing) == 2
    assert all(
        line.startswith("hydra-manifest: ERROR: no manifest was recorded") for line in missing
    )
