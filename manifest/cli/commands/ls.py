"""List runs: a table of the manifests in folders (default: manifests/) and
files, with the parameters that differ between them and their metrics.

  manifest ls runs/ --where 'params.optimizer.lr < 0.3 and metrics.accuracy >= 0.9'
  manifest ls --where "status in (failed, interrupted) or owner ~ 'ci-*'" --sort=-created
  manifest ls --sort=-metrics.accuracy --limit 5 --columns run_id,params.seed,metrics.*

--where fields: params.KEY and metrics.NAME (dotted, as listed), status, owner,
task, created, finished, config, run_id, overrides (any one override),
digest, error. Operators: == (or =), !=, <, <=, >, >=, ~ and !~ (glob match:
* ? [abc]), in (a, b), not in (...); combine with and, or, not and
parentheses. Values: numbers, true, false, null, words, 'quoted strings'.
Numbers match numbers, strings match strings; a run without the field fails
every test on it (so `a != 1` is `not a == 1`). --sort KEY sorts ascending,
--sort=-KEY descending (several keys: --sort=-metrics.accuracy,created).

Folders are read through an index in the user's cache (rebuilt from the files
whenever they change). Exit 0; 2 for a bad expression or a missing path.
"""

from __future__ import annotations

import argparse
import fnmatch
from pathlib import Path

from ...errors import UsageError
from ..options import add_format, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        type=Path,
        nargs="*",
        metavar="PATH",
        help="folders of manifests and manifest files (default: manifests)",
    )
    parser.add_argument("--where", "-w", metavar="EXPR", help="only the runs where EXPR holds")
    parser.add_argument(
        "--sort",
        "-s",
        action="append",
        default=[],
        metavar="KEY",
        help="sort by KEY (--sort=-KEY: descending; repeatable or comma-separated)",
    )
    parser.add_argument(
        "--best",
        metavar="METRIC",
        help="sort by METRIC, best first, in the direction its manifests declare",
    )
    parser.add_argument(
        "--columns",
        "-c",
        metavar="LIST",
        help="comma-separated columns; globs allowed (run_id,params.*,metrics.acc*)",
    )
    parser.add_argument("--limit", "-n", type=int, metavar="N", help="at most N runs")
    add_format(parser, ("text", "csv", "json", "markdown"))


def choose_columns(spec: str, available: list[str]) -> list[str]:
    """``--columns`` as a list: each item a column name (kept even when no run
    has it) or a glob over the available columns."""
    from ...query.fields import parse_field

    chosen: list[str] = []
    for item in (i.strip() for i in spec.split(",")):
        if not item:
            continue
        if any(ch in item for ch in "*?["):
            matched = fnmatch.filter(available, item)
            chosen += [m for m in matched if m not in chosen]
        elif parse_field(item) is not None:
            name = "config" if item == "config_name" else "run_id" if item == "run" else item
            chosen.append(name)
        else:
            raise UsageError(
                f"unknown column {item!r}",
                pointer="--columns",
                expected="params.KEY, metrics.NAME, a glob, or one of " + ", ".join(available[:12]),
            )
    return chosen


def _best(args: argparse.Namespace) -> list[str]:
    """The sort keys, with --best METRIC turned into its direction."""
    from ...query.runs import runs

    if not args.best:
        return list(args.sort)
    name = args.best.removeprefix("metrics.")
    declared = runs(args.paths or [Path("manifests")], where=None).directions().get(name)
    if declared is None:
        raise UsageError(
            f"metric {name!r} has no declared direction in these manifests",
            pointer="--best",
            hint=f"--sort=-metrics.{name} (highest first) or --sort=metrics.{name}",
        )
    return [f"{'-' if declared == 'higher' else ''}metrics.{name}", *args.sort]


def run(args: argparse.Namespace) -> int:
    from ...query.runs import runs
    from ...render.runs import render

    if args.limit is not None and args.limit < 0:
        raise UsageError("bad --limit", expected="0 or more", found=str(args.limit))
    table = runs(
        args.paths or [Path("manifests")], where=args.where, sort=_best(args), limit=args.limit
    )
    chosen = choose_columns(args.columns, table.columns()) if args.columns else None
    out(render(table, args.format, chosen), args.format)
    return 0
