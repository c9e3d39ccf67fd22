"""Composing a config from a folder of configs, with Hydra's public API."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .session import hydra_session


def one_paragraph(text: str) -> str:
    """A Hydra error message on one line."""
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def compose(config_dir: Path, config_name: str, overrides: Sequence[str]) -> Any:
    """The config ``config_name`` of ``config_dir`` with ``overrides`` (a
    ``DictConfig`` without the ``hydra`` node); nothing is imported or run.

    Raises :class:`ConfigError` naming the config file when Hydra cannot
    compose it.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    from .session import VERSION_BASE

    with hydra_session():
        try:
            with initialize_config_dir(
                config_dir=str(config_dir.resolve()),
                job_name=config_name,
                version_base=VERSION_BASE,
            ):
                return hydra_compose(config_name, list(overrides))
        except (HydraException, OmegaConfBaseException, YAMLError) as exc:
            raise ConfigError(
                "the repository's config does not compose with the recorded overrides: "
                + one_paragraph(str(exc)),
                file=str(config_dir / f"{config_name}.yaml"),
            ) from None
