"""What changed between two runs A and B: parameters and metrics first, then
run, artifacts, inputs, code and environment (package versions and changed
paths folded to one line; --all lists them). A and B are manifest files, run
ids or unique id prefixes (looked up in --store).

With --rev REV [PATHS]: what this branch changed since the git revision REV
in the manifests under PATHS (default: manifests): the runs added, removed
and changed, each added run's metrics against the latest run at REV of the
same config and overrides. --format markdown is made for a pull-request
comment. Exit 1 when a recorded manifest was changed or removed, an added one
cannot be read, or an added run is worse than its counterpart on a metric
with a declared direction (--direction NAME=higher|lower adds one);
--exit-zero always exits 0.
"""

from __future__ import annotations

import argparse
import json

from ...errors import UsageError
from ..options import add_format, add_store, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("refs", nargs="*", metavar="A B | PATHS")
    parser.add_argument("--all", action="store_true", help="list every changed key")
    parser.add_argument(
        "--rev", metavar="REV", help="summarize what changed since git revision REV"
    )
    parser.add_argument(
        "--direction",
        action="append",
        default=[],
        metavar="NAME=higher|lower",
        help="with --rev: which way is better for a metric (repeatable)",
    )
    parser.add_argument(
        "--exit-zero", action="store_true", help="with --rev: exit 0 even when the check fails"
    )
    add_store(parser)
    add_format(parser, ("text", "json", "markdown"))


def run(args: argparse.Namespace) -> int:
    if args.rev is not None:
        return _since(args)
    from ...core.reading import read_manifest
    from ...query.diff import diff
    from ...query.resolve import resolve
    from ...render.views import diff_markdown, diff_text

    if len(args.refs) != 2:
        raise UsageError(
            "diff takes two runs, A and B (or --rev REV [PATHS])",
            found=f"{len(args.refs)} argument(s)",
        )
    loaded, paths = [], []
    for ref in args.refs:
        path = resolve(ref, args.store)
        loaded.append(read_manifest(path))  # schema-valid: every value of its type
        paths.append(str(path))
    changes = diff(loaded[0], loaded[1])
    if args.format == "json":
        out(json.dumps(changes, indent=2, sort_keys=True) + "\n", "json")
    elif args.format == "markdown":
        out(diff_markdown(changes, paths[0], paths[1], full=args.all))
    else:
        out(diff_text(changes, paths[0], paths[1], full=args.all))
    return 0


def _since(args: argparse.Namespace) -> int:
    from ...query.since import since
    from ...render.since import render
    from .compare import parse_directions

    summary = since(args.rev, args.refs or ["manifests"], parse_directions(args.direction))
    out(render(summary, args.format), args.format)
    return 0 if args.exit_zero or summary.ok else 1
