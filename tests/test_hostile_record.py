"""Hostile input while recording: bad metric names, runs that share a
folder, artifacts that change before the manifest is sealed.

Each case asserts the exit code, what the manifest says, and that no run
lost its files to another.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hostile_kit import cli, cli_process

from conftest import manifests_in

_modules = count()


def project(root: Path, task_body: str, config: str = "") -> tuple[Path, str]:
    """A project with a task module of a fresh name and a config folder."""
    module = f"hostile_task{next(_modules)}"
    (root / f"{module}.py").write_text(textwrap.dedent(task_body))
    conf = root / "conf"
    conf.mkdir(exist_ok=True)
    head = (
        f"defaults:\n  - manifest_schema\n  - _self_\nseed: 0\nmanifest:\n  task: {module}:main\n"
    )
    (conf / "config.yaml").write_text(head + textwrap.dedent(config))
    return conf, module


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    return tmp_path


@pytest.mark.parametrize(
    ("returned", "named", "message"),
    [
        pytest.param('{"": 1.0}', "", "the metric name '' is empty", id="empty-name"),
        pytest.param('{"a": {"": 1.0}}', "a.", "has an empty part", id="empty-part"),
        pytest.param(
            '{"acc\\n::error::forged": 1.0}',
            "acc\n::error::forged",
            "holds a control character",
            id="newline",
        ),
        pytest.param('{"\\x1b[2J": 1.0}', "\x1b[2J", "holds a control character", id="escape"),
        pytest.param(
            '{"a": {"b": 1.0}, "a.b": 2.0}',
            "a.b",
            "metrics 'a.b' and 'a' -> 'b' both flatten to 'a.b'",
            id="flattening-clash",
        ),
    ],
)
def test_a_bad_metric_name_fails_the_run_with_a_manifest_naming_it(
    home: Path, capsys: pytest.CaptureFixture[str], returned: str, named: str, message: str
) -> None:
    conf, _ = project(home, f"def main(cfg):\n    return {returned}\n")
    code, out, err = cli(capsys, "run", "--config-dir", conf, "hydra.run.dir=out")
    assert code == 1
    [manifest] = manifests_in(home / "manifests")
    assert manifest["status"] == "failed" and manifest["metrics"] == {}
    assert manifest["error"]["type"] == "MetricError" and manifest["error"]["metric"] == named
    assert message in manifest["error"]["message"]
    assert "MetricError" in err and "\x1b" not in out + err
    assert cli(capsys, "validate", home / "manifests", "--no-contracts")[0] == 0


WRITES_SEED = """\
import time

def main(cfg):
    time.sleep(cfg.pause)
    with open("model.txt", "w") as handle:
        handle.write(f"seed {cfg.seed}\\n" * 1000)
    return {"seed": cfg.seed}
"""


def assert_each_run_kept_its_own_files(store: Path, project_dir: Path) -> list[Path]:
    folders = []
    for manifest in manifests_in(store):
        folder = project_dir / manifest["hydra"]["run_dir"]
        [artifact] = manifest["artifacts"]
        data = (folder / artifact["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == artifact["sha256"]
        assert data.startswith(f"seed {manifest['params']['seed']}".encode())
        config = (folder / ".hydra" / "config.yaml").read_text()
        assert f"seed: {manifest['params']['seed']}" in config
        folders.append(folder)
    assert len(set(folders)) == len(folders)
    return folders


def test_runs_in_one_clock_period_get_folders_of_their_own(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hydra's default folder has one-second resolution; ``%Y`` stands in
    for it so that the runs surely fall in one period."""
    conf, _ = project(home, WRITES_SEED, "pause: 0\n")
    for seed in (1, 2, 3):
        code, _, err = cli(
            capsys, "run", "--config-dir", conf, f"seed={seed}", "hydra.run.dir=out/${now:%Y}"
        )
        assert code == 0, err
    folders = assert_each_run_kept_its_own_files(home / "manifests", home)
    year = folders[0].name
    assert sorted(f.name for f in folders) == [year, f"{year}-1", f"{year}-2"]
    assert "is used by another run; this run writes to" in err


