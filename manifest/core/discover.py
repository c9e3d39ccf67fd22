"""Which manifest files a list of paths names."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from .regular import not_regular


def discover(paths: Sequence[Path]) -> list[Path]:
    """Manifest files named by ``paths``: files as given, folders searched for
    ``*.json`` (hidden entries skipped). Raises :class:`InputError` for a path
    that does not exist or is neither a folder nor a regular file (a FIFO or
    a device would block or never end)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*.json"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise not_regular(path, path.stat().st_mode)
        else:
            raise InputError("no such file or folder", file=str(path))
    return list(dict.fromkeys(found))
