"""Stage packages that are also the public API's functions.

``manifest.compare``, ``manifest.gate`` and ``manifest.verify`` name both a
stage package (``manifest/compare/``...) and a function of the public API.
Python binds a package to its parent's attribute when it is imported, so a
plain function of that name would be replaced the moment anything imports
the stage. Instead the package itself is made callable: calling it calls the
function in :mod:`manifest.api`, and ``manifest.compare.groups`` still works.
"""

from __future__ import annotations

import inspect
import sys
import types
from importlib import import_module
from typing import Any


class CallableModule(types.ModuleType):
    """A package that, called, calls ``manifest.api.<its name>``."""

    def _function(self) -> Any:
        return getattr(import_module("manifest.api"), self.__name__.rsplit(".", 1)[-1])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function()(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self._function())


def make_callable(name: str) -> None:
    """Make the (imported) package ``name`` callable as its API function."""
    sys.modules[name].__class__ = CallableModule
