"""The exit codes as the code defines them: the codes in manifest.errors,
every error class with the code it exits with, and verify's verdicts."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

from markdown_text import cell, code


def _error_classes() -> list[type[Any]]:
    """Every ``ManifestError`` subclass in the package (its modules imported)."""
    import manifest
    from manifest.errors import ManifestError

    for module in pkgutil.walk_packages(manifest.__path__, "manifest."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)

    def below(cls: type[Any]) -> Iterator[type[Any]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    found: dict[type[Any], None] = dict.fromkeys([ManifestError, *below(ManifestError)])
    return sorted(found, key=lambda c: (c.exit_code, c.__module__, c.__qualname__))


def _summary(cls: type[Any]) -> str:
    return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())


def errors() -> str:
    """The codes in manifest.errors and the error classes exiting with each."""
    from manifest import errors as module

    constants = {v: k for k, v in vars(module).items() if k.startswith("EXIT_")}
    lines = ["| code | constant |", "|---|---|"]
    for value in sorted(constants):
        lines.append(f"| {value} | {code('manifest.errors.' + constants[value])} |")
    lines += ["", "| error | exit code | raised for |", "|---|---|---|"]
    for cls in _error_classes():
        name = code(f"{cls.__module__}.{cls.__qualname__}")
        lines.append(f"| {name} | {cls.exit_code} | {cell(_summary(cls))} |")
    return "\n".join(lines)


def verdicts() -> str:
    """verify's verdicts, worst first, and the exit code of each."""
    from manifest.verification.options import EXIT_CODES, VERDICTS

    lines = ["| verdict | exit code |", "|---|---|"]
    lines += [f"| {code(v)} | {EXIT_CODES[v]} |" for v in VERDICTS]
    return "\n".join(lines)
