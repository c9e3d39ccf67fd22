"""Every use of Hydra's private API, in one place.

Hydra has no public API to run a task function with its run directory,
callbacks and launcher outside ``@hydra.main``, to hand prepared jobs to a
launcher plugin, or to save and restore its global state; these come from
``hydra._internal`` and private attributes. :data:`PRIVATE_API` lists each
one; ``tests/test_hydra_adapter.py`` fails with its name when a Hydra
release removes it.
"""

from __future__ import annotations

import copy
from pathlib import Path
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
)


def main_hydra(config_dir: Path, task_name: str) -> Any:
    """A ``Hydra`` for the configs in ``config_dir`` (and every search-path
    plugin), installed as the global one; the global one is cleared first."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    search_path = create_config_search_path(f"file://{config_dir.resolve()}")
    return Hydra.create_main_hydra2(task_name=task_name, config_search_path=search_path)


def callbacks(cfg: Any) -> Any:
    """Hydra's callback dispatcher for the composed config ``cfg``."""
    from hydra._internal.callbacks import Callbacks

    return Callbacks(cfg)


def saved_global_hydra() -> Any:
    """A copy of the global Hydra (None when there is none), for
    :func:`restore_global_hydra`: what ``hydra.initialize`` does."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton

    instance = Singleton._instances.get(GlobalHydra)
    return copy.deepcopy(instance) if instance is not None else None


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
