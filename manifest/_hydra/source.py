"""Where Hydra finds a primary config: a folder, a package, or nowhere.

A config source is a folder (``Path``: ``manifest run --config-dir``, an
app's ``config_path`` next to its file), a search-path string as Hydra
writes it (``file:///abs/conf``, ``pkg://mypkg.conf``), or None: an app whose
configs all come from the ConfigStore (``config_path=None``).
"""

from __future__ import annotations

from pathlib import Path

ConfigSource = Path | str | None


def search_path_of(source: ConfigSource) -> str | None:
    """``source`` as the entry Hydra adds to its search path (provider main)."""
    if isinstance(source, Path):
        return f"file://{source.resolve()}"
    return source


def describe(source: ConfigSource, config_name: str) -> str:
    """Where the primary config ``config_name`` is looked for, for messages."""
    path = search_path_of(source)
    if path is None:
        return f"{config_name} (Hydra's ConfigStore)"
    if path.startswith("file://"):
        return str(Path(path[len("file://") :]) / f"{config_name}.yaml")
    return f"{path}/{config_name}.yaml"
