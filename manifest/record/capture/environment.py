"""The environment of a run: interpreter, platform, packages, variables.

``importlib.metadata`` parses every distribution's METADATA file, which took
80 ms for 109 packages here: most of the run overhead budget. The wheel
standard fixes the folder name of an installed distribution as
``{name}-{version}.dist-info``, so the folder names alone give the same
answer; only legacy ``.egg-info`` folders without a version in their name fall
back to ``importlib.metadata``. The tests compare both for this interpreter.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from collections.abc import Iterable
from typing import Any

# Variables that change numerical results or their reproducibility.
RECORDED_VARIABLES = (
    "PYTHONHASHSEED",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
    "TF_DETERMINISTIC_OPS",
    "CUDA_VISIBLE_DEVICES",
    "CUBLAS_WORKSPACE_CONFIG",
    "CUDA_LAUNCH_BLOCKING",
    "TZ",
    "LANG",
    "LC_ALL",
)

_NORMALIZE = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return _NORMALIZE.sub("-", name).lower()


def _split_dist_folder(name: str) -> tuple[str, str] | None:
    stem = name.rsplit(".", 1)[0]
    parts = stem.split("-")
    if len(parts) >= 2 and parts[1][:1].isdigit():
        return parts[0], parts[1]
    return None


def installed_packages(paths: Iterable[str] | None = None) -> dict[str, str]:
    """Normalized name -> version of each distribution on ``sys.path``.

    The first one found on the path wins, as it does for imports.
    """
    found: dict[str, str] = {}
    legacy: list[str] = []
    for entry in paths if paths is not None else sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            split = _split_dist_folder(name)
            if split is None:
                legacy.append(os.path.join(entry, name))
                continue
            key = normalize_name(split[0])
            found.setdefault(key, split[1])
    if legacy:
        from importlib.metadata import PathDistribution
        from pathlib import Path

        for folder in legacy:
            dist = PathDistribution(Path(folder))
            dist_name = dist.metadata["Name"] if dist.metadata else None
            if dist_name and dist.version:
                found.setdefault(normalize_name(dist_name), dist.version)
    return dict(sorted(found.items()))


def environment(variables: Iterable[str] = RECORDED_VARIABLES) -> dict[str, Any]:
    """The environment section of a manifest."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": installed_packages(),
        "variables": {k: os.environ[k] for k in variables if k in os.environ},
    }
