"""Benchmark: building the lineage graph against validating the same manifests.

    python benchmarks/bench_lineage.py                  # 10,000 manifests, median of 5
    python benchmarks/bench_lineage.py --count 2000 --repeats 3

Runs the bundled example once and makes ``--count`` distinct, intact
manifests from it that form a graph of a few long chains and many siblings:
4 chains of ``count // 10`` runs (each reads the artifact of the one before
it), and every other run a sibling that reads an artifact of a random chain
run (one in ten also names a declared parent). Then it times, in fresh
processes as a user runs them, interleaved so that drift on a shared machine
hits both alike:

- ``manifest validate DIR --no-contracts`` (parse, schema, digest), and
- ``manifest lineage RUN --store DIR --format json``: reads every manifest,
  builds the whole graph and walks it from a run in the middle of a chain
  (about ``count // 20`` runs up, the rest of its chain and the siblings that
  read it down), once with no runs index (*cold*: every manifest is parsed
  and the index written) and once with the index of the run before (*warm*:
  one ``stat`` per file),

and prints the medians, their ratios (target: at most 1.5, cold) and each
command's peak memory (its own and its worker processes'). In-process
figures of reading + building alone, and of validating on one process,
follow for like-against-like CPU work.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import random
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
CHAINS = 4
# Runs the command in this interpreter and reports its peak resident memory
# (of the process and of its children, the validate workers) on stderr.
PEAK = (
    "import resource, sys\n"
    "from manifest.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "usage = [resource.getrusage(w).ru_maxrss for w in "
    "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]\n"
    "print('peak-kib', max(usage), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _sha(i: int) -> str:
    return hashlib.sha256(f"artifact {i}".encode()).hexdigest()


def _edges(count: int, rng: random.Random) -> list[tuple[int | None, int | None]]:
    """For each run: the run whose artifact it reads, and a declared parent."""
    chain = count // 10
    reads: list[tuple[int | None, int | None]] = []
    for i in range(count):
        if i < CHAINS * chain:
            reads.append((i - 1 if i % chain else None, None))
        else:
            source = rng.randrange(CHAINS * chain)
            reads.append((source, source if i % 10 == 0 else None))
    return reads


def make_manifests(root: Path, count: int) -> tuple[Path, str]:
    """``count`` intact manifests forming chains and siblings; the run id of
    the middle of the first chain."""
    sys.path.insert(0, str(REPO))
    from manifest.core.canonical import manifest_digest, pretty_bytes

    template = example_manifest(root / "example")
    folder = root / "manifests"
    folder.mkdir()
    run_ids = [
        f"20261126T{i // 3600 % 24:02d}{i // 60 % 60:02d}{i % 60:02d}Z-{i:08x}"
        for i in range(count)
    ]
    for i, (source, parent) in enumerate(_edges(count, random.Random(0))):
        manifest: dict[str, Any] = copy.deepcopy(template)
        manifest["run_id"] = run_ids[i]
        manifest["created"] = f"2026-11-26T00:00:00.{i:06d}Z"
        manifest["params"]["seed"] = manifest["seeds"]["seed"] = i
        manifest["artifacts"][0]["sha256"] = _sha(i)
        if source is not None:
            manifest["inputs"] = [
                {"key": "data", "path": "data/in.bin", "sha256": _sha(source), "size": 596}
            ]
        manifest["lineage"]["parents"] = [run_ids[parent]] if parent is not None else []
        manifest["digest"] = manifest_digest(manifest)
        (folder / f"{i:05d}.json").write_bytes(pretty_bytes(manifest))
    return folder, run_ids[count // 20]


def timed(args: list[str], cwd: Path, index: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak KiB of ``manifest ARGS`` in a fresh process;
    ``index``: the runs index folder (emptied first), else a warm one."""
    env = dict(os.environ, HYDRA_MANIFEST_INDEX_DIR=str(cwd / "index"))
    if index is not None:
        shutil.rmtree(index, ignore_errors=True)
        env["HYDRA_MANIFEST_INDEX_DIR"] = str(index)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"manifest {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    peak = int(done.stderr.rsplit("peak-kib", 1)[1].split()[0])
    return elapsed, peak


def in_process(folder: Path, repeats: int) -> tuple[float, float, int]:
    """Medians of reading + building the graph, and of validating on one
    process; and the number of edges."""
    from manifest.check.validate import validate
    from manifest.lineage.graph import build_graph
    from manifest.lineage.records import read_records

    build, check, edges = [], [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        loaded = read_records([folder])  # the manifests themselves, no index
        graph = build_graph(loaded.records, loaded.problems)
        build.append(time.perf_counter() - start)
        edges = len(graph.edges)
        start = time.perf_counter()
        validate([folder], jobs=1)
        check.append(time.perf_counter() - start)
    return statistics.median(build), statistics.median(check), edges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder, middle = make_manifests(root, args.count)
        kb = statistics.mean(p.stat().st_size for p in folder.glob("*.json")) / 1024
        print(
            f"{args.count} manifests of {kb:.1f} KB: {CHAINS} chains of {args.count // 10}, "
            f"{args.count - CHAINS * (args.count // 10)} siblings\n"
        )
        validate = ["validate", str(folder), "--no-contracts"]
        lineage = ["lineage", middle, "--store", str(folder), "--format", "json"]
        timed(validate, root)  # warm the page cache
        timed(lineage, root)  # and write the index the warm runs use
        runs: dict[str, list[float]] = {"validate": [], "cold": [], "warm": []}
        peaks = dict.fromkeys(runs, 0)
        for _ in range(args.repeats):
            for name, index in (("validate", None), ("cold", root / "cold"), ("warm", None)):
                seconds, peak = timed(validate if name == "validate" else lineage, root, index)
                runs[name].append(seconds)
                peaks[name] = max(peaks[name], peak)
        build, check, edges = in_process(folder, max(1, args.repeats // 2))
    _report(runs, peaks)
    print(f"  {'in process: read + build the graph':<52} {build:>8.2f} s  ({edges} edges)")
    print(f"  {'in process: validate on one process':<52} {check:>8.2f} s  ({build / check:.2f}x)")


def _report(runs: dict[str, list[float]], peaks: dict[str, int]) -> None:
    medians = {name: statistics.median(times) for name, times in runs.items()}
    labels = {
        "validate": "validate --no-contracts",
        "cold": "lineage RUN --format json, no index",
        "warm": "lineage RUN --format json, index",
    }
    for name, label in labels.items():
        print(
            f"  {label + ' (wall, median)':<52} {medians[name]:>8.2f} s  "
            f"peak {peaks[name] / 1024:>6.0f} MiB"
        )
    for name in ("cold", "warm"):
        ratio = medians[name] / medians["validate"]
        verdict = "ok" if ratio <= 1.5 else "OVER"
        print(f"  {'ratio ' + name + ' / validate (target <= 1.50)':<52} {ratio:>8.2f}x  {verdict}")
    for name, times in runs.items():
        print(f"  {'runs (wall s), ' + name:<52} {' '.join(f'{t:.2f}' for t in times)}")


if __name__ == "__main__":
    main()
