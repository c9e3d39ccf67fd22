"""Running jobs with Hydra: ``manifest run`` and the re-runs of ``verify``.

Composition, the run directory, sweeps, callbacks and launcher plugins are
Hydra's own; a job's task function is whatever the caller passes (it runs in
a worker process under the joblib launcher, so it must pickle). Each call
runs in a :func:`~.session.hydra_session`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ConfigError, OutputError
from . import internal
from .compose import one_paragraph, undecodable
from .session import hydra_session
from .source import ConfigSource, describe, search_path_of

TaskFunction = Callable[[Any], Any]


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [item for part in value for item in _flatten(part)]
    return [value]


def _values(returned: Any) -> list[Any]:
    """The task functions' return values of Hydra's job returns."""
    from hydra.core.utils import JobReturn

    return [internal.job_value(j) for j in _flatten(returned) if isinstance(j, JobReturn)]


def default_job_name(config_name: str) -> str:
    """Hydra's job name for a config: its name without the folder part (a
    job name is a file name: Hydra names the job's log file after it)."""
    return config_name.rsplit("/", 1)[-1]


def run_jobs(
    source: ConfigSource,
    config_name: str,
    overrides: Sequence[str],
    task: TaskFunction,
    *,
    multirun: bool,
    job_name: str | None = None,
) -> list[Any]:
    """Compose ``config_name`` of ``source`` (a config folder, a Hydra search
    path, or None) with ``overrides`` and run ``task`` as Hydra's job (a sweep
    of jobs when ``multirun``); what each job returned.

    Raises :class:`ConfigError` when Hydra cannot compose or launch.
    """
    from hydra.errors import HydraException, OverrideParseException
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    with hydra_session(import_from_cwd=True):
        hydra = internal.main_hydra(
            search_path_of(source), job_name or default_job_name(config_name)
        )
        try:
            if multirun:
                return _values(hydra.multirun(config_name, task, list(overrides)))
            return _values(hydra.run(config_name, task, list(overrides)))
        except OverrideParseException as exc:
            raise ConfigError(
                f"bad override {exc.override!r}: {one_paragraph(str(exc))}",
                hint="overrides use Hydra's grammar: key=value, +key=value, ~key, group=option",
            ) from None
        except (HydraException, OmegaConfBaseException, YAMLError) as exc:
            raise ConfigError(one_paragraph(str(exc)), file=describe(source, config_name)) from None
        except UnicodeDecodeError as exc:
            raise undecodable(source, exc) from None
        except OSError as exc:  # Hydra could not make the run folder or write .hydra/
            raise OutputError(
                f"cannot write the run folder: {exc.strerror or exc}",
                file=str(exc.filename) if exc.filename else None,
                hint="choose a writable folder with hydra.run.dir= (or hydra.sweep.dir=)",
            ) from None


def launch_jobs(
    source: ConfigSource,
    config_name: str,
    launch_overrides: Sequence[str],
    job_overrides: Sequence[Sequence[str]],
    task: TaskFunction,
    *,
    job_name: str | None = None,
) -> list[Any]:
    """Hand one job per entry of ``job_overrides`` to the launcher that
    ``launch_overrides`` (with the first job's overrides) configure, bypassing
    the sweeper; what each job returned, in order.

    Raises :class:`ConfigError` when the launch cannot start (a launcher
    plugin that is not installed, for example).
    """
    from hydra.core.plugins import Plugins
    from hydra.errors import HydraException
    from hydra.types import HydraContext, RunMode
    from omegaconf.errors import OmegaConfBaseException

    with hydra_session(import_from_cwd=True):
        hydra = internal.main_hydra(
            search_path_of(source), job_name or default_job_name(config_name)
        )
        try:
            cfg = hydra.compose_config(
                config_name,
                [*launch_overrides, *job_overrides[0]],
                run_mode=RunMode.MULTIRUN,
                from_shell=False,
            )
            context = HydraContext(
                config_loader=hydra.config_loader, callbacks=internal.callbacks(cfg)
            )
            launcher = Plugins.instance().instantiate_launcher(
                config=cfg, hydra_context=context, task_function=task
            )
            returned = launcher.launch([list(o) for o in job_overrides], initial_job_idx=0)
        except UnicodeDecodeError as exc:
            raise undecodable(source, exc) from None
        except (HydraException, OmegaConfBaseException, ImportError, RuntimeError) as exc:
            message = one_paragraph(str(exc))
            raise ConfigError(
                f"cannot launch the re-runs: {message}",
                file=describe(source, config_name),
                hint=launcher_hint(message, launch_overrides),
            ) from None
    from hydra.core.utils import JobReturn

    return [internal.job_value(r) if isinstance(r, JobReturn) else r for r in returned]


PLUGINS = {
    "joblib": "hydra-joblib-launcher",
    "submitit_local": "hydra-submitit-launcher",
    "submitit_slurm": "hydra-submitit-launcher",
    "ray": "hydra-ray-launcher",
    "ray_aws": "hydra-ray-launcher",
    "rq": "hydra-rq-launcher",
}


def launcher_hint(message: str, launch_overrides: Sequence[str]) -> str | None:
    """A hint naming the plugin to install, when the launcher is what failed."""
    chosen = [o.split("=", 1)[1] for o in launch_overrides if o.startswith("hydra/launcher=")]
    if not chosen or "hydra/launcher" not in message:
        return None
    package = PLUGINS.get(chosen[-1])
    install = f"pip install {package}" if package else "install its plugin"
    return f"is the {chosen[-1]} launcher installed ({install})?"
