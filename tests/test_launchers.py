"""Record and verify through Hydra's launcher plugins, end to end.

An unchanged app records through the callback under each launcher (basic,
joblib, submitit's local executor, Ray's local mode), and ``manifest verify``
re-runs its manifests through the same launcher. Jobs under joblib,
submitit and Ray run in other processes: the manifests must still name the
app's own entry point and source, and the terminal that started the sweep
must be told what was recorded.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

import apps
from conftest import manifests_in, python

LAUNCHERS = {
    "basic": (),
    "joblib": ("hydra/launcher=joblib", "hydra.launcher.n_jobs=2"),
    "submitit_local": ("hydra/launcher=submitit_local", "hydra.launcher.timeout_min=5"),
    "ray": ("hydra/launcher=ray", "+hydra.launcher.ray.init.num_cpus=2"),
}
PLUGINS = {
    "joblib": "hydra_plugins.hydra_joblib_launcher",
    "submitit_local": "hydra_plugins.hydra_submitit_launcher",
    "ray": "hydra_plugins.hydra_ray_launcher",
}


def installed(launcher: str) -> bool:
    plugin = PLUGINS.get(launcher)
    return plugin is None or importlib.util.find_spec(plugin) is not None


def environment(root: Path) -> dict[str, str]:
    """Ray writes a token under HOME and reports usage unless told not to."""
    return {"HOME": str(root / "home"), "RAY_DISABLE_USAGE_STATS": "1"}


def verify_report(app: apps.App, *args: str) -> tuple[int, dict[str, Any], str]:
    """``manifest verify`` in a fresh process (Ray stays up in the process
    that started it), as a user runs it from the project's root."""
    result = python(
        "-m",
        "manifest",
        "verify",
        *args,
        "--format",
        "json",
        cwd=app.root,
        env={**environment(app.root), "XDG_CACHE_HOME": str(app.root / ".cache")},
        timeout=600,
    )
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "launcher",
    [
        pytest.param(
            name,
            id=name,
            marks=pytest.mark.skipif(not installed(name), reason=f"{PLUGINS.get(name)} missing"),
        )
        for name in LAUNCHERS
    ],
)
def test_record_and_verify_through_a_launcher(launcher: str, tmp_path: Path) -> None:
    app = apps.make(tmp_path / "project", "groups")
    chosen = LAUNCHERS[launcher]
    result = apps.run(app, "-m", "seed=0,1", *chosen, env=environment(app.root))
    assert result.returncode == 0, result.stderr
    found = manifests_in(app.root / "manifests")
    assert sorted(m["params"]["seed"] for m in found) == [0, 1]
    for manifest in found:
        assert manifest["status"] == "completed"
        assert manifest["task"] == "grp_app:main"  # not the worker's bootstrap module
        assert manifest["code"]["source"]["path"] == "grp_app.py"
        assert [a["path"] for a in manifest["artifacts"]] == ["model.txt"]
    # told in the terminal that started the sweep, also when the jobs' own
    # lines went to a launcher's log files (submitit)
    store = app.root / "manifests"
    closing = f"hydra-manifest: 2 manifests recorded for this sweep in {store} (2 completed)"
    assert closing in result.stderr
    output = result.stdout + result.stderr
    for manifest in found:
        assert manifest["run_id"] in output

    jobs = ("--jobs", "2") if launcher != "basic" else ()
    hydra = [arg for override in chosen[:1] for arg in ("--hydra", override)]
    code, report, stderr = verify_report(app, "manifests", *jobs, *hydra)
    assert code == 0, [c for s in report["subjects"] for c in s["checks"] if c["status"] == "fail"]
    assert [m["verdict"] for m in report["manifests"]] == ["verified", "verified"]
    assert "[2/2]" in stderr  # progress


@pytest.mark.skipif(not installed("submitit_local"), reason="hydra-submitit-launcher missing")
def test_manifest_run_prints_what_submitit_jobs_recorded(workdir: Path) -> None:
    from conftest import CONF

    result = python(
        "-m",
        "manifest",
        "run",
        "--config-dir",
        str(CONF),
        "-m",
        "seed=0,1",
        "hydra/launcher=submitit_local",
        f"hydra.sweep.dir={workdir}/multirun",
        f"manifest.store={workdir}/manifests",
        cwd=workdir,
    )
    assert result.returncode == 0, result.stderr
    found = manifests_in(workdir / "manifests")
    assert len(found) == 2
    for manifest in found:
        assert f"completed   {manifest['run_id']}" in result.stdout  # from submitit's processes


def test_a_launcher_that_is_not_installed_is_named_with_its_package(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from conftest import CONF, run_cli, run_example

    assert run_example(workdir) == 0
    capsys.readouterr()
    code = run_cli(
        "verify", "--config-dir", str(CONF), "--jobs", "2", "--hydra", "hydra/launcher=rq",
        str(workdir / "manifests"), "--format", "json",
    )  # fmt: skip
    assert code == 2
    report = json.loads(capsys.readouterr().out)
    [failure] = [c for s in report["subjects"] for c in s["checks"] if c["status"] == "fail"]
    assert (
        "cannot launch the re-runs: In 'hydra/config': Could not find 'hydra/launcher/rq'"
        in (failure["message"])
    )
    hint = "is the rq launcher installed (pip install hydra-rq-launcher)?"
    assert failure["message"].endswith(hint)


def test_a_config_error_is_not_blamed_on_the_launcher() -> None:
    from manifest._hydra.launch import launcher_hint

    overrides = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
    assert launcher_hint("Could not override 'manifest.store'.", overrides) is None
    assert launcher_hint("Could not find 'hydra/launcher/joblib'", overrides) == (
        "is the joblib launcher installed (pip install hydra-joblib-launcher)?"
    )
    assert launcher_hint("Could not find 'hydra/launcher/x'", []) is None
