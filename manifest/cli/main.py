"""The ``manifest`` command line: a table of subcommands, no logic.

Each subcommand lives in ``manifest/cli/commands/<name>.py`` with
``add_arguments(parser)`` and ``run(args) -> int``. :func:`main` maps errors
to exit codes: 0 pass, 1 a check failed, 2 usage or unreadable input,
3 internal error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from ..errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    ManifestError,
    Terminated,
)
from ..render.escape import escape

COMMANDS = {
    "run": "compose a Hydra config, run its task, record a manifest",
    "validate": "check manifests: schema, digest (and contracts)",
    "show": "show one manifest",
    "ls": "list the manifests in a folder",
    "diff": "what changed between two manifests, or since a git revision",
    "report": "write one self-contained HTML page: runs, curves, comparison, gate",
    "verify": "re-run manifests and check their reproducibility envelope",
    "lineage": "the runs upstream and downstream of a run, or that wrote or read some bytes",
    "compare": "statistics between two groups of runs (baseline vs candidate)",
    "gate": "accept, warn or block a candidate under a policy, with the evidence",
    "registry": "promote, roll back and show models in a file-based registry",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {escape(message)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"manifest.cli.commands.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="manifest",
        description="Plain-text, schema-validated run manifests for Hydra experiments.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument(
        "--traceback", action="store_true", help="show full tracebacks of internal errors"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name, summary in COMMANDS.items():
        module = _command(name)
        sub = subparsers.add_parser(
            name,
            help=summary,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
        module.add_arguments(sub)
    return parser


class _Version(argparse.Action):
    """--version, looked up only when asked: importlib.metadata costs every
    command tens of milliseconds."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"{parser.prog} {_version()}")
        raise SystemExit(0)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hydra-manifest")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        code: int = _command(args.command).run(args)
        return code
    except ManifestError as exc:
        print(f"manifest {args.command}: error: {escape(exc.describe())}", file=sys.stderr)
        return exc.exit_code
    except Terminated:
        print(f"manifest {args.command}: terminated (SIGTERM)", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print(f"manifest {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception:
        if args.traceback:
            traceback.print_exc()
        else:
            exc_type, exc_value, _ = sys.exc_info()
            name = exc_type.__name__ if exc_type else "error"
            print(
                f"manifest {args.command}: internal error: {name}: {escape(exc_value)}\n"
                "  rerun with --traceback for details, and report it",
                file=sys.stderr,
            )
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
