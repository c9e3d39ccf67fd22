"""Compare two groups of runs (e.g. a seed sweep of the baseline and of the
candidate): per metric, n, mean, std, median, min, max of each group; the
difference (candidate - baseline) with Welch and bootstrap confidence
intervals; Welch's and Student's t, Mann-Whitney U, and for runs paired by
their declared seed the paired t and Wilcoxon signed-rank tests; effect sizes
with intervals (Hedges' g, Cliff's delta, the Hodges-Lehmann shift,
P(improvement)); Holm's correction across the metrics; with --stratify-by KEY,
each stratum and the IQM and P(improvement) across strata.

Each side is a folder, a quoted glob, a comma-separated list or @LIST.
Only completed, valid manifests count; the others are listed as skipped.
Directions are declared, never guessed: by the runs' configs
(manifest.metrics), a policy's rules or --direction NAME=higher|lower; two
that disagree are an error. Exit 0; 2 for a usage error or unreadable input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

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
    add_policy(
        parser, required=False, help="take metric directions and min_runs from a policy file"
    )
    parser.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        help="confidence level of the intervals (default 0.95)",
    )
    parser.add_argument(
        "--min-runs",
        type=int,
        metavar="N",
        help="runs per side below which nothing is declared better (default 5, or the policy's)",
    )
    parser.add_argument(
        "--stratify-by",
        metavar="KEY",
        help="compare per value of this config key (e.g. data.name) and aggregate across them",
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument(
        "--resamples", type=int, default=10_000, help="bootstrap resamples (default 10000)"
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


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """compare()'s keyword arguments from the flags and the policy."""
    declared: list[tuple[str, dict[str, str]]] = []
    min_runs = args.min_runs
    if args.policy is not None:
        from ...gating.policy import load_policy

        policy = load_policy(args.policy)
        declared.append((f"policy {args.policy}", policy.directions()))
        min_runs = policy.min_runs if min_runs is None else min_runs
    declared.append(("--direction", parse_directions(args.direction)))
    return {
        "metrics": args.metric,
        "declared": declared,
        "confidence": args.confidence,
        "seed": args.seed,
        "resamples": args.resamples,
        "min_runs": 5 if min_runs is None else min_runs,
    }


def run(args: argparse.Namespace) -> int:
    from ...comparison.comparison import compare
    from ...comparison.groups import load_group

    if args.plot is not None:
        from ...comparison.plot import require_matplotlib

        require_matplotlib()
    baseline_specs, candidate_specs = sides(args)
    keys = [args.stratify_by] if args.stratify_by else []
    baseline = load_group(baseline_specs, "baseline", keys=keys)
    candidate = load_group(candidate_specs, "candidate", keys=keys)
    options = _options(args)
    if args.stratify_by:
        from ...comparison.stratify import stratify
        from ...render.stratified import render as render_stratified

        result = stratify(baseline, candidate, args.stratify_by, options=options)
        out(render_stratified(result, args.format), args.format)
        return EXIT_OK
    from ...render.comparison import render

    inputs = [*baseline.paths(), *candidate.paths(), *([args.policy] if args.policy else [])]
    if args.plot is not None:  # refused before the work, not after
        from ...core.outputs import check_output, image_file

        check_output(args.plot, kind="plot image", recognise=image_file, inputs=inputs)
    comparison = compare(baseline, candidate, **options)
    out(render(comparison, args.format), args.format)
    if args.plot is not None:
        from ...comparison.plot import plot

        plot(comparison, args.plot, inputs=inputs)
        err(f"plot written to {escape(args.plot)}")
    return EXIT_OK
