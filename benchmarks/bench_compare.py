"""Benchmark: ``manifest compare`` on two groups of 1,000 manifests each.

Records one real run of the bundled example (``manifest run``), then writes
2 x N synthetic copies of it with new run ids, seeds and metric values (and
recomputed digests, so every copy is a valid manifest), and times the whole
command, ``python -m manifest compare A B``, in a fresh process: interpreter
start, imports, reading and checking 2 x N files, statistics for the five
metrics of the example (bootstrap included), and the report.

    python benchmarks/bench_compare.py [--runs 1000] [--repeat 5] [--format text]
    python benchmarks/bench_compare.py --against /path/to/other/checkout

Prints, per repetition, the wall time, the CPU time (user + system) and the
peak memory of the ``manifest compare`` process, their medians and the ratio
of the median wall time to the 2 s target; exits 1 when it is over the
target. On a shared machine the wall time waits for the CPU: the CPU time
is what the command itself costs. ``--against DIR`` runs the ``manifest``
package of another source tree (``DIR/manifest``) on the same manifests,
interleaved with this one, and prints the ratios of the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from example_run import example_manifest

from manifest.core.canonical import manifest_digest, pretty_bytes

TARGET_S = 2.0
REPO = Path(__file__).resolve().parent.parent


def write_group(template: dict, folder: Path, n: int, shift: float, rng: random.Random) -> None:  # type: ignore[type-arg]
    folder.mkdir(parents=True)
    for i in range(n):
        manifest = json.loads(json.dumps(template))
        manifest["run_id"] = f"20260101T000000Z-{rng.getrandbits(32):08x}{i:08x}"
        manifest["params"]["seed"] = i
        manifest["seeds"]["seed"] = i
        manifest["metrics"] = {
            name: round(value * (1 + shift) + rng.gauss(0, abs(value) * 0.01 + 1e-3), 9)
            for name, value in template["metrics"].items()
        }
        manifest["digest"] = manifest_digest(manifest)
        (folder / f"{manifest['run_id']}.json").write_bytes(pretty_bytes(manifest))


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (MB) of one run of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(
            f"manifest compare failed:\n{process.stderr.read() if process.stderr else ''}"
        )
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def summary(label: str, runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    medians = tuple(statistics.median(r[i] for r in runs) for i in range(3))
    walls = ", ".join(f"{r[0]:.2f}" for r in runs)
    print(
        f"{label}: wall {medians[0]:.3f} s (runs {walls}), CPU {medians[1]:.3f} s, "
        f"peak memory {medians[2]:.0f} MB"
    )
    return medians  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="manifests per group")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions")
    parser.add_argument("--format", default="text", choices=("text", "json", "markdown"))
    parser.add_argument("--against", type=Path, help="another source tree to time alongside")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        work = Path(tmp)
        template = example_manifest(work)
        rng = random.Random(0)
        write_group(template, work / "baseline", args.runs, 0.0, rng)
        write_group(template, work / "candidate", args.runs, 0.002, rng)
        command = [
            sys.executable, "-m", "manifest", "compare",
            str(work / "baseline"), str(work / "candidate"), "--format", args.format,
        ]  # fmt: skip
        trees = {"this tree": dict(os.environ)}
        if args.against is not None:
            trees["other tree"] = {**os.environ, "PYTHONPATH": str(args.against.resolve())}
        times: dict[str, list[tuple[float, float, float]]] = {k: [] for k in trees}
        for index in range(args.repeat + 1):  # the first round warms the file cache
            for label, env in trees.items():  # interleaved, so a busy neighbour slows both
                result = timed(command, env)
                if index:
                    times[label].append(result)
    print(f"manifest compare, 2 x {args.runs} manifests, {len(template['metrics'])} metrics")
    medians = {label: summary(label, runs) for label, runs in times.items()}
    mine = medians["this tree"]
    if "other tree" in medians:
        other = medians["other tree"]
        print(
            f"this / other: wall {mine[0] / other[0]:.2f}, CPU {mine[1] / other[1]:.2f}, "
            f"memory {mine[2] / other[2]:.2f}"
        )
    ratios = f"wall ratio {mine[0] / TARGET_S:.2f}, CPU ratio {mine[1] / TARGET_S:.2f}"
    print(f"target {TARGET_S:.1f} s: {ratios}")
    return 0 if mine[0] <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
