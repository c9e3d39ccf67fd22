"""Packaging, import cost and environment capture."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, only_manifest, python, run_example
from manifest.record.capture.environment import installed_packages, normalize_name


def test_wheel_carries_the_schemas_and_the_hydra_plugin(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for schema in (REPO / "schemas").glob("*.json"):
        assert f"manifest/_schemas/{schema.name}" in names
    assert "manifest/examples/logreg.py" in names
    # Hydra finds the plugin in hydra_plugins/ (a namespace: no __init__.py there)
    plugin = "hydra_plugins/hydra_manifest/"
    assert f"{plugin}manifest_searchpath.py" in names
    assert f"{plugin}conf/__init__.py" in names
    assert f"{plugin}conf/hydra/callbacks/manifest.yaml" in names
    assert "hydra_plugins/__init__.py" not in names


def test_validate_path_imports_no_heavy_library(workdir: Path) -> None:
    assert run_example(workdir) == 0
    path, _ = only_manifest(workdir / "manifests")
    code = (
        "import sys\n"
        "from manifest.cli import main\n"
        f"code = main(['validate', {str(path)!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'scipy', 'numpy', 'hydra', 'omegaconf', 'jsonschema'})\n"
        "print(code, heavy)\n"
    )
    result = python("-c", code, cwd=workdir)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stderr


def test_installed_packages_match_importlib_metadata() -> None:
    expected: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        expected.setdefault(normalize_name(dist.metadata["Name"]), dist.version)
    assert installed_packages() == dict(sorted(expected.items()))


def test_cli_help_and_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "manifest", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for command in ("run", "validate", "show", "ls", "diff"):
        assert command in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "manifest", "--version"], capture_output=True, text=True, check=False
    )
    assert result.stdout.startswith("manifest ")


def test_internal_errors_exit_3_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import manifest.cli.commands.ls as ls

    def boom(args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(ls, "run", boom)
    from manifest.cli import main

    assert main(["ls"]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug" in err and "--traceback" in err
    assert "Traceback" not in err


def test_same_second_runs_never_overwrite(workdir: Path) -> None:
    from datetime import datetime, timezone

    from manifest.record import build as record_module
    from manifest.record.build import Outcome, record

    assert run_example(workdir) == 0
    _, manifest = only_manifest(workdir / "manifests")
    # record the same job twice with one timestamp and a colliding random suffix
    from manifest.record.job import JobContext
    from manifest.record.settings import parse_settings

    ctx = JobContext(
        task="x:y",
        task_source=None,
        config_name="c",
        overrides=(),
        params={"a": 1},
        settings=parse_settings({"store": str(workdir / "same")}),
        project_dir=workdir,
        run_dir=workdir / "empty",
        hydra=manifest["hydra"],
        input_values=(),
        dirt_exclusions=(),
    )
    (workdir / "empty").mkdir()
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    outcome = Outcome("completed", {"m": 1}, None, moment, moment, manifest["cost"])
    suffixes = iter(["aaaaaaaa", "aaaaaaaa", "bbbbbbbb"])
    original = record_module.secrets.token_hex
    record_module.secrets.token_hex = lambda n: next(suffixes)  # type: ignore[assignment]
    try:
        first = record(ctx, outcome)
        second = record(ctx, outcome)
    finally:
        record_module.secrets.token_hex = original  # type: ignore[assignment]
    assert first.path.name == "20260101T000000Z-aaaaaaaa.json"
    assert second.path.name == "20260101T000000Z-bbbbbbbb.json"
    assert json.loads(first.path.read_text())["run_id"] == "20260101T000000Z-aaaaaaaa"
