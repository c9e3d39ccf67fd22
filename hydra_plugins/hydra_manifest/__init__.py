"""Hydra's plugin for hydra-manifest: found by Hydra in every app of the
environment, so an app needs no import or register call to use the toolkit's
configs (``hydra/callbacks=manifest``, ``manifest_schema``)."""
