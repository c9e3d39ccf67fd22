"""Benchmarks of recording and validating manifests, measured side by side.

    python benchmarks/bench_record.py            # everything (about 3 minutes)
    python benchmarks/bench_record.py --quick    # smaller files and fewer repeats

Prints medians and the ratios that the targets are stated in:

- ``manifest run`` of a trivial task against the same task as a bare
  ``@hydra.main`` app (target: at most 1.3x), and the callback on that app;
- sha256 of a 1 GiB artifact against ``openssl dgst -sha256`` (target: at
  least 0.9x its speed) and ``sha256sum``; many artifacts on all cores;
- a repeat run with an unchanged 1 GiB input (target: under 50 ms added);
- ``manifest validate`` on 10,000 distinct manifests against a bare
  ``json.load`` loop (target: at least 20% of its throughput) and against
  ``check-jsonschema`` (same verdicts), and on one file (target: under 0.25 s).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from example_run import example_manifest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(command: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        list(command), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed


def median_of(repeats: int, measure: Callable[[int], float]) -> float:
    return statistics.median(measure(i) for i in range(repeats))


def row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<52} {value:>14}  {note}")


# ---------------------------------------------------------------- run overhead

TRIVIAL_TASK = """\
def main(cfg):
    return {"x": cfg.x}
"""

BARE_APP = """\
import hydra


@hydra.main(version_base="1.3", config_path="bare_conf", config_name="config")
def main(cfg):
    return {"x": cfg.x}


if __name__ == "__main__":
    main()
"""


def bench_run_overhead(root: Path, repeats: int, input_size: int) -> None:
    print("run overhead (wall time of the whole command, trivial task)")
    (root / "trivial.py").write_text(TRIVIAL_TASK)
    (root / "bare_app.py").write_text(BARE_APP)
    (root / "bare_conf").mkdir()
    (root / "bare_conf" / "config.yaml").write_text("x: 1\n")
    (root / "conf").mkdir()
    (root / "conf" / "config.yaml").write_text(
        textwrap.dedent("""\
            defaults:
              - manifest_schema
              - _self_
            x: 1
            manifest:
              task: trivial:main
            """)
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(root / "cache")}
    python, manifest = str(BIN / "python"), str(BIN / "manifest")
    bare, run, callback = [], [], []
    for i in range(repeats):  # interleaved, so drift hits all three alike
        bare.append(timed([python, "bare_app.py", f"hydra.run.dir=out/b{i}"], cwd=root, env=env))
        run.append(timed([manifest, "run", f"hydra.run.dir=out/m{i}"], cwd=root, env=env))
        callback.append(
            timed(
                [
                    python,
                    "bare_app.py",
                    f"hydra.run.dir=out/c{i}",
                    "+hydra.callbacks.manifest._target_=manifest.callback.ManifestCallback",
                ],
                cwd=root,
                env=env,
            )
        )
    b, r, c = (statistics.median(x) for x in (bare, run, callback))
    row("bare @hydra.main app", f"{b * 1000:.0f} ms")
    row("manifest run", f"{r * 1000:.0f} ms", f"{r / b:.2f}x bare (target <= 1.30x)")
    row("bare app + ManifestCallback", f"{c * 1000:.0f} ms", f"{c / b:.2f}x bare")

    data = root / "data.bin"
    make_file(data, input_size)
    old = time.time() - 3600
    os.utime(data, (old, old))
    with_input = [manifest, "run", "+data=data.bin", "manifest.inputs=[data]"]
    first = timed([*with_input, "hydra.run.dir=out/i"], cwd=root, env=env)
    plain, cached = [], []
    for i in range(repeats):
        plain.append(timed([manifest, "run", f"hydra.run.dir=out/p{i}"], cwd=root, env=env))
        cached.append(timed([*with_input, f"hydra.run.dir=out/i{i}"], cwd=root, env=env))
    added = statistics.median(cached) - statistics.median(plain)
    row(f"first run with a {input_size >> 20} MiB input", f"{first * 1000:.0f} ms")
    row("repeat run, unchanged input: time added", f"{added * 1000:.0f} ms", "(target < 50 ms)")


# --------------------------------------------------------------------- hashing


def make_file(path: Path, size: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as handle:
        for _ in range(size >> 20):
            handle.write(block)


def bench_hashing(root: Path, size: int, repeats: int) -> None:
    sys.path.insert(0, str(REPO))
    from manifest.record.capture.files import HashCache, hash_many, sha256_file

    print(f"hashing ({size >> 20} MiB file, page cache warm)")
    big = root / "big.bin"
    make_file(big, size)
    sha256_file(big)  # warm the page cache
    ours = median_of(repeats, lambda _: _clock(lambda: sha256_file(big)))
    openssl_cmd = ["openssl", "dgst", "-sha256", str(big)]
    openssl = median_of(repeats, lambda _: timed(openssl_cmd, cwd=root))
    coreutils = median_of(repeats, lambda _: timed(["sha256sum", str(big)], cwd=root))
    gbps = size / ours / 1e9
    row("manifest sha256_file", f"{gbps:.2f} GB/s", f"{openssl / ours:.2f}x openssl (>= 0.90x)")
    row("openssl dgst -sha256", f"{size / openssl / 1e9:.2f} GB/s")
    row("sha256sum", f"{size / coreutils / 1e9:.2f} GB/s")

    files = []
    for i in range(16):
        part = root / f"part{i}.bin"
        make_file(part, max(size // 16, 1 << 20))
        files.append(part)
    hash_many(files)
    one = median_of(repeats, lambda _: _clock(lambda: hash_many(files, workers=1)))
    many = median_of(repeats, lambda _: _clock(lambda: hash_many(files)))
    row(f"16 artifacts, 1 thread -> {os.cpu_count()} threads", f"{one / many:.2f}x faster")

    cache = HashCache(root / "cache.json")
    old = time.time() - 3600
    os.utime(big, (old, old))
    first = _clock(lambda: cache.sha256(big))
    cache.save()
    again = HashCache(root / "cache.json")
    repeat = median_of(repeats, lambda _: _clock(lambda: again.sha256(big)))
    row("unchanged input, first run (hashed)", f"{first * 1000:.0f} ms")
    row("unchanged input, repeat run (cache)", f"{repeat * 1000:.2f} ms", "(target < 50 ms)")


def _clock(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# ------------------------------------------------------------------ validation


def make_manifests(root: Path, count: int, invalid_every: int) -> tuple[Path, set[str]]:
    """``count`` distinct manifests copied from a real run of the example;
    every ``invalid_every``-th breaks the schema (with a valid digest)."""
    sys.path.insert(0, str(REPO))
    from manifest.core.canonical import manifest_digest, pretty_bytes

    template = example_manifest(root / "example")
    folder = root / "manifests"
    folder.mkdir()
    invalid = set()
    for i in range(count):
        manifest = copy.deepcopy(template)
        manifest["run_id"] = f"20261126T000000Z-{i:08x}"
        manifest["metrics"]["accuracy"] = 0.5 + i / (4 * count)
        manifest["params"]["seed"] = i
        name = folder / f"{i:05d}.json"
        if invalid_every and i % invalid_every == 0:
            manifest["status"] = "done"
            invalid.add(str(name))
        manifest["digest"] = manifest_digest(manifest)
        name.write_bytes(pretty_bytes(manifest))
    return folder, invalid


JSON_LOOP = """\
import json, sys, pathlib
for p in sorted(pathlib.Path(sys.argv[1]).glob('*.json')):
    with open(p, 'rb') as f:
        json.load(f)
