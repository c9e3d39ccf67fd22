"""Forge a "lucky" record: raise a manifest's accuracy and reseal its digest.

    python examples/lucky.py MANIFEST OUT [--by 0.03]

The digest detects an edit that is not resealed; anyone can reseal, so it is
no signature. ``manifest verify`` catches what a digest cannot: the forged
accuracy lies outside what the same seed and fresh seeds give.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from manifest.core.canonical import digest_of, manifest_digest, pretty_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--by", type=float, default=0.03, help="added to metrics.accuracy")
    args = parser.parse_args()
    record = json.loads(args.manifest.read_text(encoding="utf-8"))
    record["metrics"]["accuracy"] = round(record["metrics"]["accuracy"] + args.by, 6)
    record["params_digest"] = digest_of(record["params"])
    record["digest"] = manifest_digest(record)
    args.out.write_bytes(pretty_bytes(record))
    print(f"{args.out}: accuracy {record['metrics']['accuracy']} (resealed)")


if __name__ == "__main__":
    main()
