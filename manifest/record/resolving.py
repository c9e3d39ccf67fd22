"""Resolving a composed config one top-level key at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def resolve_by_key(cfg: Any, on_error: Callable[[str, Exception], Any]) -> dict[str, Any]:
    """``cfg`` resolved to plain containers, without its ``hydra`` node.

    Resolved key by key: the ``hydra`` node of a run-mode job holds values
    (``hydra.job.num``) that only exist in multirun and must not be touched.
    A missing mandatory value stays ``???``; any other failure to resolve a
    key is handed to ``on_error(key, exception)``, which raises or gives the
    value to record.
    """
    from omegaconf import OmegaConf
    from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

    resolved: dict[str, Any] = {}
    for key in cfg:
        if key == "hydra":
            continue
        try:
            value = cfg[key]
            if OmegaConf.is_config(value):
                value = OmegaConf.to_container(value, resolve=True, throw_on_missing=False)
        except MissingMandatoryValue:
            value = "???"
        except (OmegaConfBaseException, ValueError, TypeError) as exc:
            value = on_error(str(key), exc)
        resolved[str(key)] = value
    return resolved