"""


def bench_validate(root: Path, count: int, repeats: int) -> None:
    folder, invalid = make_manifests(root, count, invalid_every=100)
    size = statistics.mean(p.stat().st_size for p in folder.glob("*.json"))
    kb = size / 1024
    print(f"validation ({count} distinct manifests of {kb:.1f} KB, {len(invalid)} invalid)")
    manifest, python = str(BIN / "manifest"), str(BIN / "python")
    ours = median_of(
        repeats, lambda _: timed([manifest, "validate", "--no-contracts", str(folder)], cwd=root)
    )
    loop = median_of(repeats, lambda _: timed([python, "-c", JSON_LOOP, str(folder)], cwd=root))
    row("json.load loop (the floor)", f"{count / loop:,.0f} files/s")
    row(
        "manifest validate (schema + digest)",
        f"{count / ours:,.0f} files/s",
        f"{loop / ours:.0%} of json.load (target >= 20%)",
    )
    single = median_of(
        repeats,
        lambda _: timed(
            [manifest, "validate", "--no-contracts", str(folder / "00001.json")], cwd=root
        ),
    )
    row("manifest validate, one file", f"{single * 1000:.0f} ms", "(target < 250 ms)")

    report = subprocess.run(
        [manifest, "validate", "--no-contracts", "--format", "json", str(folder)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    ours_failed = {s["subject"] for s in json.loads(report.stdout)["subjects"] if not s["ok"]}
    checker = shutil.which("check-jsonschema")
    if checker is None:
        row("check-jsonschema", "not installed", "(pip install check-jsonschema)")
        return
    schema = str(REPO / "schemas" / "manifest.schema.json")
    files = sorted(str(p) for p in folder.glob("*.json"))
    start = time.perf_counter()
    result = subprocess.run(
        [checker, "--schemafile", schema, "-o", "json", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    theirs = time.perf_counter() - start
    errors = json.loads(result.stdout).get("errors", [])
    their_failed = {e.get("filename") for e in errors}
    row(
        "check-jsonschema (schema only)",
        f"{count / theirs:,.0f} files/s",
        f"manifest validate is {theirs / ours:.1f}x faster",
    )
    same = ours_failed == their_failed == invalid
    row("same verdicts", "yes" if same else "NO", f"{len(ours_failed)} failing files each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("run", "hash", "validate"))
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    size = (64 if args.quick else 1024) << 20
    count = 2_000 if args.quick else 10_000
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.only in (None, "run"):
            (root / "run").mkdir()
            bench_run_overhead(root / "run", repeats, size)
        if args.only in (None, "hash"):
            (root / "hash").mkdir()
            bench_hashing(root / "hash", size, repeats)
        if args.only in (None, "validate"):
            (root / "validate").mkdir()
            bench_validate(root / "validate", count, repeats)


if __name__ == "__main__":
    main()
