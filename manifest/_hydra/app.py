"""A ``@hydra.main`` app, read the way Hydra reads it when the app starts.

``verify`` re-runs an app's entry point with the app's own configs: the
folder its ``config_path`` names (next to the app's file, as Hydra resolves
it for a script and for ``python -m``), and the ConfigStore entries that
importing its module registers. :func:`load_app` imports the module (the
caller decides first whether the repository names it) and reads those
settings; nothing is run.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import TaskError
from . import internal
from .session import hydra_session
from .source import ConfigSource


@dataclass(frozen=True)
class AppInfo:
    """Where a ``@hydra.main`` app takes its configs from."""

    entrypoint: str  # module:function
    file: Path  # the module's file
    source: ConfigSource  # the app's config folder, package, or None (ConfigStore only)
    config_name: str | None  # its default primary config
    job_name: str  # Hydra's job name for it (the module's last part)


def _config_source(config_path: str | None, task_function: object) -> ConfigSource:
    """The app's primary config folder, as Hydra computes it for a script."""
    if config_path is None:
        return None
    if config_path.startswith("pkg://"):
        return config_path
    if os.path.isabs(config_path):
        return Path(config_path)
    file = inspect.getsourcefile(task_function) or inspect.getfile(task_function)  # type: ignore[arg-type]
    return Path(os.path.normpath(Path(os.path.realpath(file)).parent / config_path))


def module_file(module: str) -> Path | None:
    """The file of an imported module, if it has one."""
    loaded = sys.modules.get(module)
    file = getattr(loaded, "__file__", None)
    return Path(file).resolve() if isinstance(file, str) else None


def load_app(entrypoint: str, *, expected_file: Path | None = None) -> AppInfo:
    """Import the module of ``entrypoint`` (``module:function``, the current
    folder importable) and read its ``@hydra.main`` settings.

    ``expected_file``: refuse when the module imports from another file (an
    earlier import of a same-named module, or one earlier on ``sys.path``).
    Raises :class:`TaskError` when the module does not import, holds no such
    function, or the function is not a ``@hydra.main`` app.
    """
    module_name, _, attribute = entrypoint.partition(":")
    with hydra_session(import_from_cwd=True):  # @hydra.main sets Hydra's version base
        try:
            target: object = importlib.import_module(module_name)
        except Exception as exc:  # an app's import may raise anything
            raise TaskError(
                f"cannot import the app's module {module_name}: {type(exc).__name__}: {exc}",
            ) from None
    found = module_file(module_name)
    if expected_file is not None and found != expected_file.resolve():
        raise TaskError(
            f"module {module_name} is imported from {found}, not from the repository's "
            f"{expected_file}",
            hint="verify in a fresh process, from the repository's root",
        )
    for part in attribute.split("."):
        target = getattr(target, part, None)
    settings = internal.hydra_main_settings(target)
    if settings is None or found is None:
        raise TaskError(
            f"{entrypoint} is not a @hydra.main app, so its configs are unknown",
            hint="name the app's @hydra.main function",
        )
    config_path, config_name, task_function = settings
    return AppInfo(
        entrypoint=entrypoint,
        file=found,
        source=_config_source(config_path, task_function),
        config_name=config_name,
        job_name=module_name.rsplit(".", 1)[-1],
    )
