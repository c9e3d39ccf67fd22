"""A Hydra session that leaves the process as it found it.

Composing or running with Hydra sets process-wide state: the global Hydra
instance, the version base, and (for the user's task modules to import)
``sys.path``. :func:`hydra_session` sets what a call needs and restores all
of it afterwards, so ``manifest`` can be called from a notebook or a Hydra
app without changing it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from . import internal

VERSION_BASE = "1.3"


@contextmanager
def hydra_session(*, import_from_cwd: bool = False) -> Iterator[None]:
    """Within the block: version base 1.3, the ``manifest_schema`` config
    registered, and (``import_from_cwd``) the current folder importable, as
    with ``python -m``; all restored on exit."""
    from hydra import version

    from ..record.settings import register_schema

    saved_path = list(sys.path)
    saved_base = version.VersionBase.instance().version_base
    saved_hydra = internal.saved_global_hydra()
    internal.restore_global_hydra(None)  # start from no global Hydra
    version.setbase(VERSION_BASE)
    register_schema()
    if import_from_cwd and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        yield
    finally:
        internal.restore_global_hydra(saved_hydra)
        version.VersionBase.instance().version_base = saved_base
        sys.path[:] = saved_path
