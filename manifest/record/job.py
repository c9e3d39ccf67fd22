"""What Hydra knows about a job, as plain data for :mod:`manifest.record.build`.

It resolves the job's config once, redacts values read from environment
variables, and reads the ``manifest:`` settings and the Hydra runtime facts
a manifest records; nothing after it sees an OmegaConf object.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePath
from typing import Any

from ..core.tree import MISSING, get, leaves
from ..errors import ConfigError
from .resolving import resolve_by_key
from .secrets import (
    DEFAULT_REDACT,
    REDACTED,
    Origins,
    expressions,
    redact_names,
    redact_overrides,
    trace,
)
from .settings import Settings, parse_settings

EXCLUDED_NODES = ("hydra", "manifest")


@dataclass(frozen=True)
class JobContext:
    """Everything a manifest needs from the job's config and Hydra runtime."""

    task: str
    task_source: Path | None
    config_name: str | None
    overrides: tuple[str, ...]
    params: dict[str, Any]
    settings: Settings
    project_dir: Path
    run_dir: Path
    hydra: dict[str, Any]
    input_values: tuple[tuple[str, Any], ...]
    dirt_exclusions: tuple[Path, ...]
    code: Any = None  # a CodeState, taken when the job starts (record.job_start.at_start)
    input_expressions: dict[str, Any] = field(default_factory=dict)  # from the environment

    @property
    def store(self) -> Path:
        return (self.project_dir / self.settings.store).resolve()


