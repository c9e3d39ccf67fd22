"""Which app entry points the repository names, for runs the callback recorded.

A run recorded by the callback names its app's entry point (``module:function``)
as its task. ``verify`` may re-run it only when the repository names it: the
module is a file tracked in the repository's git at the verifying commit
(``HEAD``), or the entry point is declared in ``pyproject.toml``::

    [tool.hydra-manifest]
    apps = ["mypkg.train:main"]

The module's file is found, and read for a ``@hydra.main`` function of that
name, without importing anything: a tracked script that is not that app (or
runs code when imported) is never imported for a manifest. Only an entry
point the repository names is imported (:func:`manifest._hydra.app.load_app`),
and it must be a ``@hydra.main`` app, whose own configs are then recomposed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib.machinery import PathFinder
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
    tool = _read_toml(path).get("tool", {})
    table = tool.get("hydra-manifest", {}) if isinstance(tool, dict) else tool
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
    search: list[str] = [str(project_dir), *(p for p in sys.path if p)]
    for depth in range(1, len(parts)):
        package = PathFinder.find_spec(".".join(parts[:depth]), search)
        if package is None or package.submodule_search_locations is None:
            return None
        search = list(package.submodule_search_locations)
    spec = PathFinder.find_spec(module, search)
    if spec is None or not spec.origin:  # not found, or a namespace package (no file)
        return None
    return Path(spec.origin).resolve()


def _git(args: list[str], cwd: Path) -> str:
    """git's output; raises when git is missing or fails (no work tree, no commit)."""
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    ).stdout


def _toplevel(project_dir: Path) -> Path | None:
    """The root of the git work tree holding ``project_dir``, if any."""
    try:
        top = _git(["rev-parse", "--show-toplevel"], project_dir)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(top.strip()).resolve()


def tracked_at_head(path: Path, project_dir: Path) -> bool:
    """Whether ``path`` is a file of the commit checked out in ``project_dir``."""
    top = _toplevel(project_dir)
    if top is None or not path.resolve().is_relative_to(top):
        return False
    relative = path.resolve().relative_to(top).as_posix()
    try:
        listed = _git(["ls-tree", "-z", "--name-only", "HEAD", "--", relative], top)
    except (OSError, subprocess.SubprocessError):
        return False
    return listed == f"{relative}\0"  # -z: the name as it is, never quoted


def _hydra_main_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to the ``hydra`` module and to ``hydra.main`` at the top."""
    modules, mains = {"hydra"}, set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "hydra"}
        elif isinstance(node, ast.ImportFrom) and node.module == "hydra":
            mains |= {a.asname or a.name for a in node.names if a.name == "main"}
    return modules, mains


def declares_hydra_main(file: Path, function: str) -> bool:
    """Whether ``file`` defines, at its top level, ``function`` decorated with
    ``@hydra.main(...)`` (read, not imported)."""
    try:
        tree = ast.parse(file.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return False
    modules, mains = _hydra_main_names(tree)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name != function:
            continue
        for decorator in node.decorator_list:
            call = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (
                isinstance(call, ast.Attribute)
                and call.attr == "main"
                and isinstance(call.value, ast.Name)
                and call.value.id in modules
            ):
                return True
            if isinstance(call, ast.Name) and call.id in mains:
                return True
    return False


def admit_app(task: str, project_dir: Path) -> tuple[AppInfo, str]:
    """The app of entry point ``task``, imported, and how the repository
    names it; :class:`TaskError` (nothing imported) when it does not."""
    from ..record.tasks import ENTRYPOINT

    if not ENTRYPOINT.fullmatch(task):
        raise UnnamedApp(f"{task!r} is not an entry point (module:function)")
    module = task.partition(":")[0]
    file = locate(module, project_dir)
    if task in declared_apps(project_dir):
        return load_app(task, expected_file=file), f"declared in {PYPROJECT}"
    top = _toplevel(project_dir) or project_dir.resolve()
    if file is None or not file.is_relative_to(top):
        where = f" ({file})" if file is not None else ""
        raise UnnamedApp(
            f"module {module} is not a file the repository holds{where}, and {task} is not "
            f"declared under [{TABLE}] apps in {PYPROJECT}",
        )
    if not tracked_at_head(file, project_dir):
        raise UnnamedApp(
            f"{_shown(file, project_dir)} (module {module}) is not tracked in the "
            f"repository's git at HEAD, and {task} is not declared under [{TABLE}] apps "
            f"in {PYPROJECT}",
        )
    function = task.partition(":")[2]
    if not declares_hydra_main(file, function):
        raise UnnamedApp(
            f"{_shown(file, project_dir)} defines no @hydra.main function {function}, and "
            f"{task} is not declared under [{TABLE}] apps in {PYPROJECT}"
        )
    return load_app(task, expected_file=file), f"{_shown(file, project_dir)} is tracked in git"


def _shown(file: Path, project_dir: Path) -> str:
    try:
        return file.relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        return str(file)
