"""Benchmark: what contracts add to ``manifest validate``.

    python benchmarks/bench_validate_contracts.py              # 10,000 manifests, median of 3
    python benchmarks/bench_validate_contracts.py --count 2000 --repeats 5

Runs the bundled example once, makes ``--count`` distinct manifests from it
(run id, seed, metrics and timestamps vary; every digest is recomputed, so
all are intact; one in 500 falls below the accuracy floor), then times, in
subprocesses as a user runs them and interleaved so that drift hits both
alike:

- ``manifest validate DIR --no-contracts`` (schema + digest), and
- ``manifest validate DIR --contracts conf/contracts.yaml`` (one contract of
  each kind),

and prints files per second for each and their ratio (target: contracts add
under 30%, a ratio below 1.30), plus the time of one file with contracts
(target: under 0.25 s).
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from example_run import example_manifest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONTRACTS = REPO / "conf" / "contracts.yaml"


def make_manifests(root: Path, count: int) -> tuple[Path, str]:
    """``count`` distinct intact manifests, and a clock at which all are fresh."""
    sys.path.insert(0, str(REPO))
    from manifest.core.canonical import manifest_digest, pretty_bytes

    template = example_manifest(root / "example")
    folder = root / "manifests"
    folder.mkdir()
    for i in range(count):
        manifest = copy.deepcopy(template)
        manifest["run_id"] = f"20261126T{i // 3600 % 24:02d}{i // 60 % 60:02d}{i % 60:02d}Z-{i:08x}"
        manifest["params"]["seed"] = manifest["seeds"]["seed"] = i
        accuracy = 0.89 if i % 500 == 0 else 0.905 + (i % 100) / 10_000
        manifest["metrics"].update(accuracy=accuracy, log_loss=0.2 + (i % 97) / 1000)
        manifest["digest"] = manifest_digest(manifest)
        (folder / f"{i:05d}.json").write_bytes(pretty_bytes(manifest))
    return folder, template["finished"][:10] + "T23:59:59Z"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, cpu: list[float] | None = None) -> float:
    """Wall seconds of ``command``; appends its CPU seconds (all its
    processes) to ``cpu``, a measure that other load on the machine moves less."""
    start, used = time.perf_counter(), _cpu()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if cpu is not None:
        cpu.append(_cpu() - used)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    manifest = str(BIN / "manifest")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder, now = make_manifests(root, args.count)
        kb = statistics.mean(p.stat().st_size for p in folder.glob("*.json")) / 1024
        print(f"{args.count} distinct manifests of {kb:.1f} KB; contracts {CONTRACTS}\n")
        schema_only = [manifest, "validate", str(folder), "--no-contracts"]
        contracts = [manifest, "validate", str(folder), "--contracts", str(CONTRACTS)]
        contracts += ["--now", now]
        timed(schema_only, root)  # warm the page cache
        plain, full, plain_cpu, full_cpu = [], [], [], []
        for _ in range(args.repeats):
            plain.append(timed(schema_only, root, plain_cpu))
            full.append(timed(contracts, root, full_cpu))
        base, with_contracts = statistics.median(plain), statistics.median(full)
        cpu_ratio = statistics.median(full_cpu) / statistics.median(plain_cpu)
        one = [*contracts[:2], str(folder / "00001.json"), *contracts[3:]]
        single = statistics.median(timed(one, root) for _ in range(args.repeats))
        verdict = subprocess.run(contracts, capture_output=True, text=True, check=False)
    ratio = with_contracts / base
    print(f"  {'validate, schema + digest':<44} {args.count / base:>9,.0f} files/s")
    print(
        f"  {'validate --contracts (6 contracts)':<44} {args.count / with_contracts:>9,.0f} files/s"
    )
    print(f"  {'ratio (target < 1.30)':<44} {ratio:>9.2f}x  {'ok' if ratio < 1.3 else 'OVER'}")
    print(f"  {'ratio of CPU time (all processes)':<44} {cpu_ratio:>9.2f}x")
    print(f"  {'runs (wall s), schema + digest':<44} {' '.join(f'{t:.2f}' for t in plain)}")
    print(f"  {'runs (wall s), with contracts':<44} {' '.join(f'{t:.2f}' for t in full)}")
    print(f"  {'one file with contracts (target < 0.25 s)':<44} {single * 1000:>9.0f} ms")
    print(f"  {'verdict':<44} exit {verdict.returncode}: {verdict.stdout.splitlines()[-1]}")


if __name__ == "__main__":
    main()
