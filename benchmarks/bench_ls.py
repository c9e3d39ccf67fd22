"""Benchmark: `manifest ls --where` on many manifests against the `json.load` floor.

    python benchmarks/bench_ls.py                       # 10,000 and 100,000 manifests
    python benchmarks/bench_ls.py --counts 10000 --repeats 5

Runs the bundled example once and makes N distinct manifests from it (run id,
creation time, seed, learning rate, optimizer and metrics vary; every digest is
recomputed, so all are intact), spread over 10 subfolders. Then, in fresh
subprocesses as a user runs them, interleaved so that drift hits all alike:

- floor:  a Python process that `json.load`s every file (os.walk, open, load);
- first:  `manifest ls --where ...` with no index (it builds the index);
- repeat: the same command again (the index is up to date).

The package runs from compiled bytecode, as an installed one does (pip
compiles it): the processes write and read their ``.pyc`` files in a folder
of their own, compiled once before the first timing, even where
``PYTHONDONTWRITEBYTECODE`` is set (which would make every ``ls`` compile
the package's sources again, a cost no installed package pays).

Each process reports its own peak memory (ru_maxrss). Prints the medians, the
ratio first/floor (wall and CPU time), and checks the targets at 100,000
manifests: first at most 1.5x the floor, repeat under 1 s, peak memory
under 300 MB.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from example_run import example_manifest

REPO = Path(__file__).resolve().parent.parent
# The targets are set for 100,000 manifests; below, a fixed cost (starting
# Python, importing the command) weighs more against the floor's bare loop.
TARGETS_AT = 100_000
WHERE = "params.optimizer.lr < 0.1 and metrics.accuracy >= 0.925 and status == completed"
FLOOR = """
import json, os, resource, sys
n = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith(".json"):
            with open(os.path.join(folder, name), "rb") as handle:
                json.load(handle)
            n += 1
print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""
LS = """
import resource, sys
from manifest.cli import main
code = main(sys.argv[1:])
who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
peak = max(resource.getrusage(w).ru_maxrss for w in who)
print(code, peak, file=sys.stderr)
sys.exit(code)
"""


def make_manifests(folder: Path, template: dict[str, Any], count: int) -> None:
    sys.path.insert(0, str(REPO))
    from manifest.core.canonical import manifest_digest, pretty_bytes

    for i in range(count):
        m = copy.deepcopy(template)
        m["run_id"] = f"2026{i // 86400 % 12 + 1:02d}01T{i // 3600 % 24:02d}{i // 60 % 60:02d}"
        m["run_id"] += f"{i % 60:02d}Z-{i:08x}"
        m["created"] = m["run_id"][:4] + "-" + m["run_id"][4:6] + "-01T00:00:00Z"
        m["params"]["seed"] = m["seeds"]["seed"] = i
        m["params"]["optimizer"]["lr"] = (0.05, 0.1, 0.2, 0.5)[i % 4]
        m["params"]["optimizer"]["kind"] = ("gd", "sgd")[i % 2]
        m["metrics"]["accuracy"] = 0.88 + (i % 50) / 1000
        m["metrics"]["log_loss"] = 0.2 + (i % 97) / 1000
        m["digest"] = manifest_digest(m)
        sub = folder / f"sweep-{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{m['run_id']}.json").write_bytes(pretty_bytes(m))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (all its processes), peak MB, and stdout of
    one fresh process. CPU time is what a busy machine distorts least."""
    start, used = time.perf_counter(), _cpu()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )
    elapsed, cpu = time.perf_counter() - start, _cpu() - used
    if done.returncode != 0:
        raise SystemExit(f"{args} exited {done.returncode}:\n{done.stderr}")
    peak_kb = int(done.stderr.strip().splitlines()[-1].split()[1])
    return elapsed, cpu, peak_kb / 1024, done.stdout


def measure(root: Path, template: dict[str, Any], count: int, repeats: int) -> dict[str, Any]:
    folder = root / f"m{count}"
    make_manifests(folder, template, count)
    cache = root / f"cache{count}"
    env = {**os.environ, "HYDRA_MANIFEST_INDEX_DIR": str(cache), "PYTHONPATH": str(REPO)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    compile_all = [sys.executable, "-m", "compileall", "-q", str(REPO / "manifest")]
    subprocess.run(compile_all, env=env, check=True, stdout=subprocess.DEVNULL)
    ls = ["ls", str(folder), "--where", WHERE, "--format", "json"]
    times: dict[str, list[float]] = {"floor": [], "first": [], "repeat": []}
    cpus: dict[str, list[float]] = {"floor": [], "first": [], "repeat": []}
    peaks: dict[str, list[float]] = {"floor": [], "first": [], "repeat": []}
    matched = 0
    for _ in range(repeats):
        shutil.rmtree(cache, ignore_errors=True)
        for kind, code, args in (
            ("floor", FLOOR, [str(folder)]),
            ("first", LS, ls),
            ("repeat", LS, ls),
        ):
            seconds, cpu, peak, out = run(code, args, env)
            times[kind].append(seconds)
            cpus[kind].append(cpu)
            peaks[kind].append(peak)
            if kind == "repeat":
                matched = len(json.loads(out))
    shutil.rmtree(folder)
    result = {k: statistics.median(v) for k, v in times.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    return {
        **{f"{k}_cpu": v for k, v in cpu.items()},
        "first_cpu_ratio": cpu["first"] / cpu["floor"],
        "count": count,
        "matched": matched,
        **{f"{k}_s": v for k, v in result.items()},
        **{f"{k}_peak_mb": max(v) for k, v in peaks.items()},
        "first_ratio": result["first"] / result["floor"],
        "repeat_ratio": result["repeat"] / result["floor"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ls-") as tmp:
        root = Path(tmp)
        template = example_manifest(root / "example")
        print(f"--where {WHERE!r}; median of {args.repeats}, interleaved; fresh processes")
        print(f"{'manifests':>10} {'floor s':>8} {'first s':>8} {'ratio':>6} {'repeat s':>9}"
              f" {'floor MB':>9} {'first MB':>9} {'repeat MB':>10} {'matched':>8}"
              f" {'CPU s floor/first/repeat':>26} {'ratio':>6}")  # fmt: skip
        verdicts = []
        for count in args.counts:
            r = measure(root, template, count, args.repeats)
            print(
                f"{r['count']:>10,} {r['floor_s']:>8.2f} {r['first_s']:>8.2f}"
                f" {r['first_ratio']:>5.2f}x {r['repeat_s']:>9.2f} {r['floor_peak_mb']:>9.0f}"
                f" {r['first_peak_mb']:>9.0f} {r['repeat_peak_mb']:>10.0f} {r['matched']:>8,}"
                f" {r['floor_cpu']:>8.2f} {r['first_cpu']:>8.2f} {r['repeat_cpu']:>8.2f}"
                f" {r['first_cpu_ratio']:>5.2f}x",
                flush=True,
            )
            if count >= TARGETS_AT:
                met = r["first_ratio"] <= 1.5 and r["repeat_s"] < 1.0
                verdicts.append(met and max(r["first_peak_mb"], r["repeat_peak_mb"]) < 300)
        targets = f"targets at {TARGETS_AT:,} manifests (first <= 1.5x floor, repeat < 1 s, peak"
        verdict = "not measured" if not verdicts else "met" if all(verdicts) else "MISSED"
        print(f"{targets} < 300 MB): {verdict}")


if __name__ == "__main__":
    main()
