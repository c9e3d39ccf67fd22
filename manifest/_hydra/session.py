"""A Hydra session that leaves the process as it found it.

Composing or running with Hydra sets process-wide state: the global Hydra
instance, the version base, the logging setup (a job's ``job_logging``),
and (for the user's task modules to import) ``sys.path``.
:func:`hydra_session` sets what a call needs and restores all of it
afterwards, so ``manifest`` can be called from a notebook or a Hydra app
without changing it.
"""

from __future__ import annotations

import logging
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

    saved_logging = _logging_state()
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
        _restore_logging(saved_logging)


_LoggerState = tuple[int, list[logging.Handler], bool, bool]


def _logging_state() -> dict[str, _LoggerState]:
    """Level, handlers, propagation and disabled flag of every logger (a
    job's logging config replaces them: Hydra's ``job_logging``)."""
    loggers: dict[str, logging.Logger] = {"": logging.getLogger()}
    for name, item in logging.Logger.manager.loggerDict.items():
        if isinstance(item, logging.Logger):
            loggers[name] = item
    return {
        name: (lg.level, list(lg.handlers), lg.propagate, lg.disabled)
        for name, lg in loggers.items()
    }


def _restore_logging(saved: dict[str, _LoggerState]) -> None:
    """Put every logger back; close the handlers the session added (a job's
    log file), which nothing else holds."""
    kept = {id(h) for _, handlers, _, _ in saved.values() for h in handlers}
    for name, (level, handlers, propagate, disabled) in saved.items():
        lg = logging.getLogger(name or None)
        for handler in lg.handlers:
            if id(handler) not in kept:
                handler.close()
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.propagate, lg.disabled = propagate, disabled
