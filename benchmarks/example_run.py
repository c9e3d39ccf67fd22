"""One real run of the bundled example, as the template for synthetic manifests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def example_manifest(workdir: Path) -> dict[str, Any]:
    """Run the bundled example once in ``workdir`` and return its manifest."""
    workdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "manifest",
            "run",
            "--config-dir",
            str(REPO / "conf"),
            "hydra.run.dir=out",
            "manifest.store=template",
        ],
        cwd=workdir,
        env={**os.environ, "XDG_CACHE_HOME": str(workdir / "cache")},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"manifest run failed:\n{done.stderr}")
    [path] = (workdir / "template").glob("*.json")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest
