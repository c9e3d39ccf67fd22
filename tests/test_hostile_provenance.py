"""Provenance under real use: the code as the job started, what is not dirt,
the job's own peak memory, SIGTERM recorded.

Each case builds a real git repository, runs through the CLI (or the
callback on an app), and asserts what the manifest says.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from itertools import count
from pathlib import Path

import pytest

from conftest import git, manifests_in
from manifest.record.capture.code import git_state

_modules = count()


def repo(root: Path, task_body: str, config: str = "") -> tuple[Path, str]:
    """A committed project: a task module, a config folder, nothing ignored."""
    module = f"prov_task{next(_modules)}"
    git(root, "init", "-q", "-b", "main")
    (root / f"{module}.py").write_text(textwrap.dedent(task_body))
    conf = root / "conf"
    conf.mkdir()
    (conf / "config.yaml").write_text(
        f"defaults:\n  - manifest_schema\n  - _self_\nseed: 0\nmanifest:\n  task: {module}:main\n"
        + textwrap.dedent(config)
    )
    (root / "notes.txt").write_text("tracked\n")
    (root / ".gitignore").write_text("")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return conf, module


def run(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "manifest", "run", *args],
        cwd=root,
        env={**os.environ, "XDG_CACHE_HOME": str(root / ".cache"), "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


EDITS_THE_PROJECT = """\
import os
from pathlib import Path


def main(cfg):
    root = Path(os.environ["PROJECT"])
    (root / "notes.txt").write_text("edited by the task\\n")
    (root / "written_by_task.csv").write_text("a,b\\n")
    source = Path(__file__)
    source.write_text(source.read_text() + "\\n# edited while running\\n")
    return {"x": 1.0}
"""


def test_provenance_is_taken_when_the_job_starts(tmp_path: Path) -> None:
    conf, module = repo(tmp_path, EDITS_THE_PROJECT)
    source_before = (tmp_path / f"{module}.py").read_bytes()
    head = git(tmp_path, "rev-parse", "HEAD").strip()
    os.environ["PROJECT"] = str(tmp_path)
    try:
        done = run(tmp_path, "--config-dir", str(conf), "hydra.run.dir=out")
    finally:
        del os.environ["PROJECT"]
    assert done.returncode == 0, done.stderr
    [manifest] = manifests_in(tmp_path / "manifests")
    code = manifest["code"]
    assert code["git"] == {
        "available": True,
        "commit": head,
        "dirty": False,
        "diff_sha256": None,
        "changed": [],
    }
    import hashlib

    assert code["source"]["sha256"] == hashlib.sha256(source_before).hexdigest()
    assert code["changed_during_run"] == sorted(
        ["notes.txt", "written_by_task.csv", f"{module}.py"]
    )
    # the next run starts from the edited tree: that one is dirty
    second = git_state(tmp_path)
    assert second["dirty"] is True
    assert set(second["changed"]) == {"notes.txt", "written_by_task.csv", f"{module}.py"}


QUIET = "def main(cfg):\n    return {'x': 1.0}\n"


def test_stores_outputs_and_the_registry_are_not_dirt(tmp_path: Path) -> None:
    conf, _ = repo(tmp_path, QUIET)
    records = [
        "manifests/gd/20260101T000000Z-0123abcd.json",  # a sibling store
        "elsewhere/20260102T030405Z-89abcdef.json",  # a manifest anywhere
        "registry/model.json",
        "registry/reports/model/v1.gate.json",
        "gates/v2.gate.json",
        "runs/2026-01-01/12-00-00/.hydra/config.yaml",  # another app's Hydra run folder
        "runs/2026-01-01/12-00-00/model.npz",
        "sweeps/x/multirun.yaml",
        "sweeps/x/0/.hydra/hydra.yaml",
        "sweeps/x/0/weights.bin",
    ]
    for name in records:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert git_state(tmp_path)["dirty"] is False
    assert run(tmp_path, "--config-dir", str(conf), "hydra.run.dir=out").returncode == 0
    assert (
        run(tmp_path, "--config-dir", str(conf), "manifest.store=manifests/other").returncode == 0
    )
    for manifest in manifests_in(tmp_path / "manifests") + manifests_in(
        tmp_path / "manifests" / "other"
    ):
        assert manifest["code"]["git"]["dirty"] is False, manifest["code"]["git"]
    (tmp_path / "helper.py").write_text("x = 1\n")  # real dirt is still dirt
    state = git_state(tmp_path)
    assert state["dirty"] is True and state["changed"] == ["helper.py"]


def test_untracked_bytes_are_read_once_and_remembered_by_stamp(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    repo(project, QUIET)
    data = project / "big.bin"
    data.write_bytes(b"a" * 100_000)
    old = time.time() - 60
    os.utime(data, (old, old))  # settled: its hash may be remembered
    cache = tmp_path / "cache"
    first = git_state(project, cache=cache)["diff_sha256"]
    stamp = data.stat()
    with open(data, "r+b") as handle:  # same size, same inode, same mtime: not read again
        handle.write(b"b")
    os.utime(data, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert git_state(project, cache=cache)["diff_sha256"] == first
    assert git_state(project, cache=None)["diff_sha256"] != first  # the bytes did change
    os.utime(data, (old + 1, old + 1))  # a new stamp: read again
    assert git_state(project, cache=cache)["diff_sha256"] != first


ALLOCATES = """\
def main(cfg):
    block = bytearray(cfg.megabytes * 1024 * 1024)
    block[:: 4096] = b"x" * len(block[:: 4096])  # touch every page
    return {"x": float(len(block) > 0)}
