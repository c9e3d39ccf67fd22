"""Options that several commands share, and writing a report to stdout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.results import Report
from ..errors import UsageError
from ..render.escape import json_text, terminal_text
from ..render.report import FORMATS, render

SIDE_HELP = (
    "a folder of manifests, a quoted glob ('runs/**/*.json'), a comma-separated "
    "list of files, or @LIST (a file with one path per line)"
)


def add_format(parser: argparse.ArgumentParser, choices: tuple[str, ...] = FORMATS) -> None:
    parser.add_argument(
        "--format", choices=choices, default="text", help="output format (default: text)"
    )


def out(text: str, fmt: str = "text") -> None:
    """Write a command's output to stdout, safe for a terminal or CI log:
    JSON with the characters a terminal acts on escaped (the data unchanged),
    anything else through :func:`~manifest.render.escape.terminal_text`."""
    sys.stdout.write(json_text(text) if fmt == "json" else terminal_text(text))
    sys.stdout.flush()


def err(line: str) -> None:
    """Write one line (or a few) to stderr, safe for a terminal or CI log."""
    print(terminal_text(line), file=sys.stderr, flush=True)


def emit(report: Report, fmt: str) -> None:
    out(render(report, fmt, stream=sys.stdout), fmt)


def add_baseline(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument(
        "-b", "--baseline", action="extend", nargs="+", default=[], metavar="PATH", help=help
    )


def add_candidate(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument(
        "-c", "--candidate", action="extend", nargs="+", default=[], metavar="PATH", help=help
    )


def add_sides(parser: argparse.ArgumentParser) -> None:
    """BASELINE CANDIDATE as two positionals, or as --baseline/--candidate."""
    parser.add_argument("sides", nargs="*", metavar="BASELINE CANDIDATE", help=SIDE_HELP)
    add_baseline(parser, "baseline manifests (instead of BASELINE)")
    add_candidate(parser, "candidate manifests (instead of CANDIDATE)")


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


def add_policy(parser: argparse.ArgumentParser, *, required: bool = True, help: str = "") -> None:
    parser.add_argument("--policy", type=Path, required=required, help=help or "the policy (YAML)")


def add_evidence(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--evidence",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a JSON report of `manifest verify` or `manifest validate` for "
        "the policy's require: list (repeatable)",
    )


def add_store(parser: argparse.ArgumentParser) -> None:
    """--store: the folder where run ids and prefixes are looked up."""
    parser.add_argument(
        "--store",
        type=Path,
        default=Path("manifests"),
        metavar="DIR",
        help="folder to look run ids up in (default: manifests)",
    )
