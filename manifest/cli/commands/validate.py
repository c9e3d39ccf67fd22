"""Check manifests (files or folders of *.json): strict JSON, the manifest
schema, the digest, then every contract of a contracts file
(--contracts FILE; by default conf/contracts.yaml when it exists in the
current folder, --no-contracts to skip it). Every file and every contract is
checked and every failure reported. --artifacts re-hashes the artifacts
each manifest cites where they are stored, and names each changed or missing
file.

Exit 0 when nothing blocks (warnings are shown), 1 when a manifest fails its
parse, schema, digest or artifact check or a `block` contract fails
(--strict: any contract), 2 for a usage error, an unusable contracts file, or
a path that does not exist, cannot be read or holds no manifest. With
--contracts and no PATH, only the contracts file is checked.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from ...core.results import PASS, Check, Report
from ...errors import EXIT_FAILED, EXIT_OK, UsageError
from ..options import add_format, emit


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="manifest files or folders of them"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--contracts",
        type=Path,
        metavar="FILE",
        help="contracts file (YAML) to apply (default: conf/contracts.yaml if present)",
    )
    which.add_argument("--no-contracts", action="store_true", help="check schema and digest only")
    parser.add_argument(
        "--strict", action="store_true", help="failing warn contracts block too (exit 1)"
    )
    parser.add_argument(
        "--now",
        type=_instant,
        metavar="TIME",
        help="the clock of freshness contracts, ISO 8601 (default: now); e.g. 2026-01-31T12:00Z",
    )
    parser.add_argument(
        "--artifacts",
        nargs="?",
        const=Path("."),
        type=Path,
        metavar="PROJECT",
        help="also re-hash the artifacts each manifest cites, in its run folder "
        "(relative to PROJECT, default: the current folder) or the project; a "
        "missing or changed file fails",
    )
    add_format(parser)


def _instant(text: str) -> datetime:
    from ...core.timestamps import parse_utc

    try:
        return parse_utc(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 time: {text!r} (e.g. 2026-01-31T12:00:00Z)"
        ) from None


def run(args: argparse.Namespace) -> int:
    from ...check.contract_file import DEFAULT_CONTRACTS, load_contracts
    from ...check.validate import validate

    if not args.paths and args.contracts is None:
        raise UsageError("no manifest given", hint="manifest validate PATH... [--contracts FILE]")
    path = args.contracts
    if path is None and not args.no_contracts and DEFAULT_CONTRACTS.is_file():
        path = DEFAULT_CONTRACTS
    contracts = load_contracts(path) if path is not None else None
    if contracts is not None and not args.paths:
        count = len(contracts.contracts)
        check = Check(str(path), "contracts", PASS, f"{count} contracts, each can be applied")
        report = Report("validate", (), (check,), {"contracts": contracts.as_json()})
    else:
        report = validate(
            args.paths,
            contracts=contracts,
            now=args.now,
            strict=args.strict,
            artifacts=args.artifacts,
        )
    emit(report, args.format)
    return EXIT_OK if report.ok else EXIT_FAILED