"""


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux only")
def test_peak_memory_is_each_jobs_own(tmp_path: Path) -> None:
    conf, _ = repo(tmp_path, ALLOCATES, "megabytes: 0\n")
    done = run(tmp_path, "--config-dir", str(conf), "-m", "megabytes=400,1")
    assert done.returncode == 0, done.stderr
    by_size = {m["params"]["megabytes"]: m["cost"] for m in manifests_in(tmp_path / "manifests")}
    assert by_size[400]["peak_memory_scope"] == by_size[1]["peak_memory_scope"] == "job"
    assert by_size[400]["peak_memory_bytes"] > 400 * 2**20
    # the second job ran in the same process, after the first: not its peak
    assert by_size[1]["peak_memory_bytes"] < by_size[400]["peak_memory_bytes"] - 300 * 2**20


SLEEPS = """\
import time
from pathlib import Path


def main(cfg):
    Path("started").write_text("yes")
    time.sleep(60)
    return {"x": 1.0}
"""


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_sigterm_is_recorded_as_interrupted(tmp_path: Path) -> None:
    conf, _ = repo(tmp_path, SLEEPS)
    proc = subprocess.Popen(
        [sys.executable, "-m", "manifest", "run", "--config-dir", str(conf), "hydra.run.dir=out"],
        cwd=tmp_path,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / ".cache"), "PYTHONPATH": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(tmp_path / "out" / "started", proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated (SIGTERM)" in err
    [manifest] = manifests_in(tmp_path / "manifests")
    assert manifest["status"] == "interrupted"
    assert "SIGTERM" in manifest["error"]["message"]


APP = """\
import time
from pathlib import Path

import hydra


@hydra.main(version_base="1.3", config_path="conf", config_name="app")
def main(cfg):
    Path("started").write_text("yes")
    time.sleep(60)
    return {"x": 1.0}


if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_an_app_stopped_by_a_signal_records_an_interrupted_manifest(
    tmp_path: Path, signum: int
) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.yaml").write_text("seed: 0\n")
    (tmp_path / "app.py").write_text(APP)
    proc = subprocess.Popen(
        [
            sys.executable,
            "app.py",
            "hydra/callbacks=manifest",
            "hydra.run.dir=out",
            "hydra.job.chdir=true",
        ],
        cwd=tmp_path,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / ".cache")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(tmp_path / "out" / "started", proc)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    [manifest] = manifests_in(tmp_path / "manifests")
    assert manifest["status"] == "interrupted", err
    assert manifest["task"] == "app:main"
    assert json.loads((tmp_path / "manifests" / f"{manifest['run_id']}.json").read_text())
