"""Decide whether a candidate group of runs may replace the baseline, from a
policy file (YAML, schemas/policy.schema.json): per rule a metric, its
direction and criteria (threshold, min, max, min_change, min_relative_change,
non_inferiority_margin) with a severity (block or warn).

Prints the decision (accept, warn or block), each rule's evidence and the next
action. Exit 0 for accept or warn, 1 for block, 2 for a usage error, a bad
policy or unreadable input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...errors import EXIT_FAILED, EXIT_OK
from ..options import add_evidence, add_format, add_policy, add_sides, out, sides


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_sides(parser)
    add_policy(parser)
    add_evidence(parser)
    add_format(parser, ("text", "json", "junit", "markdown"))
    parser.add_argument(
        "--write-report", type=Path, metavar="PATH", help="also write the JSON gate report to PATH"
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")


def run(args: argparse.Namespace) -> int:
    from ...comparison.groups import load_group
    from ...core.outputs import check_output, gate_report, write_output
    from ...gating.decision import BLOCK, gate, report_bytes
    from ...gating.evidence import read_evidence
    from ...gating.policy import load_policy
    from ...render.decision import render

    policy = load_policy(args.policy)
    baseline_specs, candidate_specs = sides(args)
    baseline = load_group(baseline_specs, "baseline")
    candidate = load_group(candidate_specs, "candidate")
    inputs = [args.policy, *args.evidence, *baseline.paths(), *candidate.paths()]
    if args.write_report is not None:  # refused before the work, not after
        check_output(args.write_report, kind="gate report", recognise=gate_report, inputs=inputs)
    result = gate(
        baseline, candidate, policy, evidence=read_evidence(args.evidence), seed=args.seed
    )
    if args.write_report is not None:
        write_output(
            args.write_report,
            report_bytes(result),
            kind="gate report",
            recognise=gate_report,
            inputs=inputs,
        )
    out(render(result, args.format), args.format)
    return EXIT_FAILED if result.decision == BLOCK else EXIT_OK
