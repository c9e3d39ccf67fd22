"""Hostile input to ``verify``: re-runs that never end, manifests that would
make composition explode, clock values that change on every re-run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from manifest.core.canonical import manifest_digest, pretty_bytes
from manifest.verification.options import default_timeout

HANGS = """\
import subprocess
import sys
import time
from pathlib import Path


def main(cfg):
    if Path(cfg.hang_flag).exists():  # only in the re-run
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        Path(cfg.hang_flag).with_suffix(".pid").write_text(str(child.pid))
        time.sleep(600)
    Path("stamp.txt").write_text(str(cfg.stamp))
    return {"x": 1.0}
"""


def project(root: Path) -> Path:
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "config.yaml").write_text(
        textwrap.dedent(f"""\
        defaults:
          - manifest_schema
          - _self_
        seed: 0
        hang_flag: {root / "hang.flag"}
        stamp: ${{now:%Y%m%d-%H%M%S.%f}}
        manifest:
          task: hang_task:main
        """)
    )
    (root / "hang_task.py").write_text(HANGS)
    return root


def cli(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "manifest", *args],
        cwd=root,
        env={**os.environ, "XDG_CACHE_HOME": str(root / ".cache"), "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, Path]:
    root = project(tmp_path)
    done = cli(root, "run", "hydra.run.dir=out")
    assert done.returncode == 0, done.stderr
    [path] = (root / "manifests").glob("*.json")
    return root, path


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def test_a_clock_value_is_taken_from_the_record(recorded: tuple[Path, Path]) -> None:
    """The task wrote its ${now:} stamp into an artifact: the re-run gets the
    recorded stamp, so the artifact is byte-identical and the run verifies."""
    root, path = recorded
    done = cli(root, "verify", str(path), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert [m["verdict"] for m in report["manifests"]] == ["verified"]
    stamp = json.loads(path.read_text())["params"]["stamp"]
    assert [m["overrides"] for m in report["manifests"]] == [[]]
    reran = [c for c in report["subjects"][0]["checks"] if c["check"] == "params"]
    assert all(c["status"] == "pass" for c in reran) and stamp


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to see the processes")
def test_a_rerun_past_its_time_limit_is_killed_with_its_children(
    recorded: tuple[Path, Path],
) -> None:
    root, path = recorded
    (root / "hang.flag").write_text("hang")
    started = time.monotonic()
    done = cli(root, "verify", str(path), "--timeout", "3", "--no-diagnose", "--format", "json")
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "timed-out" and report["settings"]["timeout_s"] == 3
    [failure] = [c for c in report["subjects"][0]["checks"] if c["status"] == "fail"]
    assert failure["check"] == "rerun" and "timed out" in failure["message"]
    assert "killed after 3 s" in failure["message"]
    assert took < 60
    child = int((root / "hang.pid").read_text())
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child), "the re-run's child process outlived the time limit"


def test_the_default_time_limit_follows_the_recorded_wall_time() -> None:
    assert default_timeout({"cost": {"wall_s": 0.5}}) == 60.0
    assert default_timeout({"cost": {"wall_s": 100.0}}) == 1000.0
    assert default_timeout({"cost": "garbage"}) == 60.0


def forged(path: Path, overrides: list[str], target: Path) -> Path:
    manifest: dict[str, Any] = json.loads(path.read_text())
    manifest["overrides"] = overrides
    manifest["digest"] = manifest_digest(manifest)
    target.write_bytes(pretty_bytes(manifest))
    return target


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            ["+a0=xxxxxxxxxxxxxxxx"] + [f"+a{i}=${{a{i - 1}}}${{a{i - 1}}}" for i in range(1, 48)],
            "refused before resolving: its values would expand to more than",
            id="doubling-interpolations",
        ),
        pytest.param(
            ["+b=" + "${oc.select:" * 40 + "x" + "}" * 40],
            "refused before composing: override 0 nests interpolations 40 deep",
            id="deep-nesting",
        ),
        pytest.param(
            [f"+k{i}=v" for i in range(1500)],
            "refused before composing: 1500 overrides",
            id="too-many",
        ),
        pytest.param(["+c=${d}", "+d=${c}"], "an interpolation cycle", id="cycle"),
    ],
)
def test_an_untrusted_manifest_cannot_make_composition_explode(
    recorded: tuple[Path, Path], overrides: list[str], message: str
) -> None:
    root, path = recorded
    evil = forged(path, overrides, root / "evil.json")
    started = time.monotonic()
    done = cli(root, "verify", str(evil), "--format", "json", timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["manifests"][0]["verdict"] == "refused"
    messages = [c["message"] for c in report["subjects"][0]["checks"] if c["status"] == "fail"]
    assert any(message in m for m in messages), messages
    assert time.monotonic() - started < 60
