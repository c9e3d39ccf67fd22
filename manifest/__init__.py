"""hydra-manifest: plain-text, schema-validated run manifests for Hydra runs.

The public Python API (docs/how-to/python.md)::

    import manifest

    with manifest.start_run(cfg, store="manifests") as run:   # record a run
        run.log_metric("loss", 0.3, step=1)
        run.log_metrics({"accuracy": 0.91})
        run.log_artifact("model.pt")
    m = manifest.load(run.run_id)                             # a checked Manifest
    table = manifest.runs("manifests", where="metrics.accuracy > 0.9")
    result = manifest.compare("runs/base", "runs/new")        # what the CLI renders
    decision = manifest.gate("runs/base", "runs/new", "policy.yaml")

Importing the package is cheap: Hydra, NumPy and SciPy load only when a
function that needs them is called. Nothing here changes process-wide
state for good: Hydra's global state, its version base, ``sys.path``, the
logging setup and the environment are restored after each call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "Comparison",
    "Decision",
    "Manifest",
    "ManifestCallback",
    "ManifestError",
    "Promotion",
    "Report",
    "Run",
    "Runs",
    "canonical_bytes",
    "compare",
    "gate",
    "load",
    "manifest_digest",
    "promote",
    "runs",
    "start_run",
    "validate",
    "verify",
]

from .errors import ManifestError

if TYPE_CHECKING:  # the real names for type checkers; loaded on first use below
    from .api import compare, gate, promote, validate, verify
    from .check.load import load
    from .comparison.comparison import Comparison
    from .core.canonical import canonical_bytes, manifest_digest
    from .core.manifest import Manifest
    from .core.results import Report
    from .gating.decision import Decision
    from .query.runs import runs
    from .query.table import Runs
    from .record.callback import ManifestCallback
    from .record.start import Run, start_run
    from .registry.promotion import Promotion

# name -> the module that defines it
_LAZY = {
    "Comparison": "comparison.comparison",
    "Decision": "gating.decision",
    "Manifest": "core.manifest",
    "ManifestCallback": "record.callback",
    "Promotion": "registry.promotion",
    "Report": "core.results",
    "Run": "record.start",
    "Runs": "query.table",
    "canonical_bytes": "core.canonical",
    "compare": "api",
    "gate": "api",
    "load": "check.load",
    "manifest_digest": "core.canonical",
    "promote": "api",
    "runs": "query.runs",
    "start_run": "record.start",
    "validate": "api",
    "verify": "api",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'manifest' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
