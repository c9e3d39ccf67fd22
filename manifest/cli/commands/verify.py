"""Re-run manifests and check their reproducibility envelope.

Each manifest is re-run in a fresh folder with the task, envelope and
parameters that the repository's own configs give (--config-dir, default
./conf; the config named by the manifest) for its recorded overrides; never
with code or settings that only the manifest names. Checks: parameter digest,
inputs re-hashed, artifacts byte-identical where the envelope asks, each
metric within |found - recorded| <= atol + rtol*|recorded|, for stochastic
envelopes (or --seeds N) the recorded metrics inside a prediction interval of
N fresh seeds; environment and code differences as context. A failure names
its likely sources (from a second re-run: unseeded RNG, timestamps; threads,
hash seed, packages).

With --upstream, each MANIFEST is a run (a run id, a unique prefix of one, or
a manifest file): the runs it derives from (found in --store, default
manifests/, through content hashes and declared parents) are verified
first, in topological order, then the run; the chain stops at the first
stage that does not reproduce and names it.

Exit 0 when every manifest reproduces, 1 when one does not or a re-run timed
out (--timeout), 2 when one was
refused or could not be re-run, 130 when interrupted (a partial report is
still printed).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import UsageError
from ..options import add_format, emit, err, out

if TYPE_CHECKING:
    from ...core.results import Report
    from ...verification.options import Progress, VerifyOptions


def _count(minimum: int) -> type[int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return parse  # type: ignore[return-value]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="MANIFEST",
        help="manifest files, folders of them, or run ids (or unique prefixes) in manifests/",
    )
    parser.add_argument(
        "--config-dir",
        "-cd",
        type=Path,
        default=None,
        help="the repository's Hydra configs (default: ./conf); runs recorded by the "
        "callback use their app's own configs",
    )
    parser.add_argument(
        "--seeds",
        type=_count(2),
        metavar="N",
        help="also re-run with N fresh seeds and check the statistical "
        "envelope (default: the envelope's seeds, for stochastic tasks)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_count(1),
        default=1,
        metavar="N",
        help="re-runs at once (default: 1); N > 1 uses Hydra's joblib launcher unless "
        "--hydra names another, which then gets N re-runs per launch (docs/how-to/cluster.md)",
    )
    _add_checks(parser)
    _add_upstream(parser)
    _add_launch(parser)
    parser.add_argument(
        "--write-report",
        type=Path,
        metavar="PATH",
        help="save the JSON report (schemas/verify-report.schema.json)",
    )
    add_format(parser)


def _add_checks(parser: argparse.ArgumentParser) -> None:
    """What is checked beyond the envelope, and how much is trusted."""
    parser.add_argument(
        "--trust",
        action="store_true",
        help="re-run even when the recorded parameters are not what the "
        "repository composes (the params check then fails)",
    )
    parser.add_argument(
        "--perturb",
        action="store_true",
        help="also re-run under another hash seed, thread count, working "
        "directory path, locale and time zone",
    )
    parser.add_argument(
        "--no-diagnose",
        dest="diagnose",
        action="store_false",
        help="no second re-run to find the sources of a failure",
    )


def _add_upstream(parser: argparse.ArgumentParser) -> None:
    """Replaying a pipeline: the ancestors first."""
    parser.add_argument(
        "--upstream",
        action="store_true",
        help="verify the runs that each MANIFEST (a run id, prefix or file) derives from "
        "first, in topological order; stop at the first that does not reproduce",
    )
    parser.add_argument(
        "--store",
        action="append",
        type=Path,
        metavar="PATH",
        help="with --upstream: the manifests to find ancestors in (repeatable; default: manifests)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def _add_launch(parser: argparse.ArgumentParser) -> None:
    """Where and how the re-runs run."""
    parser.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="time limit of each re-run; past it the re-run is killed with its "
        "children and the manifest is timed-out (exit 1) (default: 10x the "
        "recorded wall time, at least 60 s)",
    )
    parser.add_argument(
        "--hydra",
        action="append",
        default=[],
        metavar="OVERRIDE",
        help="Hydra override for the launch, e.g. hydra/launcher=submitit_slurm (repeatable)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        metavar="DIR",
        help="keep the re-runs in a new folder below DIR (default: a temporary "
        "folder, removed afterwards; use a shared folder for cluster launchers)",
    )
    parser.add_argument(
        "--pass-env",
        action="append",
        default=[],
        metavar="NAME",
        help="pass this environment variable to the re-runs (repeatable)",
    )
    parser.add_argument(
        "--allow-network",
        action="store_true",
        help="do not point the re-runs' proxy variables at a closed port",
    )


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Everything re-runs print (tasks, Hydra's job logging, worker
    processes) goes to stderr, so stdout holds only the report."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:
        saved = -1
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        if saved >= 0:
            os.dup2(saved, 1)
            os.close(saved)


def _show(event: Progress) -> None:
    if event.kind == "rerun":
        line = f"verify: [{event.done}/{event.total}] {event.subject}: {event.detail}"
    elif event.kind == "verdict":
        line = f"verify: {event.subject}: {event.detail}"
    elif event.kind == "stage":
        line = f"verify: {event.detail} ({event.subject})"
    else:
        line = f"verify: {event.subject}: {event.kind} ({event.detail})"
    err(line)


def _upstream(args: argparse.Namespace, options: VerifyOptions) -> Report:
    from ...lineage.load import DEFAULT_STORE
    from ...verification.upstream import verify_upstream

    stores = args.store or [DEFAULT_STORE]
    return verify_upstream([str(p) for p in args.paths], stores, options, progress=_show)


def _options(args: argparse.Namespace) -> VerifyOptions:
    from ...verification.options import VerifyOptions

    for override in args.hydra:
        if not override.lstrip("+~").startswith(("hydra.", "hydra/")):
            raise UsageError(
                "--hydra takes overrides of hydra.* or hydra/ groups only", found=repr(override)
            )
    if args.config_dir is not None and not args.config_dir.is_dir():
        raise UsageError(
            "config folder not found",
            file=str(args.config_dir),
            hint="run from the repository root or pass --config-dir",
        )
    return VerifyOptions(
        config_dir=args.config_dir or Path("conf"),
        seeds=args.seeds,
        jobs=args.jobs,
        trust=args.trust,
        perturb=args.perturb,
        diagnose=args.diagnose,
        hydra_overrides=tuple(args.hydra),
        work_dir=args.work_dir,
        pass_env=tuple(args.pass_env),
        allow_network=args.allow_network,
        timeout=args.timeout,
    )


def run(args: argparse.Namespace) -> int:
    from ...core.discover import discover
    from ...core.outputs import check_output, verify_report
    from ...query.resolve import resolve_all
    from ...render.verification import summary_table, upstream_summary
    from ...verification.report import exit_code, write_report
    from ...verification.verifier import verify

    options = _options(args)
    files: list[Path] = []
    if not args.upstream:
        files = discover(resolve_all(args.paths, *(args.store or [])[:1]))
        if not files:
            raise UsageError("no manifests found", file=", ".join(map(str, args.paths)))
    if args.write_report:  # refused before the re-runs, not after
        check_output(
            args.write_report, kind="verification report", recognise=verify_report, inputs=files
        )
    with _stdout_to_stderr():
        report = (
            _upstream(args, options) if args.upstream else verify(files, options, progress=_show)
        )
    if not report.subjects:
        raise UsageError("no manifests found", file=", ".join(map(str, args.paths)))
    emit(report, args.format)
    if args.format == "text":
        out("\n" + summary_table(report) + upstream_summary(report))
    if args.write_report:
        inputs = files or [Path(s) for s in report.subjects]
        write_report(report, args.write_report, inputs=inputs)
    code = exit_code(report)
    if code == 130:
        err("manifest verify: interrupted; the report above is partial")
    return code
