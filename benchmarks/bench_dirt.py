"""Benchmark: ``manifest run`` in a repository holding 25,000 untracked files.

    python benchmarks/bench_dirt.py            # 25,000 files, 9 rounds
    python benchmarks/bench_dirt.py --quick    # 5,000 files, 5 rounds

A real project (a git repository with the bundled example's configs and a
committed task) is made twice: clean, and with an untracked, not ignored
folder of 25,000 files (110 MB, an MLflow or sweep folder left in the tree).
Interleaved rounds run, in each, the same example:

- a bare ``@hydra.main`` app calling the example's task (no manifest), in
  the messy repository, in its run folder as ``manifest run`` runs it (else
  the task's outputs land in the project and change its tree every round);
- ``manifest run`` in the clean repository;
- ``manifest run`` in the messy repository.

Targets (medians of the rounds): messy at most 1.15x clean, and at most 1.2x
the bare app. Each figure is the wall time of the whole command, with its
peak memory (the child's own maxrss, from wait4). The first ``manifest run``
in the messy repository reads every untracked file once (its hashes are then
remembered); it is reported apart, as "cold".
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TASK = """\
from manifest.examples.logreg import train


def main(cfg):
    return train(cfg)
"""
APP = """\
import hydra

from task import main as task


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(cfg):
    return task(cfg)


if __name__ == "__main__":
    main()
"""

CHDIR = "hydra.job.chdir=True"  # what manifest run passes: outputs go to the run folder


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.org"}
    env.update(GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.org")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_project(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(REPO / "conf", root / "conf")
    config = (root / "conf" / "config.yaml").read_text()
    (root / "conf" / "config.yaml").write_text(
        config.replace("manifest.examples.logreg:train", "task:main")
    )
    (root / "task.py").write_text(TASK)
    (root / "app.py").write_text(APP)
    (root / ".gitignore").write_text("outputs/\nmanifests/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "project")
    return root


def add_untracked(root: Path, files: int) -> int:
    """``files`` untracked files of 4.4 kB in folders of 100: an MLflow folder."""
    total = 0
    for n in range(files):
        folder = root / "mlruns" / f"{n // 100:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        data = os.urandom(4400)
        (folder / f"metric-{n % 100:03d}.txt").write_bytes(data)
        total += len(data)
    return total


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of ``command``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{proc.stderr.read().decode()}")  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    return elapsed, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    files, rounds = (5_000, 5) if args.quick else (25_000, 9)
    python, manifest = sys.executable, str(Path(sys.executable).parent / "manifest")
    with tempfile.TemporaryDirectory(prefix="bench-dirt-") as tmp:
        base = Path(tmp)
        clean, messy = make_project(base / "clean"), make_project(base / "messy")
        size = add_untracked(messy, files)
        env = {**os.environ, "XDG_CACHE_HOME": str(base / "cache")}
        print(f"manifest run with {files:,} untracked files ({size / 1e6:.0f} MB), {rounds} rounds")
        cold, cold_mem = timed([manifest, "run", "hydra.run.dir=outputs/cold"], messy, env)
        figures: dict[str, list[tuple[float, int]]] = {"bare": [], "clean": [], "messy": []}
        for i in range(rounds):  # interleaved: drift and load hit all three alike
            figures["bare"].append(
                timed([python, "app.py", f"hydra.run.dir=outputs/b{i}", CHDIR], messy, env)
            )
            figures["clean"].append(
                timed([manifest, "run", f"hydra.run.dir=outputs/c{i}"], clean, env)
            )
            figures["messy"].append(
                timed([manifest, "run", f"hydra.run.dir=outputs/m{i}"], messy, env)
            )
        med = {k: statistics.median(t for t, _ in v) for k, v in figures.items()}
        mem = {k: max(m for _, m in v) for k, v in figures.items()}
        for label, key in (("bare @hydra.main app (messy repo)", "bare"),
                           ("manifest run, clean repo", "clean"),
                           ("manifest run, messy repo", "messy")):  # fmt: skip
            print(f"  {label:<38} {med[key] * 1000:7.0f} ms   peak {mem[key] / 2**20:6.1f} MiB")
        print(f"  {'manifest run, messy repo, cold cache':<38} {cold * 1000:7.0f} ms   "
              f"peak {cold_mem / 2**20:6.1f} MiB (reads every untracked file once)")  # fmt: skip
        ratio_clean, ratio_bare = med["messy"] / med["clean"], med["messy"] / med["bare"]
        print(f"  messy / clean = {ratio_clean:.3f}x (target <= 1.15x)")
        print(f"  messy / bare  = {ratio_bare:.3f}x (target <= 1.20x)")
        if ratio_clean > 1.15 or ratio_bare > 1.2:
            raise SystemExit("a target was missed")


if __name__ == "__main__":
    main()
