"""Check manifests (files or folders of *.json): strict JSON, the manifest
schema and the digest. Every file is checked and every failure reported.

Exit 0 when all hold, 1 when any manifest fails, 2 for a usage error or a
path that does not exist or cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_FAILED, EXIT_OK
from ._common import add_format, emit


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="manifest files or folders of them"
    )
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    from ..validate import validate

    report = validate(args.paths)
    emit(report, args.format)
    return EXIT_OK if report.ok else EXIT_FAILED