def json_safe(value: Any) -> Any:
    """Config values as JSON: enums by name, paths as strings, non-finite as text."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def task_overrides(hydra: Any, redact: Sequence[str] = DEFAULT_REDACT) -> tuple[str, ...]:
    """The job's task overrides as given (``hydra.overrides.task`` read
    without resolving: resolving ``+key=${oc.env:API_KEY}`` would store the
    key), the values of keys named like secrets redacted."""
    from omegaconf import OmegaConf

    given = OmegaConf.to_container(hydra.overrides.task, resolve=False)
    return redact_overrides([str(o) for o in given or []], redact)


def find_seeds(params: dict[str, Any]) -> dict[str, int | None]:
    """Keys named ``seed`` or ending in ``_seed`` with an integer or null value."""
    seeds: dict[str, int | None] = {}
    for path, value in leaves(params):
        if not path:
            continue
        name = path[-1].lower()
        if (name == "seed" or name.endswith("_seed")) and (
            value is None or (isinstance(value, int) and not isinstance(value, bool))
        ):
            seeds[".".join(path)] = value
    return dict(sorted(seeds.items()))


def _resolve(cfg: Any) -> dict[str, Any]:
    """The resolved config without its ``hydra`` node; a key that cannot be
    resolved is a :class:`ConfigError` naming it."""
    from omegaconf.errors import OmegaConfBaseException

    def refuse(key: str, exc: Exception) -> Any:
        if not isinstance(exc, OmegaConfBaseException):
            raise exc
        raise ConfigError(
            f"cannot resolve the config: {exc}".splitlines()[0],
            pointer=getattr(exc, "full_key", None) or key,
        ) from None

    return resolve_by_key(cfg, refuse)


def _under(path: Path, root: Path) -> Path | None:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return None


def job_context(
    cfg: Any,
    hydra_cfg: Any,
    *,
    task: str,
    task_source: Path | None,
    defaults: Mapping[str, Any] | None = None,
) -> JobContext:
    """Read a job's config (``cfg``, with or without its ``hydra`` node) and
    Hydra's runtime config (``hydra_cfg``, the ``hydra`` node) into plain data.

    ``defaults`` fill settings the ``manifest:`` node does not set.
    Raises :class:`ConfigError` for unresolvable values or bad settings.
    """
    hydra = hydra_cfg.hydra if "hydra" in hydra_cfg else hydra_cfg
    project_dir = Path(str(hydra.runtime.cwd))
    run_dir = Path(str(hydra.runtime.output_dir))
    multirun = hydra.mode is not None and hydra.mode.name == "MULTIRUN"
    return context_of(
        cfg,
        task=task,
        task_source=task_source,
        config_name=hydra.job.config_name,
        overrides=task_overrides(hydra, ()),
        project_dir=project_dir,
        run_dir=run_dir,
        runtime=_runtime(hydra, project_dir, run_dir),
        sweep_dir=project_dir / str(hydra.sweep.dir) if multirun else None,
        defaults=defaults,
    )


def context_of(
    cfg: Any,
    *,
    task: str,
    task_source: Path | None,
    config_name: str | None,
    overrides: tuple[str, ...],
    project_dir: Path,
    run_dir: Path,
    runtime: dict[str, Any],
    sweep_dir: Path | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> JobContext:
    """A job's context from its config (a ``DictConfig``) and the facts of
    where it ran; for runs that Hydra did not start (``start_run``), and by
    :func:`job_context` for those it did."""

    resolved = _resolve(cfg)
    node = json_safe(resolved.pop("manifest", None))
    if node is None:
        node = {}
    if isinstance(node, dict):  # a value the node leaves unset (null) takes the default
        node = {**(defaults or {}), **{k: v for k, v in node.items() if v is not None}}
    settings = parse_settings(node)
    origins = trace(cfg, excluded=EXCLUDED_NODES)
    params = json_safe(resolved)
    redact_names(params, settings.redact)
    expressions(params, origins)  # an expression holds no secret: it says where from
    return JobContext(
        task=task,
        task_source=task_source,
        config_name=config_name,
        overrides=redact_overrides(overrides, settings.redact),
        params=params,
        settings=settings,
        project_dir=project_dir,
        run_dir=run_dir,
        hydra=runtime,
        input_values=_input_values(cfg, settings),
        dirt_exclusions=_exclusions(project_dir, run_dir, sweep_dir, settings),
        input_expressions=_input_expressions(settings, origins),
    )


def _input_expressions(settings: Settings, origins: Origins) -> dict[str, Any]:
    """The expression to record, instead of the path, for each input whose
    path came from the environment."""
    shown = {}
    for key in settings.inputs:
        path = tuple(key.split("."))
        for anchor in origins.env:
            if path[: len(anchor)] == anchor or anchor[: len(path)] == path:
                expression = get(origins.raw, path if len(path) <= len(anchor) else anchor)
                shown[key] = expression if expression is not MISSING else REDACTED
                break
    return shown


def _runtime(hydra: Any, project_dir: Path, run_dir: Path) -> dict[str, Any]:
    """The ``hydra`` section of a manifest: version, mode, job, run folder."""
    from hydra import __version__ as hydra_version
    from omegaconf import OmegaConf

    mode = hydra.mode.name if hydra.mode is not None else "RUN"
    job_num = OmegaConf.select(hydra, "job.num", default=None) if mode == "MULTIRUN" else None
    rel_run = _under(run_dir, project_dir)
    return {
        "version": hydra_version,
        "mode": mode,
        "job_name": str(hydra.job.name),
        "job_num": int(job_num) if job_num is not None else None,
        "run_dir": rel_run.as_posix() if rel_run is not None else str(run_dir),
        "chdir": bool(hydra.job.chdir) if hydra.job.chdir is not None else False,
    }


def _exclusions(
    project_dir: Path, run_dir: Path, sweep_dir: Path | None, settings: Settings
) -> tuple[Path, ...]:
    """Folders whose changes are not dirt: the store, the registry, and the
    top folder of the run (and sweep) directory inside the project (more in
    :mod:`.capture.tree`)."""
    exclusions = [project_dir / settings.store, project_dir / "registry"]
    for root in (run_dir, sweep_dir):
        rel = _under(root, project_dir) if root is not None else None
        if rel is not None and rel.parts:
            exclusions.append(project_dir / rel.parts[0])
    return tuple(exclusions)


def _input_values(cfg: Any, settings: Settings) -> tuple[tuple[str, Any], ...]:
    """(key, value) of each config key that ``manifest.inputs`` names."""
    from omegaconf import OmegaConf

    inputs: list[tuple[str, Any]] = []
    for key in settings.inputs:
        value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
        if value is None:
            raise ConfigError(
                "an input key names no value in the config",
                pointer=f"manifest.inputs: {key}",
                expected="a config key holding a path",
                found="nothing",
            )
        inputs.append(
            (key, json_safe(OmegaConf.to_container(value) if OmegaConf.is_config(value) else value))
        )
    return tuple(inputs)
