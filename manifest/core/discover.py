"""Which manifest files a list of paths names."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError


def discover(paths: Sequence[Path]) -> list[Path]:
    """Manifest files named by ``paths``: files as given, folders searched for
    ``*.json`` (hidden entries skipped). Raises :class:`InputError` for a path
    that does not exist."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*.json"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            found.append(path)
        else:
            raise InputError("no such file or folder", file=str(path))
    return list(dict.fromkeys(found))
