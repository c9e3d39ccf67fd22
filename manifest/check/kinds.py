"""Contract kinds: small pure functions that judge one manifest.

Each kind answers one question a reviewer asks of a run before trusting it:

==========  ================================================================
threshold   good enough? a metric against a bound (by its direction without op)
budget      too costly? a cost field or cost metric at most ``max``
freshness   stale? a timestamp, or an input's recorded time, within ``max_age``
lineage     unauditable? owner, code version, clean tree, hashed inputs...
drift       inconsistent? a field against the same field of a reference
schema      malformed? any JSON Schema fragment over the manifest
==========  ================================================================

A kind is a function of the contract's parameters (the clock and the drift
reference among them) that returns a :data:`~.finding.ContractRule`: a pure function from a
manifest (one that matches the manifest schema) to a :class:`Finding`.
Everything that does not depend on the manifest, such as the expected value
as text, is worked out once when the rule is built, because ``validate``
applies each rule to thousands of manifests. Nothing here reads a file or the
clock; :mod:`manifest.check.contract_file` reads contracts files and
:mod:`manifest.check.evaluate` builds the rules and applies them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..core.timestamps import parse_utc
from ..core.tree import MISSING, get, is_number, json_pointer, show, split_pointer
from .finding import ContractRule, Finding, missing_metric

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def timestamp(text: Any) -> float | None:
    """Seconds since the epoch of a manifest timestamp (UTC, ``Z``), or None."""
    if not isinstance(text, str) or not text.endswith("Z"):
        return None
    try:
        return parse_utc(text).timestamp()
    except ValueError:
        return None


def _second(text: str) -> datetime:
    """The whole second of a manifest timestamp (naive UTC), or the epoch."""
    try:
        return datetime.fromisoformat(text[:19])
    except ValueError:
        return datetime(1970, 1, 1)


def duration(seconds: float) -> str:
    """A short human duration: ``3d 4h``, ``5h 12m``, ``42s``."""
    left = int(abs(seconds))
    parts: list[str] = []
    for name, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size or (size == 1 and not parts):
            parts.append(f"{left // size}{name}")
            left %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def threshold(*, metric: str, op: str | None, value: float) -> ContractRule:
    """``metrics[metric] <op> value``; a missing metric fails. Without ``op``
    the bound is a floor or a ceiling by the metric's recorded direction
    (``directions``: ``>=`` when higher is better, ``<=`` when lower is), and
    a manifest that declares none fails, saying how to declare it."""
    pointer = json_pointer(["metrics", metric])
    meets, fails = f"{metric} meets the threshold", f"{metric} fails the threshold"
    fixed = {o: f"{metric} {o} {show(value)}" for o in ([op] if op else [">=", "<="])}
    undeclared = (
        f"{metric} has no declared direction, so the threshold has no side: declare "
        f"manifest.metrics: {{{metric}: higher}} (or lower) in the run config, or give the "
        "contract an op"
    )

    def rule(manifest: Mapping[str, Any]) -> Finding:
        which = op or {"higher": ">=", "lower": "<="}.get(
            (manifest.get("directions") or {}).get(metric, "")
        )
        found = (manifest.get("metrics") or {}).get(metric, MISSING)
        if which is None:
            expected = f"{metric} >= or <= {show(value)}, by its direction"
            return Finding(False, undeclared, pointer, expected, "no direction")
        expected = fixed[which]
        if found is MISSING:
            return missing_metric(manifest, metric, expected)
        if OPERATORS[which](found, value):
            return Finding(True, meets, pointer, expected, repr(found))
        return Finding(False, fails, pointer, expected, repr(found))

    return rule


def budget(*, limit: float, field: str | None = None, metric: str | None = None) -> ContractRule:
    """A cost field (``cost.wall_s``, ``cost.cpu_s``, ``cost.peak_memory_bytes``)
    or a cost metric (tokens, latency) at most ``limit``; a missing one fails."""
    label = metric if metric is not None else str(field)
    path = ("metrics", metric) if metric is not None else tuple(str(field).split("."))
    pointer, expected = json_pointer(path), f"{label} <= {show(limit)}"
    within, over = f"{label} is within budget", f"{label} is over budget"

    def rule(manifest: Mapping[str, Any]) -> Finding:
        found = get(manifest, path)
        if found is MISSING and metric is not None:
            return missing_metric(manifest, metric, expected)
        if not is_number(found):
            return Finding(False, f"{label} is not a number", pointer, expected, show(found))
        if found <= limit:
            return Finding(True, within, pointer, expected, repr(found))
        return Finding(False, over, pointer, expected, repr(found))

    return rule


def freshness(
    *,
    now: float,
    max_age_s: float,
    max_age: str,
    field: str | None = None,
    input: str | None = None,
) -> ContractRule:
    """A timestamp ``field`` (``created``, ``finished``), or the ``mtime``
    recorded for the input with config key ``input``, no older than
    ``max_age_s`` seconds at ``now`` (seconds since the epoch)."""
    oldest = now - max_age_s
    label = f"input {input!r}" if input is not None else str(field)
    at = datetime.fromtimestamp(oldest, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    expected = f"{label} no older than {max_age} (at or after {at})"
    fresh = f"{label} is fresh"
    # a timestamp in a later whole second than the oldest allowed is fresh
    latest_second = datetime.fromtimestamp(oldest, timezone.utc).replace(tzinfo=None, microsecond=0)

    def rule(manifest: Mapping[str, Any]) -> Finding:
        pointer = f"/{field}"
        if input is None:
            raw = manifest.get(str(field), MISSING)
        else:
            keys = [item.get("key") for item in manifest.get("inputs") or ()]
            if input not in keys:
                recorded = ", ".join(map(str, keys)) or "none"
                return Finding(
                    False,
                    f"no input {input!r} is recorded",
                    "/inputs",
                    f"an input with key {input!r}",
                    f"absent (recorded: {recorded})",
                )
            index = keys.index(input)
            pointer = f"/inputs/{index}/mtime"
            raw = manifest["inputs"][index].get("mtime", MISSING)
        if isinstance(raw, str) and raw[19:20] in (".", "Z") and _second(raw) > latest_second:
            return Finding(True, fresh, pointer, expected, raw)  # most runs: no float arithmetic
        when = timestamp(raw)
        if when is None:
            what = "records no time" if raw is MISSING else "is not a UTC timestamp"
            return Finding(False, f"{label} {what}", pointer, expected, show(raw))
        if when >= oldest:  # the common case, kept cheap: no age in words
            return Finding(True, fresh, pointer, expected, raw)
        stale = f"{label} is stale: older than {max_age}"
        return Finding(False, stale, pointer, expected, f"{raw} ({duration(now - when)} old)")

    return rule


def drift(
    reference: Mapping[str, Any],
    *,
    pointer: str,
    atol: float = 0.0,
    rtol: float = 0.0,
    reference_name: str = "the reference",
) -> ContractRule:
    """The number at ``pointer`` within ``atol + rtol * |r|`` of the number
    ``r`` at the same pointer in the ``reference`` manifest."""
    path = split_pointer(pointer)
    ref = get(reference, path)
    if not is_number(ref):
        raise ValueError(f"the reference has no number at {pointer}")
    allowed = atol + rtol * abs(ref)
    label = path[1] if len(path) == 2 and path[0] == "metrics" else pointer
    expected = f"within {show(allowed)} of {show(ref)} ({reference_name})"
    within, beyond = f"{label} is within the tolerance", f"{label} drifted beyond the tolerance"

    def rule(manifest: Mapping[str, Any]) -> Finding:
        value = get(manifest, path)
        if value is MISSING and label != pointer:
            return missing_metric(manifest, label, expected)
        if not is_number(value):
            return Finding(False, f"{label} is not a number", pointer, expected, show(value))
        delta = value - ref
        found = f"{value!r} (difference {delta:+.6g})"
        if abs(delta) <= allowed:
            return Finding(True, within, pointer, expected, found)
        return Finding(False, beyond, pointer, expected, found)

    return rule


def schema(fragment: Mapping[str, Any] | bool) -> ContractRule:
    """The manifest satisfies the JSON Schema (2020-12) ``fragment``; the
    caller has refused remote references (see :mod:`manifest.check.contract_file`)."""
    from ..core.schemas import Validator

    validator = Validator(fragment)  # type: ignore[arg-type]

    def rule(manifest: Mapping[str, Any]) -> Finding:
        if validator.is_valid(manifest):
            return Finding(True, "matches the contract's schema", "", "matches", "matches")
        issues = validator.issues(manifest)
        first, more = issues[0], f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
        message = f"does not match the contract's schema: {first.message}{more}"
        return Finding(
            False, message, first.pointer, f"schema rule {first.rule or '/'}", first.message
        )

    return rule
