"""The names a query, a sort key or a column can use, and their SQL.

``params.KEY`` and ``metrics.NAME`` address one flattened leaf (``KEY`` as
``ls`` shows it, e.g. ``optimizer.lr``); the top-level fields are text;
``overrides`` matches when any one override does; ``folder`` and ``path``
are where the manifest file is, as listed.
"""

from __future__ import annotations

from dataclasses import dataclass

JSON_COLUMNS = ("params", "metrics")
TOP_LEVEL = {
    "run_id": "run_id",
    "run": "run_id",
    "status": "status",
    "owner": "owner",
    "task": "task",
    "created": "created",
    "finished": "finished",
    "config": "config_name",
    "config_name": "config_name",
    "digest": "digest",
    "error": "error",
    "folder": "folder",
    "path": "path",
    "overrides": "overrides",
}


@dataclass(frozen=True)
class Field:
    """``column`` is ``params``, ``metrics`` or a top-level column; ``key`` the
    flattened key inside ``params`` or ``metrics`` (else empty)."""

    column: str
    key: str = ""

    @property
    def name(self) -> str:
        return f"{self.column}.{self.key}" if self.key else self.column

    @property
    def is_json(self) -> bool:
        return self.column in JSON_COLUMNS

    def json_path(self) -> str:
        return f'$."{self.key}"'

    def sql(self) -> tuple[str, list[str]]:
        """The SQL giving this field's value, and its parameters."""
        if self.is_json:
            return f"json_extract({self.column}, ?)", [self.json_path()]
        return self.column, []


def parse_field(text: str) -> Field | None:
    """The field named ``text``, or None when there is no such field."""
    head, dot, key = text.partition(".")
    if head in JSON_COLUMNS:
        return Field(head, key) if dot and key and '"' not in key else None
    column = TOP_LEVEL.get(text)
    return Field(column) if column else None
