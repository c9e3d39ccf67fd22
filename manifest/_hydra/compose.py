"""Composing a config from a folder (or package) of configs, or from the
ConfigStore, with Hydra's public API."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .session import hydra_session
from .source import ConfigSource, describe, search_path_of


def one_paragraph(text: str) -> str:
    """A Hydra error message on one line."""
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())


_MAX_CONFIG_FILES = 10_000


def _folder(source: ConfigSource) -> Path | None:
    path = search_path_of(source)
    if path is None or not path.startswith("file://"):
        return None
    return Path(path[len("file://") :])


def undecodable(source: ConfigSource, exc: UnicodeDecodeError) -> ConfigError:
    """The error for a config file that is not UTF-8: Hydra's own names no
    file, so the config folder is searched for the first one that is not."""
    from ..core.reading import utf8_problem

    folder = _folder(source)
    found = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")) if folder else []
    for path in found[:_MAX_CONFIG_FILES]:
        try:
            problem = utf8_problem(path.read_bytes())
        except OSError:
            continue
        if problem is not None:
            return ConfigError(problem, file=str(path))
    return ConfigError(
        f"a config is not UTF-8: byte 0x{exc.object[exc.start]:02x} at offset {exc.start}",
        file=str(folder) if folder else search_path_of(source),
        hint="configs are read as UTF-8",
    )


def _initialize(source: ConfigSource, job_name: str) -> Any:
    """Hydra's initializer for ``source`` (an absolute folder, a package, or
    no primary folder at all)."""
    from hydra import initialize, initialize_config_dir, initialize_config_module

    from .session import VERSION_BASE

    path = search_path_of(source)
    if path is None:
        return initialize(config_path=None, job_name=job_name, version_base=VERSION_BASE)
    if path.startswith("pkg://"):
        module = path[len("pkg://") :].replace("/", ".")
        return initialize_config_module(module, job_name=job_name, version_base=VERSION_BASE)
    folder = path[len("file://") :] if path.startswith("file://") else path
    return initialize_config_dir(config_dir=folder, job_name=job_name, version_base=VERSION_BASE)


def compose(
    source: ConfigSource,
    config_name: str,
    overrides: Sequence[str],
    *,
    with_hydra: bool = False,
) -> Any:
    """The config ``config_name`` of ``source`` (a config folder, a Hydra
    search path, or None for the ConfigStore alone) with ``overrides`` (a
    ``DictConfig``, with the ``hydra`` node only when ``with_hydra``; its
    runtime values are not set); nothing is imported or run.

    Raises :class:`ConfigError` naming the config when Hydra cannot compose
    it.
    """
    from hydra import compose as hydra_compose
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    with hydra_session():
        try:
            with _initialize(source, config_name):
                return hydra_compose(config_name, list(overrides), return_hydra_config=with_hydra)
        except (HydraException, OmegaConfBaseException, YAMLError) as exc:
            raise ConfigError(
                "the repository's config does not compose with the recorded overrides: "
                + one_paragraph(str(exc)),
                file=describe(source, config_name),
            ) from None
        except UnicodeDecodeError as exc:
            raise undecodable(source, exc) from None
