"""Task entrypoints: ``module:function`` strings to callables and back."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import TaskError

# use with fullmatch: "$" would also match before a trailing newline
ENTRYPOINT = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def resolve_task(entrypoint: str) -> Callable[..., Any]:
    """Import ``module:function`` and return the callable.

    Raises :class:`TaskError` with the entrypoint and what went wrong.
    """
    if not isinstance(entrypoint, str) or not ENTRYPOINT.fullmatch(entrypoint):
        raise TaskError(
            "bad task entrypoint",
            pointer="manifest.task",
            expected="module:function",
            found=repr(entrypoint),
        )
    module_name, _, attr = entrypoint.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise TaskError(
            f"cannot import module {module_name!r}: {exc}", pointer="manifest.task"
        ) from None
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise TaskError(
                f"module {module_name!r} has no attribute {attr!r}", pointer="manifest.task"
            ) from None
    if not callable(target):
        raise TaskError(f"{entrypoint} is not callable", pointer="manifest.task")
    return target  # type: ignore[no-any-return]


def _main_module_name() -> str | None:
    """The importable name of ``__main__`` (``python -m pkg.app`` or a script)."""
    main = sys.modules.get("__main__")
    if main is None:
        return None
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        name: str = spec.name
        return name[: -len(".__main__")] if name.endswith(".__main__") else name
    file = getattr(main, "__file__", None)
    if not file:
        return None
    path = Path(file).resolve()
    for entry in sys.path:
        try:
            rel = path.relative_to(Path(entry or ".").resolve())
        except ValueError:
            continue
        parts = rel.with_suffix("").parts
        if all(p.isidentifier() for p in parts):
            return ".".join(parts)
    return path.stem if path.stem.isidentifier() else None


MainModule = tuple[str | None, Path | None]


def main_module() -> MainModule:
    """The importable name and the file of this process's ``__main__``."""
    main = sys.modules.get("__main__")
    file = getattr(main, "__file__", None)
    return _main_module_name(), Path(file).resolve() if isinstance(file, str) else None


def entrypoint_of(
    function: Callable[..., Any], *, main: MainModule | None = None
) -> tuple[str, Path | None]:
    """The ``module:function`` naming ``function``, and its source file.

    A function of ``__main__`` is named after the module the app was started
    as: ``main``, taken in the process that started the app (a launcher's
    worker process has a ``__main__`` of its own), else this process's.
    """
    module = getattr(function, "__module__", None) or "__main__"
    qualname = getattr(function, "__qualname__", None) or getattr(function, "__name__", "task")
    main_file = None
    if module == "__main__":
        name, main_file = main if main is not None else main_module()
        module = name or "__main__"
    try:
        source = inspect.getsourcefile(function)
    except TypeError:
        source = None
    if main_file is not None and main is not None:
        source = str(main_file)  # the worker may not see the started file under its name
    return f"{module}:{qualname}", Path(source) if source else None
