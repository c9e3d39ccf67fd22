"""``verify`` of runs recorded by the callback: the trust boundary for apps.

An app's entry point is re-run only when the repository names it (a module
file tracked in git at HEAD, or ``[tool.hydra-manifest] apps`` in
``pyproject.toml``); an app it does not name is never imported.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import apps
from conftest import git, run_cli
from manifest.core.canonical import digest_of, manifest_digest, pretty_bytes

MARKER = "IMPORTED-BY-VERIFY"


def recorded(app: apps.App, *overrides: str) -> Path:
    result = apps.run(app, *overrides)
    assert result.returncode == 0, result.stderr
    paths = sorted((app.root / "manifests").glob("*.json"))
    assert paths
    return paths[-1]


def verify_json(
    app: apps.App, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = run_cli("verify", *args, "--format", "json")
    return code, json.loads(capsys.readouterr().out)


def failures(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for s in report["subjects"] for c in s["checks"] if c["status"] == "fail"]


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_imports: None
) -> Iterator[apps.App]:
    """The config-group app, its module leaving a marker when imported."""
    app = apps.make(tmp_path, "groups")
    source = tmp_path / "grp_app.py"
    source.write_text(
        source.read_text().replace(
            "import hydra\n", f"import hydra\nimport pathlib\npathlib.Path({MARKER!r}).touch()\n", 1
        )
    )
    git(tmp_path, "commit", "-qam", "mark imports")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    sys.modules.pop("grp_app", None)
    yield app
    sys.modules.pop("grp_app", None)


def test_an_app_tracked_in_git_is_verified(
    project: apps.App, capsys: pytest.CaptureFixture[str]
) -> None:
    path = recorded(project, "seed=5")
    (project.root / MARKER).unlink()
    code, report = verify_json(project, capsys, str(path))
    assert code == 0, failures(report)
    [task] = [c for c in report["subjects"][0]["checks"] if c["check"] == "trust.task"]
    assert task["message"].startswith("task grp_app:main is an app the repository names")
    assert "grp_app.py is tracked in git" in task["message"]
    assert (project.root / MARKER).exists()  # imported, as a repository's app may be


def test_an_untracked_app_is_refused_and_not_imported(
    project: apps.App, capsys: pytest.CaptureFixture[str]
) -> None:
    path = recorded(project)
    (project.root / MARKER).unlink()
    git(project.root, "rm", "-q", "--cached", "grp_app.py")
    git(project.root, "commit", "-qm", "untrack the app")

    code, report = verify_json(project, capsys, str(path))

    assert code == 2
    [failure] = failures(report)
    assert failure["check"] == "trust.task" and failure["pointer"] == "/task"
    assert "conf/config.yaml names no task (manifest.task)" in failure["message"]
    assert (
        "grp_app.py (module grp_app) is not tracked in the repository's git at HEAD"
        in (failure["message"])
    )
    assert failure["message"].endswith("it was not imported")
    assert not (project.root / MARKER).exists()
    assert "grp_app" not in sys.modules


def test_an_app_declared_in_pyproject_is_verified_untracked(
    project: apps.App, capsys: pytest.CaptureFixture[str]
) -> None:
    path = recorded(project)
    git(project.root, "rm", "-q", "--cached", "grp_app.py")
    (project.root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.hydra-manifest]\napps = ["grp_app:main"]\n'
    )
    code, report = verify_json(project, capsys, str(path))
    assert code == 0, failures(report)
    [task] = [c for c in report["subjects"][0]["checks"] if c["check"] == "trust.task"]
    assert "(declared in pyproject.toml)" in task["message"]


def test_a_bad_declaration_names_the_file_and_key(
    project: apps.App, capsys: pytest.CaptureFixture[str]
) -> None:
    path = recorded(project)
    git(project.root, "rm", "-q", "--cached", "grp_app.py")
    (project.root / "pyproject.toml").write_text('[tool.hydra-manifest]\napps = "grp_app:main"\n')
    code, report = verify_json(project, capsys, str(path))
    assert code == 2
    [failure] = failures(report)
    assert "/tool.hydra-manifest/apps: bad list of apps" in failure["message"]
    assert "pyproject.toml" in failure["message"]


def _edited(path: Path, **changes: Any) -> Path:
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    manifest["params_digest"] = digest_of(manifest["params"])
    manifest["digest"] = manifest_digest(manifest)
    target = path.with_name("edited.json")
    target.write_bytes(pretty_bytes(manifest))
    return target


@pytest.mark.parametrize(
    ("task", "message"),
    [
        pytest.param(
            "grp_app:train", "grp_app.py defines no @hydra.main function train", id="plain-function"
        ),
        pytest.param("grp_app:nothing", "defines no @hydra.main function nothing", id="missing"),
        pytest.param("os:system", "module os is not a file the repository holds", id="stdlib"),
        pytest.param("conf:x", "module conf is not a file the repository holds", id="folder"),
    ],
)
def test_a_task_that_is_not_an_app_of_the_repository_is_refused_unimported(
    project: apps.App, capsys: pytest.CaptureFixture[str], task: str, message: str
) -> None:
    path = _edited(recorded(project), task=task)
    (project.root / MARKER).unlink()
    code, report = verify_json(project, capsys, str(path))
    assert code == 2
    [failure] = failures(report)
    assert message in failure["message"] and failure["message"].endswith("it was not imported")
    assert not (project.root / MARKER).exists()


def test_a_declared_app_that_is_not_a_hydra_main_app_is_refused(
    project: apps.App, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _edited(recorded(project), task="grp_app:train")
    (project.root / "pyproject.toml").write_text(
        '[tool.hydra-manifest]\napps = ["grp_app:train"]\n'
    )
    code, report = verify_json(project, capsys, str(path))
    assert code == 2
    [failure] = failures(report)
    assert (
        "grp_app:train is not a @hydra.main app, so its configs are unknown" in (failure["message"])
    )


def test_a_module_imported_from_elsewhere_is_refused(
    project: apps.App, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = recorded(project)
    other = tmp_path_factory.mktemp("other")
    (other / "grp_app.py").write_text("def main(cfg):\n    return {}\n")
    sys.path.insert(0, str(other))
    try:
        __import__("grp_app")
    finally:
        sys.path.remove(str(other))
    code, report = verify_json(project, capsys, str(path))
    assert code == 2
    [failure] = failures(report)
    assert f"module grp_app is imported from {other / 'grp_app.py'}" in failure["message"]
    assert "verify in a fresh process" in failure["message"]


@pytest.mark.usefixtures("app_imports")
def test_recorded_params_the_app_does_not_compose_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = apps.make(tmp_path, "structured")  # a ConfigStore primary config
    path = recorded(app, "optimizer.lr=0.5", "manifest.store=manifests")
    manifest = json.loads(path.read_text())
    manifest["params"]["optimizer"]["lr"] = 0.9
    path = _edited(path, params=manifest["params"])
    monkeypatch.chdir(tmp_path)
    code, report = verify_json(app, capsys, str(path))
    assert code == 2
    params = [c for c in failures(report) if c["check"] == "params"]
    assert ("/params/optimizer/lr", "0.5", "0.9") in {
        (c["pointer"], c.get("expected"), c.get("found")) for c in params
    }


def test_a_config_the_app_does_not_have_is_refused(
    project: apps.App, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _edited(recorded(project), config_name="nosuch")
    code, report = verify_json(project, capsys, str(path))
    assert code == 2
    [failure] = failures(report)
    assert failure["check"] == "trust.config" and failure["pointer"] == "/config_name"
    assert "the app's config" in failure["message"] and "nosuch" in failure["message"]


def test_hydra_main_keeps_its_settings_in_its_closure() -> None:
    """Guards the one thing read from Hydra's private side: what
    ``@hydra.main`` keeps in the closure of the function it returns."""
    import functools

    import hydra

    from manifest._hydra.internal import hydra_main_settings

    def task(cfg: Any) -> None:
        return None

    app = hydra.main(version_base=None, config_path="conf", config_name="train")(task)
    assert hydra_main_settings(app) == ("conf", "train", task)

    @functools.wraps(app)
    def outer(*args: Any) -> Any:
        return app(*args)

    assert hydra_main_settings(outer) == ("conf", "train", task)
    assert hydra_main_settings(task) is None
    assert hydra_main_settings(print) is None
