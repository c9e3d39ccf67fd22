"""What changed between two manifests: params, metrics, artifacts, code, env.

In the spirit of ``dvc params diff`` and ``dvc metrics diff``: each section
is a list of changed keys with the old and the new value (``None`` where a
key is absent on one side); metrics also carry the difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.tree import flatten

SECTIONS = ("params", "metrics", "run", "artifacts", "inputs", "code", "environment")
# Keys that change with every machine or working tree: one line each unless asked.
NOISY = {"environment": ("packages.",), "code": ("git.changed.",)}
_MISSING = object()


def _changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key in sorted(set(a) | set(b)):
        old, new = a.get(key, _MISSING), b.get(key, _MISSING)
        if old != new or type(old) is not type(new):
            rows.append(
                {
                    "key": key,
                    "old": None if old is _MISSING else old,
                    "new": None if new is _MISSING else new,
                    "change": "added"
                    if old is _MISSING
                    else "removed"
                    if new is _MISSING
                    else "changed",
                }
            )
    return rows


def _by_path(items: Any, key: str = "path") -> dict[str, Any]:
    out = {}
    for item in items or []:
        if isinstance(item, Mapping):
            out[str(item.get(key))] = {k: v for k, v in item.items() if k != key}
    return out


def diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Changed keys of manifest ``b`` against ``a``, by section."""
    run_keys = ("task", "status", "config_name", "overrides", "identity_digest", "params_digest")
    metrics = _changes(a.get("metrics") or {}, b.get("metrics") or {})
    for row in metrics:
        if isinstance(row["old"], (int, float)) and isinstance(row["new"], (int, float)):
            row["delta"] = row["new"] - row["old"]
    env_a, env_b = a.get("environment") or {}, b.get("environment") or {}
    return {
        "params": _changes(flatten(a.get("params") or {}), flatten(b.get("params") or {})),
        "metrics": metrics,
        "run": _changes({k: a.get(k) for k in run_keys}, {k: b.get(k) for k in run_keys}),
        "artifacts": _changes(
            flatten(_by_path(a.get("artifacts"))), flatten(_by_path(b.get("artifacts")))
        ),
        "inputs": _changes(
            flatten(_by_path(a.get("inputs"), "key")), flatten(_by_path(b.get("inputs"), "key"))
        ),
        "code": _changes(flatten(a.get("code") or {}), flatten(b.get("code") or {})),
        "environment": _changes(flatten(env_a), flatten(env_b)),
    }
