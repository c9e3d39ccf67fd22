"""hydra-manifest: plain-text, schema-validated run manifests for Hydra runs.

Importing the package is cheap: Hydra, NumPy and SciPy load only when a
function that needs them is called.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ManifestCallback",
    "ManifestError",
    "canonical_bytes",
    "manifest_digest",
    "runs",
    "validate",
]

from .core.canonical import canonical_bytes, manifest_digest
from .errors import ManifestError


def __getattr__(name: str) -> Any:
    if name == "ManifestCallback":
        from .record.callback import ManifestCallback

        return ManifestCallback
    if name == "runs":
        from .query.runs import runs

        return runs
    if name == "validate":
        from .check.validate import validate

        return validate
    raise AttributeError(f"module 'manifest' has no attribute {name!r}")
