"""Which app entry points the repository names, for runs the callback recorded.

A run recorded by the callback names its app's entry point (``module:function``)
as its task. ``verify`` may re-run it only when the repository names it: the
module is a file tracked in the repository's git at the verifying commit
(``HEAD``), or the entry point is declared in ``pyproject.toml``::

    [tool.hydra-manifest]
    apps = ["mypkg.train:main"]

The module's file is found without importing anything; only an entry point
the repository names is imported (:func:`manifest._hydra.app.load_app`), and
it must be a ``@hydra.main`` app, whose own configs are then recomposed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from typing import Any

from .._hydra.app import AppInfo, load_app
from ..errors import ConfigError, TaskError

PYPROJECT = "pyproject.toml"
TABLE = "tool.hydra-manifest"


class UnnamedApp(TaskError):
    """An entry point the repository does not name; nothing was imported."""


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            document: dict[str, Any] = tomllib.load(handle)
            return document
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from None


def declared_apps(project_dir: Path) -> tuple[str, ...]:
    """The entry points ``[tool.hydra-manifest] apps`` of the project's
    ``pyproject.toml`` declares (none without the file or the table).

    Raises :class:`ConfigError` for a table that is not what it should be.
    """
    path = project_dir / PYPROJECT
    if not path.is_file():
        return ()
    table = _read_toml(path).get("tool", {}).get("hydra-manifest", {})
    if not isinstance(table, dict):
        raise ConfigError(
            "not a table", file=str(path), pointer=f"/{TABLE}", expected="a table", found="a value"
        )
    apps = table.get("apps", [])
    if not isinstance(apps, list) or not all(isinstance(a, str) for a in apps):
        raise ConfigError(
            "bad list of apps",
            file=str(path),
            pointer=f"/{TABLE}/apps",
            expected='a list of "module:function" strings',
            found=repr(apps)[:80],
        )
    return tuple(apps)


def locate(module: str, project_dir: Path) -> Path | None:
    """The file ``module`` would import from, the project folder first (as
    when the app ran from it); found without importing anything."""
    parts = module.split(".")
    spec: ModuleSpec | None = None
    search: list[str] = [str(project_dir), *(p for p in sys.path if p)]
    for depth in range(1, len(parts) + 1):
        spec = PathFinder.find_spec(".".join(parts[:depth]), search)
        if spec is None:
            return None
        if depth < len(parts):
            if spec.submodule_search_locations is None:
                return None
            search = list(spec.submodule_search_locations)
    if spec is None or not spec.has_location or not spec.origin:
        return None
    return Path(spec.origin).resolve()


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False, timeout=60
    )


def tracked_at_head(path: Path, project_dir: Path) -> bool:
    """Whether ``path`` is a file of the commit checked out in ``project_dir``."""
    try:
        top = _git(["rev-parse", "--show-toplevel"], project_dir)
        if top.returncode != 0:
            return False
        relative = path.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
        listed = _git(["ls-tree", "--name-only", "HEAD", "--", relative], Path(top.stdout.strip()))
    except (OSError, ValueError, subprocess.SubprocessError):
        return False
    return listed.returncode == 0 and listed.stdout.strip() == relative


def admit_app(task: str, project_dir: Path) -> tuple[AppInfo, str]:
    """The app of entry point ``task``, imported, and how the repository
    names it; :class:`TaskError` (nothing imported) when it does not."""
    from ..record.tasks import ENTRYPOINT

    if not ENTRYPOINT.match(task):
        raise UnnamedApp(f"{task!r} is not an entry point (module:function)")
    module = task.partition(":")[0]
    file = locate(module, project_dir)
    if task in declared_apps(project_dir):
        return load_app(task, expected_file=file), f"declared in {PYPROJECT}"
    if file is None:
        raise UnnamedApp(
            f"module {module} is not a file the repository holds, and {task} is not "
            f"declared under [{TABLE}] apps in {PYPROJECT}",
        )
    if not tracked_at_head(file, project_dir):
        raise UnnamedApp(
            f"{_shown(file, project_dir)} (module {module}) is not tracked in the "
            f"repository's git at HEAD, and {task} is not declared under [{TABLE}] apps "
            f"in {PYPROJECT}",
        )
    return load_app(task, expected_file=file), f"{_shown(file, project_dir)} is tracked in git"


def _shown(file: Path, project_dir: Path) -> str:
    try:
        return file.relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        return str(file)
