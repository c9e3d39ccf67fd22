"""Where the index of a folder of manifests lives: the user's cache, never the project."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

INDEX_DIR_VARIABLE = "HYDRA_MANIFEST_INDEX_DIR"


def index_dir() -> Path:
    """``$HYDRA_MANIFEST_INDEX_DIR``, else ``$XDG_CACHE_HOME/hydra-manifest/index``
    (``~/.cache`` when unset)."""
    chosen = os.environ.get(INDEX_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hydra-manifest" / "index"


def index_path(root: Path) -> Path:
    """The index file of the folder ``root``: one per resolved folder path."""
    key = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:24]
    return index_dir() / f"{key}.sqlite"