def test_a_fixed_folder_is_reused_in_turn_but_never_shared(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipeline reruns a stage into its fixed folder on purpose; a second
    run while the first still runs gets a folder of its own."""
    conf, _ = project(home, WRITES_SEED, "pause: 0\n")
    for seed in (1, 2):
        assert cli(capsys, "run", "--config-dir", conf, f"seed={seed}", "hydra.run.dir=out")[0] == 0
    assert [p.name for p in home.iterdir() if p.name.startswith("out")] == ["out"]
    assert (home / "out" / "model.txt").read_text().startswith("seed 2")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home / "out")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        code, _, err = cli(capsys, "run", "--config-dir", conf, "seed=3", "hydra.run.dir=out")
    finally:
        holder.kill()
        holder.communicate()
    assert code == 0, err
    assert "out is used by another run; this run writes to" in err
    assert (home / "out-1" / "model.txt").read_text().startswith("seed 3")
    assert (home / "out" / "model.txt").read_text().startswith("seed 2")


HOLD = """
import os, sys, time
from manifest.core.locking import try_lock
fd = os.open(sys.argv[1], os.O_RDONLY)
assert try_lock(fd)
print("held", flush=True)
time.sleep(60)
"""


def test_two_runs_started_in_the_same_second_do_not_share_a_folder(tmp_path: Path) -> None:
    """Two concurrent runs, each with a pause, in one ``%Y`` folder."""
    conf, _ = project(
        tmp_path,
        WRITES_SEED,
        "pause: 1.0\nhydra:\n  run:\n    dir: outputs/${now:%Y}\n",
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / ".cache"), "PYTHONPATH": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "manifest", "run", "--config-dir", str(conf), f"seed={seed}"],
            cwd=tmp_path,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    folders = assert_each_run_kept_its_own_files(tmp_path / "manifests", tmp_path)
    assert len(folders) == 2 and {f.parent.name for f in folders} == {"outputs"}


WRITES_WEIGHTS = """\
from pathlib import Path


def main(cfg):
    Path("weights.txt").write_text("version 0\\n")
    return {"loss": 0.5}
"""


def test_an_artifact_replaced_before_sealing_is_never_cited(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from manifest.record import build

    conf, _ = project(home, WRITES_WEIGHTS)
    hashed = build.collect

    def hashed_then_replaced(ctx: Any) -> Any:
        records = hashed(ctx)
        # another process replaces the bytes between hashing and sealing
        (ctx.run_dir / "weights.txt").write_text("version 1, replaced\n")
        return records

    monkeypatch.setattr(build, "collect", hashed_then_replaced)
    code, _, err = cli(capsys, "run", "--config-dir", conf, "hydra.run.dir=out")
    assert code == 1, err
    [manifest] = manifests_in(home / "manifests")
    assert manifest["status"] == "failed" and manifest["error"]["type"] == "ArtifactChanged"
    assert "weights.txt" in manifest["error"]["message"]
    cited: list[dict[str, Any]] = manifest["artifacts"]
    assert all(a["path"] != "weights.txt" for a in cited)
    assert json.loads((home / "manifests" / f"{manifest['run_id']}.json").read_text()) == manifest


MAKES_SPECIAL_FILES = """
import os
from pathlib import Path

def main(cfg):
    os.mkfifo("results.pipe")  # reading it would wait for a writer forever
    os.symlink("/dev/zero", "zeros.bin")  # reading it would never end
    Path("model.txt").write_text("weights\\n")
    return {"loss": 0.5}
"""


def test_a_fifo_or_device_in_the_run_folder_is_never_read_or_cited(home: Path) -> None:
    conf, _ = project(home, MAKES_SPECIAL_FILES)
    done = cli_process(
        "run",
        "--config-dir",
        conf,
        "hydra.run.dir=out",
        cwd=home,
        env={"PYTHONPATH": str(home)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [manifest] = manifests_in(home / "manifests")
    assert manifest["status"] == "completed"
    assert [a["path"] for a in manifest["artifacts"]] == ["model.txt"]
    assert (home / "out" / "results.pipe").is_fifo()  # left as the task made it
