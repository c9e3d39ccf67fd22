"""Benchmark: how often ``verify``'s statistical envelope is wrong, and how often it is right.

    python benchmarks/bench_envelope.py [--seeds 600] [--gaussian-seeds 2000] [--fresh 5 10 20 39]

The envelope (``manifest.verification.stochastic.envelope_checks``, the code verify
runs) judges a recorded metric vector against N fresh seeds. Here the metric
vectors come straight from the task function, seed by seed, instead of from
full ``manifest verify`` re-runs (same numbers, seconds instead of hours):

- the bundled stochastic example (``conf/sgd.yaml``: composed by Hydra, its
  envelope and directions read from the config, ``train`` called per seed);
- a Gaussian task: two independent metrics per seed, ``score`` ~ N(0.9,
  0.01) (higher is better) and ``loss`` ~ N(0.3, 0.02) (lower is better).

For record seed i the fresh seeds are the next N seeds, as verify picks
them. Printed for each N, with 95% Clopper-Pearson intervals over the
records tried:

- false alarms: an honest record fails (target: at most 5%);
- detection of a record moved by 3 standard deviations of the metric (the
  sd over all seeds) in its better direction;
- detection of best-of-10 selection: the record is the best of 10 seeds on
  the first metric (accuracy; score).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
Vector = dict[str, float]


def example_vectors(n: int) -> tuple[list[Vector], dict[str, Any], dict[str, str]]:
    """Metric vectors of seeds 0..n-1 of conf/sgd.yaml, its envelope and directions."""
    from omegaconf import OmegaConf

    from manifest._hydra.compose import compose
    from manifest.examples.logreg import train
    from manifest.record.settings import parse_settings

    cfg = compose(REPO / "conf", "sgd", [])
    settings = parse_settings(OmegaConf.to_container(cfg.manifest, resolve=True))
    old = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bench-envelope-") as tmp:
        os.chdir(tmp)  # train writes its model and predictions here
        try:
            vectors = [train(OmegaConf.merge(cfg, {"seed": s})) for s in range(n)]
        finally:
            os.chdir(old)
    return vectors, settings.envelope, settings.directions


def gaussian_vectors(n: int) -> tuple[list[Vector], dict[str, Any], dict[str, str]]:
    import numpy as np

    rng = np.random.default_rng(2024)
    score, loss = rng.normal(0.9, 0.01, n), rng.normal(0.3, 0.02, n)
    vectors = [{"score": float(s), "loss": float(v)} for s, v in zip(score, loss, strict=True)]
    envelope = {"default": {"atol": 0.0, "rtol": 0.0}, "metrics": {}}
    return vectors, envelope, {"score": "higher", "loss": "lower"}


def fails(
    record: Mapping[str, float],
    fresh: Sequence[Mapping[str, float]],
    envelope: Mapping[str, Any],
    directions: Mapping[str, str],
) -> bool:
    from manifest.verification.stochastic import envelope_checks

    seeds = list(range(len(fresh)))
    checks, _ = envelope_checks(
        "bench", record, fresh, seeds=seeds, envelope=envelope, directions=directions
    )
    return any(c.status == "fail" for c in checks)


def interval(k: int, n: int) -> str:
    """k/n with its 95% Clopper-Pearson interval."""
    from scipy import special

    low = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, 0.025))
    high = 1.0 if k == n else float(special.betaincinv(k + 1, n - k, 0.975))
    return f"{k / n:6.1%} [{low:.1%}, {high:.1%}] ({k}/{n})"


def rates(
    vectors: list[Vector],
    envelope: Mapping[str, Any],
    directions: Mapping[str, str],
    fresh_n: int,
    first: str,
) -> dict[str, str]:
    """False-alarm and detection rates over every record that has 10 seeds
    before its fresh ones."""
    import numpy as np

    sd = {k: float(np.std([v[k] for v in vectors], ddof=1)) for k in vectors[0]}
    sign = {k: -1.0 if directions.get(k) == "lower" else 1.0 for k in vectors[0]}
    better = sign[first]
    outcomes: dict[str, list[bool]] = {"honest": [], "shift3sd": [], "best_of_10": []}
    for i in range(len(vectors) - 10 - fresh_n + 1):
        fresh = vectors[i + 10 : i + 10 + fresh_n]
        honest = vectors[i + 9]
        moved = {**honest, first: honest[first] + 3 * sd[first] * sign[first]}
        best = max(vectors[i : i + 10], key=lambda v: better * v[first])
        for name, record in (("honest", honest), ("shift3sd", moved), ("best_of_10", best)):
            outcomes[name].append(fails(record, fresh, envelope, directions))
    return {k: interval(sum(v), len(v)) for k, v in outcomes.items()}


def report(
    title: str,
    make: Callable[[int], tuple[list[Vector], dict[str, Any], dict[str, str]]],
    n: int,
    fresh: Sequence[int],
) -> None:
    started = time.perf_counter()
    vectors, envelope, directions = make(n)
    first = next(iter(directions))
    print(f"\n{title}: {n} seeds in {time.perf_counter() - started:.1f} s; metrics "
          f"{', '.join(vectors[0])}; moved and selected metric: {first}")  # fmt: skip
    print(f"{'N':>3}  {'false alarms (honest)':<30} {'moved by 3 sd':<30} best of 10")
    for n_fresh in fresh:
        r = rates(vectors, envelope, directions, n_fresh, first)
        print(f"{n_fresh:>3}  {r['honest']:<30} {r['shift3sd']:<30} {r['best_of_10']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, default=600, help="seeds of the example")
    parser.add_argument("--gaussian-seeds", type=int, default=2000, help="of the Gaussian task")
    parser.add_argument("--fresh", type=int, nargs="+", default=[5, 10, 20, 39])
    args = parser.parse_args()
    report("bundled example (conf/sgd.yaml)", example_vectors, args.seeds, args.fresh)
    report("Gaussian task", gaussian_vectors, args.gaussian_seeds, args.fresh)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
