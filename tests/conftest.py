"""Shared fixtures: an isolated working folder and a way to run the example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / "conf"


@pytest.fixture(scope="session", autouse=True)
def isolated_from_the_machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Temporary folders are outside any git work tree, wherever they lie,
    and caches stay out of the user's home.

    pytest's temporary folders may sit inside a git work tree (``--basetemp``
    in a checkout, a TMPDIR under a project): git would then find that
    repository above a test's folder, and a test of a run "not in a git
    repository" would record someone else's commit. Git does not look above
    the base temporary folder; a test that wants a repository makes its own
    (``git init`` in its folder).
    """
    base = tmp_path_factory.getbasetemp()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CEILING_DIRECTORIES", str(base))
        # Hash caches and the runs index live in the session's own folder,
        # never in the user's ~/.cache nor shared with a concurrent session.
        patch.setenv("XDG_CACHE_HOME", str(base / "xdg-cache"))
        patch.delenv("HYDRA_MANIFEST_INDEX_DIR", raising=False)
        yield


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh current directory and hash cache, as a user's project would be."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    yield tmp_path


@pytest.fixture
def app_imports(tmp_path: Path) -> Iterator[None]:
    """Forget, after the test, the apps that ``verify`` imported from
    ``tmp_path`` and the configs they registered in Hydra's ConfigStore: a
    later launch would otherwise hand those configs (classes of modules no
    other process can import) to its worker processes."""
    import copy

    from hydra.core.config_store import ConfigStore
    from hydra.core.plugins import Plugins

    Plugins.instance()  # the plugins' own configs registered first: they are kept
    store = ConfigStore.instance()
    saved = copy.deepcopy(store.repo)
    before = set(sys.modules)
    yield
    store.repo = saved
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file.startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout built as a wheel, once per test session."""
    folder = tmp_path_factory.mktemp("wheel")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*pip_wheel, "-q", "-w", str(folder), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = folder.glob("hydra_manifest-*.whl")
    return built


def run_cli(*args: str) -> int:
    from manifest.cli import main

    return main(list(args))


_counter = iter(range(10**6))


def run_example(
    workdir: Path,
    *overrides: str,
    config_dir: Path = CONF,
    config_name: str = "config",
    multirun: bool = False,
) -> int:
    """``manifest run`` on the bundled example, outputs under ``workdir``."""
    dirs = []
    if not any(o.startswith("hydra.run.dir=") for o in overrides):
        dirs.append(f"hydra.run.dir={workdir}/outputs/run-{next(_counter)}")
    if multirun and not any(o.startswith("hydra.sweep.dir=") for o in overrides):
        dirs.append(f"hydra.sweep.dir={workdir}/multirun/sweep-{next(_counter)}")
    args = ["run", "--config-dir", str(config_dir), "--config-name", config_name]
    if multirun:
        args.append("-m")
    return run_cli(*args, f"manifest.store={workdir}/manifests", *dirs, *overrides)


def manifests_in(folder: Path) -> list[dict[str, Any]]:
    """The manifests in ``folder``, oldest first."""
    found = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    return sorted(found, key=lambda m: m["created"])


def only_manifest(folder: Path) -> tuple[Path, dict[str, Any]]:
    paths = sorted(folder.glob("*.json"))
    assert len(paths) == 1, paths
    return paths[0], json.loads(paths[0].read_text())


def python(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run this interpreter in a subprocess, as a user would run an app."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=full_env,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        },
    )
    return result.stdout
