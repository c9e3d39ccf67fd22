"""Show one manifest: run, task, code, cost, metrics, artifacts, inputs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..options import add_format, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("manifest", type=Path, metavar="MANIFEST")
    add_format(parser, ("text", "json"))


def run(args: argparse.Namespace) -> int:
    from ...core.reading import read_json
    from ...render.views import show

    manifest = read_json(args.manifest)
    if not isinstance(manifest, dict):
        from ...errors import ManifestFormatError

        raise ManifestFormatError("not a JSON object", file=str(args.manifest))
    if args.format == "json":
        out(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "json")
    else:
        out(show(manifest, str(args.manifest)))
    return 0
