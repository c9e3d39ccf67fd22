"""Compare two groups of runs (e.g. a seed sweep of the baseline and of the
candidate): per metric, n, mean, std, median, min, max of each group; the
difference (candidate - baseline) with Welch and bootstrap confidence
intervals; Welch's and Student's t, Mann-Whitney U, and for runs paired by
seed the paired t and Wilcoxon signed-rank tests; the probability that a
candidate run beats a baseline run; Holm's correction across the metrics.

Each side is a folder, a quoted glob, a comma-separated list or @LIST.
Only completed, valid manifests count; the others are listed as skipped.
Directions: --direction NAME=higher|lower or a policy's rules; otherwise a
name containing loss, latency, error, cost, time or memory is lower-is-better,
any other higher-is-better. Exit 0; 2 for a usage error or unreadable input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...errors import EXIT_OK, UsageError
from ...render.escape import escape
from ..options import add_format, add_policy, add_sides, err, out, sides


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_sides(parser)
    parser.add_argument(
        "--metric",
        "-M",
        action="append",
        default=[],
        metavar="NAME",
        help="compare only this metric (repeatable; default: all shared)",
    )
    parser.add_argument(
        "--direction",
        action="append",
        default=[],
        metavar="NAME=higher|lower",
        help="which way is better for a metric (repeatable)",
    )
    add_policy(parser, required=False, help="take metric directions from a policy file")
    parser.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        help="confidence level of the intervals (default 0.95)",
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument(
        "--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)"
    )
    add_format(parser, ("text", "json", "markdown"))
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="FILE.png",
        help="also draw each group's runs and the intervals (needs matplotlib)",
    )


def parse_directions(items: list[str]) -> dict[str, str]:
    """``NAME=higher|lower`` flags as a mapping; UsageError for a bad one."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, direction = item.rpartition("=")
        if not sep or not name or direction not in ("higher", "lower"):
            raise UsageError(
                "bad --direction",
                pointer="--direction",
                expected="NAME=higher or NAME=lower",
                found=repr(item),
            )
        out[name] = direction
    return out


def run(args: argparse.Namespace) -> int:
    from ...compare.comparison import compare
    from ...compare.groups import load_group
    from ...render.comparison import render

    if args.resamples < 100:
        raise UsageError(
            "too few bootstrap resamples",
            pointer="--resamples",
            expected="at least 100",
            found=str(args.resamples),
        )
    if args.plot is not None:
        from ...compare.plot import require_matplotlib

        require_matplotlib()
    baseline_specs, candidate_specs = sides(args)
    directions: dict[str, str] = {}
    if args.policy is not None:
        from ...gate.policy import load_policy

        directions.update(load_policy(args.policy).directions())
    directions.update(parse_directions(args.direction))
    comparison = compare(
        load_group(baseline_specs, "baseline"),
        load_group(candidate_specs, "candidate"),
        metrics=args.metric,
        directions=directions,
        confidence=args.confidence,
        seed=args.seed,
        resamples=args.resamples,
    )
    out(render(comparison, args.format), args.format)
    if args.plot is not None:
        from ...compare.plot import plot

        plot(comparison, args.plot)
        err(f"plot written to {escape(args.plot)}")
    return EXIT_OK
