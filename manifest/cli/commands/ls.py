"""List the manifests in a folder (default: manifests/), oldest first."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..options import add_format, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, nargs="?", default=Path("manifests"))
    add_format(parser, ("text", "json"))


def run(args: argparse.Namespace) -> int:
    from ...core.discover import discover
    from ...core.reading import read_json
    from ...errors import ManifestFormatError
    from ...render.views import listing

    entries: list[tuple[str, dict[str, Any] | None, str | None]] = []
    for path in discover([args.folder]):
        try:
            loaded = read_json(path)
        except ManifestFormatError as exc:
            entries.append((str(path), None, exc.message))
            continue
        entries.append((str(path), loaded if isinstance(loaded, dict) else None, None))
    entries.sort(key=lambda e: (e[1] or {}).get("created", "") if e[1] else "")
    if args.format == "json":
        rows = [
            {
                "path": p,
                **(
                    {
                        k: m.get(k)
                        for k in (
                            "run_id",
                            "status",
                            "created",
                            "config_name",
                            "overrides",
                            "metrics",
                        )
                    }
                    if m
                    else {}
                ),
                **({"error": e} if e else {}),
            }
            for p, m, e in entries
        ]
        out(json.dumps(rows, indent=2, sort_keys=True) + "\n", "json")
    else:
        out(listing(entries))
    return 0
