"""What a contract finds in one manifest, and the type of a contract's rule."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..core.tree import json_pointer


class Finding(NamedTuple):
    """What one contract found in one manifest."""

    holds: bool
    message: str
    pointer: str
    expected: str | None = None
    found: str | None = None


ContractRule = Callable[[Mapping[str, Any]], Finding]
"""A contract applied to one manifest (that matches the manifest schema)."""


def missing_metric(manifest: Mapping[str, Any], name: str, expected: str) -> Finding:
    """A failing finding for a metric the manifest lacks, naming the closest
    recorded metric (a typo in the contract is the usual cause)."""
    recorded = sorted(manifest.get("metrics") or {})
    close = difflib.get_close_matches(name, recorded, n=1)
    message = f"metric {name!r} is not recorded" + (
        f"; did you mean {close[0]!r}?" if close else ""
    )
    found = "absent (recorded: " + (", ".join(recorded) or "none") + ")"
    return Finding(False, message, json_pointer(["metrics", name]), expected, found)
