"""The ``manifest:`` node of a Hydra config: the toolkit's settings.

:class:`ManifestSettings` is registered with Hydra's ConfigStore as
``manifest_schema`` so a config can list it in its defaults and every
``manifest.*`` override then works without ``+``. Settings read from any
config (also one without the schema) go through :func:`parse_settings`,
which fills defaults and names the key of any bad value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from .secrets import DEFAULT_REDACT

SCHEMA_NAME = "manifest_schema"
DEFAULT_STORE = "manifests"
_TOLERANCE_KEYS = ("atol", "rtol")
DIRECTIONS = ("higher", "lower")


@dataclass
class Tolerance:
    atol: float = 0.0
    rtol: float = 0.0


@dataclass
class Envelope:
    """What must hold when the run is repeated."""

    identical: list[str] = field(default_factory=lambda: ["*"])
    default: Tolerance = field(default_factory=Tolerance)
    metrics: dict[str, Tolerance] = field(default_factory=dict)
    stochastic: bool = False
    seed_key: str = "seed"
    seeds: int = 5


@dataclass
class ManifestSettings:
    """Settings of the ``manifest:`` node (defaults are what users get)."""

    task: str | None = None
    store: str | None = None  # None: the callback's store, else "manifests"
    owner: str | None = None
    envelope: Envelope = field(default_factory=Envelope)
    inputs: list[str] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)
    hash_cache: bool = True
    metrics: dict[str, str] = field(default_factory=dict)  # metric -> higher | lower
    # key names whose values are never recorded (see manifest.record.secrets)
    redact: list[str] = field(default_factory=lambda: list(DEFAULT_REDACT))


def register_schema() -> None:
    """Register :class:`ManifestSettings` as ``manifest_schema`` (idempotent)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=SCHEMA_NAME, node=ManifestSettings, package="manifest")


def _fail(key: str, expected: str, found: Any) -> ConfigError:
    return ConfigError(
        "bad value in the manifest settings",
        pointer=f"manifest.{key}",
        expected=expected,
        found=repr(found),
    )


def _str_list(node: Mapping[str, Any], key: str) -> list[str]:
    value = node.get(key, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(key, "a list of strings", value)
    return list(value)


def _tolerance(node: Any, key: str) -> dict[str, float]:
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        raise _fail(key, "a mapping with atol and rtol", node)
    result: dict[str, float] = {}
    for name, value in node.items():
        if name not in _TOLERANCE_KEYS:
            raise _fail(f"{key}.{name}", "atol or rtol", name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise _fail(f"{key}.{name}", "a number >= 0", value)
        result[name] = float(value)
    return result


def envelope_json(node: Any) -> dict[str, Any]:
    """The envelope as recorded in a manifest, defaults filled in."""
    node = node if node is not None else {}
    if not isinstance(node, Mapping):
        raise _fail("envelope", "a mapping", node)
    unknown = set(node) - {"identical", "default", "metrics", "stochastic", "seed_key", "seeds"}
    if unknown:
        raise _fail(f"envelope.{sorted(unknown)[0]}", "a known envelope key", sorted(unknown)[0])
    metrics = node.get("metrics") or {}
    if not isinstance(metrics, Mapping):
        raise _fail("envelope.metrics", "a mapping of metric name to tolerance", metrics)
    seeds = node.get("seeds", 5)
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 2:
        raise _fail("envelope.seeds", "an integer >= 2", seeds)
    stochastic = node.get("stochastic", False)
    if not isinstance(stochastic, bool):
        raise _fail("envelope.stochastic", "true or false", stochastic)
    seed_key = node.get("seed_key", "seed")
    if not isinstance(seed_key, str):
        raise _fail("envelope.seed_key", "a config key", seed_key)
    return {
        "identical": _str_list(node, "identical") if "identical" in node else ["*"],
        # the default in full: a node with the schema and one without say the same
        "default": {
            "atol": 0.0,
            "rtol": 0.0,
            **_tolerance(node.get("default"), "envelope.default"),
        },
        "metrics": {
            str(k): _tolerance(v, f"envelope.metrics.{k}") for k, v in sorted(metrics.items())
        },
        "stochastic": stochastic,
        "seed_key": seed_key,
        "seeds": seeds,
    }


def directions_json(node: Any) -> dict[str, str]:
    """``manifest.metrics``: which way is better for each metric (``higher`` or
    ``lower``), as recorded in a manifest's ``directions``."""
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        raise _fail("metrics", "a mapping of metric name to higher or lower", node)
    for name, direction in node.items():
        if not isinstance(name, str) or not name:
            raise _fail("metrics", "metric names (non-empty strings)", name)
        if direction not in DIRECTIONS:
            raise _fail(f"metrics.{name}", "higher or lower", direction)
    return {str(k): str(v) for k, v in sorted(node.items())}


@dataclass(frozen=True)
class Settings:
    """Validated settings, plain values only (picklable, hashable parts)."""

    task: str | None
    store: str
    owner: str | None
    envelope: dict[str, Any]
    inputs: tuple[str, ...]
    artifacts: tuple[str, ...]
    roles: dict[str, str]
    parents: tuple[str, ...]
    hash_cache: bool
    directions: dict[str, str] = field(default_factory=dict)
    redact: tuple[str, ...] = DEFAULT_REDACT


def parse_settings(node: Any) -> Settings:
    """Validate a ``manifest:`` node given as plain containers (or None)."""
    node = node if node is not None else {}
    if not isinstance(node, Mapping):
        raise _fail("", "a mapping", node)
    known = set(ManifestSettings.__dataclass_fields__)
    unknown = sorted(set(node) - known)
    if unknown:
        raise ConfigError(
            "unknown key in the manifest settings",
            pointer=f"manifest.{unknown[0]}",
            expected="one of " + ", ".join(sorted(known)),
            found=repr(unknown[0]),
        )
    for key in ("task", "owner"):
        if node.get(key) is not None and not isinstance(node[key], str):
            raise _fail(key, "a string", node[key])
    store = node.get("store")
    store = DEFAULT_STORE if store is None else store
    if not isinstance(store, str) or not store:
        raise _fail("store", "a folder path", store)
    roles = node.get("roles") or {}
    if not isinstance(roles, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in roles.items()
    ):
        raise _fail("roles", "a mapping of glob to role name", roles)
    hash_cache = node.get("hash_cache", True)
    if not isinstance(hash_cache, bool):
        raise _fail("hash_cache", "true or false", hash_cache)
    return Settings(
        task=node.get("task"),
        store=store,
        owner=node.get("owner"),
        envelope=envelope_json(node.get("envelope")),
        inputs=tuple(_str_list(node, "inputs")),
        artifacts=tuple(_str_list(node, "artifacts")),
        roles=dict(roles),
        parents=tuple(_str_list(node, "parents")),
        hash_cache=hash_cache,
        directions=directions_json(node.get("metrics")),
        redact=tuple(_str_list(node, "redact"))
        if node.get("redact") is not None
        else DEFAULT_REDACT,
    )
