"""What the Hydra plugin costs every Hydra app in the environment.

    python benchmarks/bench_plugin.py [--repeats 15]

Hydra imports every module under ``hydra_plugins`` when an app starts, and
calls each search-path plugin when it builds a config search path, so
hydra-manifest's plugin runs in apps that never record a manifest. This
starts a plain ``@hydra.main`` app (no callback) that composes and runs a
trivial job, in fresh processes, with the plugin and with it shadowed by an
empty package of the same name (a folder first on ``PYTHONPATH``),
alternating, and prints the medians, their ratio and each side's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

APP = """\
import hydra


@hydra.main(version_base=None, config_path="conf", config_name="app")
def main(cfg):
    return {"x": cfg.x}


if __name__ == "__main__":
    main()
"""


def run_once(root: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one start of the app."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "app.py", "hydra.run.dir=out/${now:%H%M%S%f}"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    import os

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "conf").mkdir()
        (root / "conf" / "app.yaml").write_text("x: 1\n")
        (root / "app.py").write_text(textwrap.dedent(APP))
        shadow = root / "shadow" / "hydra_plugins" / "hydra_manifest"
        shadow.mkdir(parents=True)
        (shadow / "__init__.py").write_text("")
        plain = {**os.environ}
        plain.pop("PYTHONPATH", None)
        without = {**plain, "PYTHONPATH": str(root / "shadow")}
        check = subprocess.run(
            [sys.executable, "-c", "import hydra_plugins.hydra_manifest as p; print(p.__file__)"],
            env=without,
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        assert check.stdout.startswith(str(root)), check.stdout  # the shadow is what loads
        run_once(root, plain)  # warm the file cache
        with_plugin: list[tuple[float, float]] = []
        shadowed: list[tuple[float, float]] = []
        for _ in range(args.repeats):  # alternating, so load drift hits both alike
            with_plugin.append(run_once(root, plain))
            shadowed.append(run_once(root, without))
    print(f"a plain app's start and one job, median of {args.repeats} alternating runs:")
    for index, kind in ((0, "wall"), (1, "CPU ")):
        a = statistics.median(r[index] for r in with_plugin)
        b = statistics.median(r[index] for r in shadowed)
        print(
            f"  {kind}: with the plugin {a * 1000:6.1f} ms, shadowed {b * 1000:6.1f} ms, "
            f"ratio {a / b:.3f}x ({1000 * (a - b):+.1f} ms)"
        )
    print(f"peak RSS of any run: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} KiB")


if __name__ == "__main__":
    main()
