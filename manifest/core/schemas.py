"""Loading the packaged JSON Schemas and building validators.

An installed wheel carries the schemas as ``manifest/_schemas``; a source
checkout reads them from the repository's ``schemas/`` folder. Validation uses
the compiled ``jsonschema_rs`` validator (tens of times faster than
``jsonschema`` on manifests) and reports every error with its JSON pointer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ManifestError
from .tree import json_pointer

MANIFEST_SCHEMA = "manifest.schema.json"
SCHEMA_VERSION = "1.0"


def schemas_dir() -> Path:
    """The folder holding the JSON Schemas, installed or in a checkout."""
    package = Path(__file__).resolve().parent.parent  # the manifest package
    for candidate in (package / "_schemas", package.parent / "schemas"):
        if (candidate / MANIFEST_SCHEMA).is_file():
            return candidate
    raise ManifestError(
        f"the JSON Schemas are missing (looked in {package / '_schemas'} and "
        f"{package.parent / 'schemas'})",
        hint="reinstall hydra-manifest",
    )


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``name`` (e.g. ``manifest.schema.json``)."""
    with open(schemas_dir() / name, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@dataclass(frozen=True)
class SchemaIssue:
    """One way in which a document breaks its schema."""

    pointer: str
    message: str
    rule: str

    def describe(self) -> str:
        return f"{self.pointer or '/'}: {self.message} (rule {self.rule})"


class Validator:
    """A compiled validator for one schema; ``formats`` asserts ``format``
    keywords (a ``date-time`` must be a real date and time, as RFC 3339 says)."""

    def __init__(self, schema: dict[str, Any], *, formats: bool = False) -> None:
        import jsonschema_rs

        self._validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=formats)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def issues(self, instance: Any) -> list[SchemaIssue]:
        """Every schema error, sorted by pointer; empty when valid."""
        if self._validator.is_valid(instance):
            return []
        found = [
            SchemaIssue(
                pointer=json_pointer(error.instance_path),
                message=_shorten(error.message),
                rule=json_pointer(error.schema_path),
            )
            for error in self._validator.iter_errors(instance)
        ]
        return sorted(found, key=lambda i: (i.pointer, i.rule))


def _shorten(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


@functools.cache
def validator_for(name: str) -> Validator:
    """A cached compiled validator for the packaged schema ``name``."""
    return Validator(load_schema(name), formats=True)


def check(instance: Any, name: str, *, file: str | None = None) -> None:
    """Raise :class:`~manifest.errors.SchemaError` listing every schema error."""
    from ..errors import SchemaError

    issues = validator_for(name).issues(instance)
    if issues:
        first = issues[0]
        more = f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
        raise SchemaError(
            f"does not match {name}: {first.message}{more}",
            file=file,
            pointer=first.pointer or "/",
        )


def describe_all(issues: Sequence[SchemaIssue]) -> list[str]:
    return [i.describe() for i in issues]
