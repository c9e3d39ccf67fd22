"""Benchmark: ``manifest compare`` on two groups of 1,000 manifests each.

Records one real run of the bundled example (``manifest run``), then writes
2 x N synthetic copies of it with new run ids, seeds and metric values (and
recomputed digests, so every copy is a valid manifest), and times the whole
command, ``python -m manifest compare A B``, in a fresh process: interpreter
start, imports, reading and checking 2 x N files, statistics for the five
metrics of the example (bootstrap included), and the report.

    python benchmarks/bench_compare.py [--runs 1000] [--repeat 5] [--format text]

Prints the median wall time and its ratio to the 2 s target; exits 1 when the
median is over the target.
"""

from __future__ import annotations

import argparse
import json
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="manifests per group")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions")
    parser.add_argument("--format", default="text", choices=("text", "json", "markdown"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        work = Path(tmp)
        template = example_manifest(work)
        rng = random.Random(0)
        write_group(template, work / "baseline", args.runs, 0.0, rng)
        write_group(template, work / "candidate", args.runs, 0.002, rng)
        command = [
            sys.executable,
            "-m",
            "manifest",
            "compare",
            str(work / "baseline"),
            str(work / "candidate"),
            "--format",
            args.format,
        ]
        times = []
        for _ in range(args.repeat + 1):  # the first run warms the file cache
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"manifest compare failed:\n{done.stderr}")
        times = times[1:]
        runs_line = next(line for line in done.stdout.splitlines() if line.startswith("baseline"))
    median = statistics.median(times)
    print(
        f"manifest compare, 2 x {args.runs} manifests, {len(template['metrics'])} metrics: "
        f"{runs_line}"
    )
    print("times (s): " + ", ".join(f"{t:.3f}" for t in times))
    print(f"median {median:.3f} s; target {TARGET_S:.1f} s; ratio {median / TARGET_S:.2f}")
    return 0 if median <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
