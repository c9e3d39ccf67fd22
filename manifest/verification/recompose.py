"""Recompose a recorded run's config from the repository, importing nothing.

Hydra composes the config that the recorded overrides give with the
repository's own config folder; the parameter vector is then read the way
:mod:`manifest.record.job` reads it for a manifest (resolved, without the ``hydra``
and ``manifest`` nodes, ``${oc.env:}`` values as their expression). Values
from clock or Hydra-runtime resolvers (``${now:}``, ``${hydra:}``, or an
interpolation of the ``hydra`` node, and values interpolating those) differ on
every composition: they are taken from the record, not compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._hydra.app import AppInfo
from .._hydra.compose import compose
from .._hydra.source import ConfigSource
from ..core.canonical import digest_of
from ..core.tree import get, put
from ..errors import ConfigError
from ..record.settings import Settings, parse_settings


@dataclass(frozen=True)
class Recomposed:
    """The config the repository composes from the recorded overrides."""

    config_name: str
    overrides: tuple[str, ...]
    task: str | None
    settings: Settings
    params: dict[str, Any]
    volatile: tuple[str, ...] = field(default=())  # keys taken from the record
    clock: tuple[str, ...] = field(default=())  # of those, the clock's (${now:})
    app: AppInfo | None = None  # the app whose configs these are (a callback's run)

    @property
    def params_digest(self) -> str:
        return digest_of(self.params)


def _resolved_leaf(cfg: Any, path: Sequence[str]) -> Any:
    from omegaconf import ListConfig, OmegaConf
    from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

    node = cfg
    try:
        for part in path:
            node = node[int(part)] if isinstance(node, ListConfig) else node[part]
        if OmegaConf.is_config(node):
            node = OmegaConf.to_container(node, resolve=True)
    except MissingMandatoryValue:
        return "???"
    except OmegaConfBaseException as exc:
        raise ConfigError(
            f"cannot resolve the recomposed config: {str(exc).splitlines()[0]}",
            pointer=".".join(path),
        ) from None
    return node


def _settings_node(cfg: Any) -> Any:
    """The ``manifest:`` node, resolved; where and by whom a manifest is
    written may depend on Hydra's runtime (unknown here) and is left out."""
    from omegaconf import OmegaConf

    from ..record.job import json_safe

    node: Any = cfg.get("manifest") if OmegaConf.is_dict(cfg) else None
    if not OmegaConf.is_dict(node):
        return json_safe(_resolved_leaf(cfg, ("manifest",))) if node is not None else None
    settings = {}
    for key in node:
        try:
            settings[str(key)] = json_safe(_resolved_leaf(cfg, ("manifest", str(key))))
        except ConfigError:
            if key not in ("store", "owner"):
                raise
    return settings


def _params(
    cfg: Any, recorded: Mapping[str, Any], redact: Sequence[str]
) -> tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]:
    """The parameter vector of ``cfg`` as a manifest records it (values from
    the environment as their expression, keys named like secrets redacted),
    values from the clock and Hydra's runtime taken from ``recorded``; and
    the dotted keys of those (clock, and all volatile)."""
    from ..record.job import EXCLUDED_NODES, json_safe
    from ..record.secrets import expressions, redact_names, trace

    origins = trace(cfg, excluded=EXCLUDED_NODES)  # resolves nothing for real
    params = json_safe(origins.resolved)
    for path in sorted(origins.clock | origins.runtime, key=len):
        value = get(recorded, path, default=get(origins.raw, path))
        put(params, path, json_safe(value))
    redact_names(params, redact)
    expressions(params, origins)
    clock = tuple(sorted(".".join(p) for p in origins.clock))
    volatile = tuple(sorted(".".join(p) for p in origins.clock | origins.runtime))
    return params, clock, volatile


_PINNABLE = re.compile(r"^[\w .:+\-/]{0,200}$")
_KEY = re.compile(r"^[A-Za-z_][\w\-]*(\.[A-Za-z_][\w\-]*)*$")


def clock_pins(composed: Recomposed, recorded: Mapping[str, Any]) -> tuple[str, ...]:
    """Overrides that give each clock value (``${now:...}``) of a re-run the
    value the record holds, so that a run that wrote its timestamp into an
    artifact reproduces. Only plain values at plain keys are pinned (the
    record is untrusted: nothing that Hydra or OmegaConf would interpret)."""
    pins = []
    for key in composed.clock:
        value = get(recorded, tuple(key.split(".")))
        if (
            isinstance(value, str)
            and _KEY.match(key)
            and _PINNABLE.match(value)
            and not value.startswith(" ")
        ):
            pins.append(f"{key}='{value}'")
    return tuple(pins)


def _bounded(cfg: Any) -> None:
    """Refuse, before resolving anything, a config whose values would expand
    past :data:`~.bounds.MAX_EXPANSION` (:mod:`.bounds`)."""
    from omegaconf import OmegaConf

    from .bounds import expansion_problem

    written = OmegaConf.to_container(cfg, resolve=False)
    tree = {k: v for k, v in written.items() if k != "hydra"} if isinstance(written, dict) else {}
    problem = expansion_problem(tree)
    if problem:
        raise ConfigError(
            f"refused before resolving: {problem}",
            hint="interpolations in the recorded overrides expand without bound",
        )


def recompose(
    source: ConfigSource,
    config_name: str,
    overrides: Sequence[str],
    *,
    recorded_params: Mapping[str, Any],
    app: AppInfo | None = None,
) -> Recomposed:
    """Compose ``config_name`` from ``source`` (the repository's config
    folder; or, for ``app``, the app's configs, its module imported already)
    with ``overrides`` (no task is imported) and read its task (the config's
    ``manifest.task``, or the app's entry point), settings and parameter
    vector.

    Leaves from clock or Hydra-runtime resolvers take their value from
    ``recorded_params``; leaves from the environment keep their expression,
    as the record does (:mod:`manifest.record.secrets` decides which are
    which, the same way). Raises :class:`ConfigError` when composition fails.
    """
    cfg = compose(source, config_name, overrides, with_hydra=True)
    _bounded(cfg)
    settings = parse_settings(_settings_node(cfg))
    params, clock, volatile = _params(cfg, recorded_params, settings.redact)
    return Recomposed(
        config_name=config_name,
        overrides=tuple(overrides),
        task=app.entrypoint if app is not None else settings.task,
        settings=settings,
        params=params,
        volatile=volatile,
        clock=clock,
        app=app,
    )
