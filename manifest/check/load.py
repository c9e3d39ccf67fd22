"""Load one manifest for Python code: found by path or run id, checked whole.

:func:`load` is the public ``manifest.load``: the manifest is parsed
strictly, checked against the schema and its digest recomputed before a
:class:`~manifest.core.manifest.Manifest` is handed out, so code that holds
one holds an intact record.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.manifest import Manifest
from ..core.results import FAIL
from ..errors import DigestError, ManifestFormatError, SchemaError
from .validate import check_manifest

_ERRORS = {"parse": ManifestFormatError, "schema": SchemaError, "digest": DigestError}


def load(
    path_or_run_id: str | os.PathLike[str], store: str | os.PathLike[str] = "manifests"
) -> Manifest:
    """The manifest at a path, or the run in ``store`` whose run id (or a
    unique prefix of it, or of its random suffix) is given.

    Raises :class:`~manifest.errors.InputError` when nothing matches (or the
    file cannot be read), :class:`~manifest.errors.UsageError` for an
    ambiguous prefix, and, for a manifest that is not intact,
    :class:`~manifest.errors.ManifestFormatError` (not strict JSON),
    :class:`~manifest.errors.SchemaError` or
    :class:`~manifest.errors.DigestError` (edited), naming the file and field.
    """
    from ..query.resolve import resolve

    path = resolve(os.fspath(path_or_run_id), Path(store))
    checks, document = check_manifest(path)
    failures = [c for c in checks if c.status == FAIL]
    if failures or document is None:
        first = failures[0]
        error = _ERRORS.get(first.check, ManifestFormatError)
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise error(
            first.message + more,
            file=str(path),
            pointer=first.pointer or None,
            expected=first.expected,
            found=first.found,
        )
    return Manifest(document, path)
