"""Many manifests from one real run: variants of the example's manifest,
re-sealed with their digest, written as ``manifest run`` writes them."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from conftest import run_example
from manifest.core.canonical import manifest_digest, pretty_bytes


def example_template(tmp: Path) -> dict[str, Any]:
    """Run the bundled example once under ``tmp``; its manifest."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp / ".cache"))
        assert run_example(tmp) == 0
    [path] = (tmp / "manifests").glob("*.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def variant(template: Mapping[str, Any], i: int, **changes: Any) -> dict[str, Any]:
    """Run ``i`` of a family: its own id and creation time, ``changes`` applied
    (``params``/``metrics`` entries are merged, dotted keys nest; a
    top-level field given as None is removed)."""
    m = copy.deepcopy(dict(template))
    m["run_id"] = f"20260101T{i // 3600 % 24:02d}{i // 60 % 60:02d}{i % 60:02d}Z-{i:08x}"
    m["created"] = f"2026-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000000Z"
    for key, value in changes.items():
        if key in ("params", "metrics"):
            for name, v in value.items():
                node = m[key]
                *parents, leaf = name.split(".") if key == "params" else [name]
                for p in parents:
                    node = node.setdefault(p, {})
                node[leaf] = v
        elif value is None:
            m.pop(key, None)
        else:
            m[key] = value
    m["digest"] = manifest_digest(m)
    return m


def write(folder: Path, manifest: Mapping[str, Any], name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{manifest['run_id']}.json")
    path.write_bytes(pretty_bytes(manifest))
    return path
