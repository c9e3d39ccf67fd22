"""Show one manifest: run, task, code, cost, parameters, metrics, artifacts,
inputs. RUN is a manifest file, a run id, or a unique prefix of a run id (or
of its random suffix), looked up in --store (default: manifests)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..options import add_format, add_store, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("manifest", metavar="RUN", help="a manifest file, run id or id prefix")
    add_store(parser)
    add_format(parser, ("text", "json"))


def run(args: argparse.Namespace) -> int:
    from ...core.reading import read_manifest
    from ...query.resolve import resolve
    from ...render.views import show

    path: Path = resolve(args.manifest, args.store)
    manifest = read_manifest(path)  # schema-valid: every value of its type
    if args.format == "json":
        out(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "json")
    else:
        out(show(manifest, str(path)))
    return 0
