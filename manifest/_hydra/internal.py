"""Every use of Hydra's private API, in one place.

Hydra has no public API to run a task function with its run directory,
callbacks and launcher outside ``@hydra.main``, to hand prepared jobs to a
launcher plugin, or to save and restore its global state; these come from
``hydra._internal`` and private attributes. :data:`PRIVATE_API` lists each
one; ``tests/test_hydra_adapter.py`` fails with its name when a Hydra
release removes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# (module, attribute path) of each private name used below
PRIVATE_API: tuple[tuple[str, str], ...] = (
    ("hydra._internal.hydra", "Hydra.create_main_hydra2"),
    ("hydra._internal.hydra", "Hydra.run"),
    ("hydra._internal.hydra", "Hydra.multirun"),
    ("hydra._internal.hydra", "Hydra.compose_config"),
    ("hydra._internal.utils", "create_config_search_path"),
    ("hydra._internal.callbacks", "Callbacks"),
    ("hydra.core.singleton", "Singleton._instances"),
    ("hydra.core.utils", "JobReturn._return_value"),
    ("omegaconf.basecontainer", "BaseContainer._resolvers"),
)
# What @hydra.main keeps in the closure of the function it returns (guarded
# by tests/test_verify_apps.py::test_hydra_main_keeps_its_settings_in_its_closure)
HYDRA_MAIN_CLOSURE = ("config_path", "config_name", "task_function")


def main_hydra(search_path_dir: str | None, task_name: str) -> Any:
    """A ``Hydra`` for the configs of ``search_path_dir`` (Hydra's form,
    ``file://`` or ``pkg://``; None for none) and every search-path plugin,
    installed as the global one; the global one is cleared first."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    search_path = create_config_search_path(search_path_dir)
    return Hydra.create_main_hydra2(task_name=task_name, config_search_path=search_path)


def callbacks(cfg: Any) -> Any:
    """Hydra's callback dispatcher for the composed config ``cfg``."""
    from hydra._internal.callbacks import Callbacks

    return Callbacks(cfg)


def saved_global_hydra() -> Any:
    """The global Hydra (None when there is none), for
    :func:`restore_global_hydra`. The object itself, not a copy: the session
    takes it out of the registry before anything runs, so nothing changes it,
    and the caller gets back the very object (and its config loader) it had."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton

    return Singleton._instances.get(GlobalHydra)


def restore_global_hydra(saved: Any) -> None:
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton

    if saved is None:
        Singleton._instances.pop(GlobalHydra, None)
    else:
        Singleton._instances[GlobalHydra] = saved


def job_value(job_return: Any) -> Any:
    """What a job's task returned, or the exception it raised, without the
    line that ``JobReturn.return_value`` prints for a failed job."""
    return job_return._return_value


def hydra_main_settings(function: Any) -> tuple[str | None, str | None, Any] | None:
    """``(config_path, config_name, task_function)`` of a ``@hydra.main`` app
    (also under decorators that keep ``__wrapped__``), or None for any other
    callable. Hydra keeps them only in the closure of the function it returns."""
    import importlib
    import inspect

    hydra_main_file = inspect.getfile(importlib.import_module("hydra.main"))
    current = function
    for _ in range(16):  # a chain of wrappers, not a cycle
        if not inspect.isfunction(current):
            return None
        if inspect.getfile(current) == hydra_main_file:  # wraps() copies __module__
            found = inspect.getclosurevars(current).nonlocals
            if all(name in found for name in HYDRA_MAIN_CLOSURE):
                path, name, task = (found[n] for n in HYDRA_MAIN_CLOSURE)
                if (path is None or isinstance(path, str)) and (
                    name is None or isinstance(name, str)
                ):
                    return path, name, task
            return None
        current = getattr(current, "__wrapped__", None)
    return None


@contextmanager
def resolvers_replaced(replacements: dict[str, Any]) -> Iterator[None]:
    """Within the block, OmegaConf's resolvers named in ``replacements`` are
    those functions (uncached); the originals are put back on exit. OmegaConf
    can register a resolver but not give one back, hence its registry."""
    from omegaconf import OmegaConf
    from omegaconf.basecontainer import BaseContainer

    registry: dict[str, Any] = BaseContainer._resolvers
    saved = {name: registry.get(name) for name in replacements}
    try:
        for name, function in replacements.items():
            OmegaConf.register_new_resolver(name, function, replace=True, use_cache=False)
        yield
    finally:
        for name, original in saved.items():
            if original is None:
                registry.pop(name, None)
            else:
                registry[name] = original
