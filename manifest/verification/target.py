"""What a re-run runs: a config of the repository and the task it declares,
or an app the repository names with the app's own configs.

A manifest recorded by ``manifest run`` names a config of the repository's
config folder whose ``manifest.task`` is the recorded task. A manifest
recorded by the callback names an app's entry point: it is re-run when the
repository names that app (:mod:`.apps`), with the configs the app itself
composes (its ``config_path``, and the ConfigStore entries its module
registers). Either way the recorded overrides are recomposed by Hydra alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._hydra.source import describe
from ..core.results import FAIL, PASS, Check
from ..errors import ConfigError, ManifestError, TaskError
from .apps import UnnamedApp, admit_app
from .recompose import Recomposed, recompose


def _from_config(
    config_dir: Path, name: str, kept: Sequence[str], params: Mapping[str, Any], task: str
) -> tuple[Recomposed | None, str]:
    """The config folder's config when it declares ``task``; else why not."""
    if not (config_dir / f"{name}.yaml").is_file():
        return None, f"the repository has no config {name}.yaml in {config_dir}"
    try:
        composed = recompose(config_dir, name, kept, recorded_params=params)
    except ManifestError as exc:
        return None, exc.describe()
    if composed.task == task:
        return composed, ""
    named = "no task (manifest.task)" if composed.task is None else f"task {composed.task}"
    return composed, f"{config_dir / name}.yaml names {named}"


def choose(
    manifest: Mapping[str, Any],
    subject: str,
    kept: Sequence[str],
    *,
    config_dir: Path,
    project_dir: Path,
) -> tuple[Recomposed | None, Check]:
    """The recomposition a re-run of ``manifest`` uses, and the ``trust.task``
    (or ``trust.config``) check that says why; None when refused."""
    name, task = str(manifest.get("config_name")), str(manifest.get("task"))
    params = manifest.get("params") or {}
    composed, why_not = _from_config(config_dir, name, kept, params, task)
    if composed is not None and not why_not:
        return composed, Check(
            subject,
            "trust.task",
            PASS,
            f"task {task} is the repository's (manifest.task of {config_dir / name}.yaml)",
            "/task",
        )
    try:
        app, how = admit_app(task, project_dir)
    except (TaskError, ConfigError) as exc:
        tail = "; it was not imported" if isinstance(exc, (UnnamedApp, ConfigError)) else ""
        message = f"refused: {why_not}, and {exc.describe()}{tail}"
        if composed is None and "has no config" in why_not:
            return None, Check(subject, "trust.config", FAIL, message, "/config_name", found=name)
        expected = composed.task if composed is not None and composed.task else "an app it names"
        return None, Check(subject, "trust.task", FAIL, message, "/task", expected, task)
    try:
        composed = recompose(app.source, name, kept, recorded_params=params, app=app)
    except ManifestError as exc:
        return None, Check(
            subject,
            "trust.config",
            FAIL,
            f"refused: the app's config {describe(app.source, name)} does not compose: "
            + exc.describe(),
            "/config_name",
            found=name,
        )
    return composed, Check(
        subject,
        "trust.task",
        PASS,
        f"task {task} is an app the repository names ({how}); its configs: "
        f"{describe(app.source, name)}",
        "/task",
    )
