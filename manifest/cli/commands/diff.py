"""What changed between manifests A and B: run, params, metrics, artifacts,
inputs, code and environment."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..options import add_format, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", type=Path, metavar="A")
    parser.add_argument("b", type=Path, metavar="B")
    add_format(parser, ("text", "json"))


def run(args: argparse.Namespace) -> int:
    from ...core.reading import read_json
    from ...errors import ManifestFormatError
    from ...query.diff import diff
    from ...render.views import diff_text

    loaded = []
    for path in (args.a, args.b):
        document = read_json(path)
        if not isinstance(document, dict):
            raise ManifestFormatError("not a JSON object", file=str(path))
        loaded.append(document)
    changes = diff(loaded[0], loaded[1])
    if args.format == "json":
        out(json.dumps(changes, indent=2, sort_keys=True) + "\n", "json")
    else:
        out(diff_text(changes, str(args.a), str(args.b)))
    return 0
