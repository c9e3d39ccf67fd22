"""Adds hydra-manifest's configs to the config search path of every Hydra app.

Hydra imports every module under ``hydra_plugins`` when it starts, so this
module is imported by any app in an environment where hydra-manifest is
installed: it imports nothing but Hydra's plugin base class, and loads the
toolkit only when Hydra asks for a search path.

It provides, with no import or register call in the app:

- ``hydra/callbacks=manifest``: records a manifest for every job (the
  ``ManifestCallback``) and adds the ``manifest:`` node with its defaults, so
  ``manifest.store=...`` and every other ``manifest.*`` key can be set on any
  app, also one whose primary config is a structured config;
- ``manifest_schema``: the typed ``manifest:`` node, for a config's defaults.
"""

from __future__ import annotations

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin

PROVIDER = "hydra-manifest"
CONFIGS = "pkg://hydra_plugins.hydra_manifest.conf"


class ManifestSearchPathPlugin(SearchPathPlugin):
    """Registers ``manifest_schema`` and appends this package's configs."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        from manifest.record.settings import register_schema

        register_schema()
        search_path.append(provider=PROVIDER, path=CONFIGS)
