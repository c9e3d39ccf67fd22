"""Arguments shared by compare, gate and registry promote: the two sides."""

from __future__ import annotations

import argparse

from ...errors import UsageError

SIDE_HELP = (
    "a folder of manifests, a quoted glob ('runs/**/*.json'), a comma-separated "
    "list of files, or @LIST (a file with one path per line)"
)


def add_sides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sides", nargs="*", metavar="BASELINE CANDIDATE", help=SIDE_HELP)
    parser.add_argument(
        "-b",
        "--baseline",
        action="extend",
        nargs="+",
        default=[],
        metavar="PATH",
        help="baseline manifests (instead of BASELINE)",
    )
    parser.add_argument(
        "-c",
        "--candidate",
        action="extend",
        nargs="+",
        default=[],
        metavar="PATH",
        help="candidate manifests (instead of CANDIDATE)",
    )


def sides(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """(baseline specs, candidate specs) from positionals and/or options."""
    positional = list(args.sides)
    baseline, candidate = list(args.baseline), list(args.candidate)
    if len(positional) == 2 and not baseline and not candidate:
        return [positional[0]], [positional[1]]
    if len(positional) == 1 and baseline and not candidate:
        return baseline, positional
    if not positional and baseline and candidate:
        return baseline, candidate
    raise UsageError(
        "give the two sides as BASELINE CANDIDATE, or with --baseline PATH... --candidate PATH...",
        found=f"{len(positional)} positional argument(s)",
    )
