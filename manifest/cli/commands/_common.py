"""Arguments and output shared by the subcommands."""

from __future__ import annotations

import argparse
import sys

from ...core.results import Report
from ...render.report import FORMATS, render


def add_format(parser: argparse.ArgumentParser, choices: tuple[str, ...] = FORMATS) -> None:
    parser.add_argument(
        "--format", choices=choices, default="text", help="output format (default: text)"
    )


def emit(report: Report, fmt: str) -> None:
    sys.stdout.write(render(report, fmt, stream=sys.stdout))
    sys.stdout.flush()
