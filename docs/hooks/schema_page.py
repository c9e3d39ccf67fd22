"""The schema reference: every JSON Schema in schemas/, as tables of fields.

Nested objects are flattened into dotted paths (``code.commit``), array items
get ``[]`` (``artifacts[].sha256``), a map's values ``.*``; a ``$ref`` to one
of the schema's ``$defs`` is a link to that definition's own table. What a
table cannot say (``if``/``then``, ``oneOf`` of required sets, ``not``) is
given as the schema's own JSON under the table, never paraphrased.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from markdown_text import cell, code, slug

_CONDITIONS = ("if", "then", "else", "oneOf", "anyOf", "allOf", "not")
_BOUNDS = {
    "minimum": ">= {}",
    "exclusiveMinimum": "> {}",
    "maximum": "<= {}",
    "exclusiveMaximum": "< {}",
    "minLength": "length >= {}",
    "maxLength": "length <= {}",
    "minItems": "items >= {}",
    "maxItems": "items <= {}",
    "minProperties": "keys >= {}",
    "format": "format {}",
}


def _ref_link(ref: str, anchor: str) -> str:
    if ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        return f"[{name}](#{anchor}-{slug(name)})"
    return code(ref)


def _type(node: dict[str, Any], anchor: str) -> str:
    if "$ref" in node:
        return _ref_link(node["$ref"], anchor)
    for key in ("oneOf", "anyOf"):
        options = node.get(key, [])
        if options and all("$ref" in o or "type" in o for o in options):
            return " or ".join(_type(o, anchor) for o in options)
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array" and isinstance(node.get("items"), dict):
        return f"array of {_type(node['items'], anchor)}"
    if kind:
        return str(kind)
    if "enum" in node:
        return "enum"
    if "const" in node:
        return "const"
    return "any"


def _constraints(node: dict[str, Any]) -> str:
    found = []
    if "const" in node:
        found.append("always " + code(json.dumps(node["const"])))
    if "enum" in node:
        found.append("one of " + ", ".join(code(json.dumps(v)) for v in node["enum"]))
    if "pattern" in node:
        found.append("matches " + code(node["pattern"]))
    for key, text in _BOUNDS.items():
        if key in node:
            found.append(cell(text.format(node[key])))
    if node.get("uniqueItems"):
        found.append("unique items")
    names = node.get("propertyNames", {})
    if "pattern" in names:
        found.append("keys match " + code(names["pattern"]))
    if node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False:
        found.append("no other keys")
    if any(key in node for key in _CONDITIONS):
        found.append("conditions below")
    return "; ".join(found)


def _rows(path: str, node: dict[str, Any], required: bool, anchor: str) -> Iterator[str]:
    """The table row of the field at ``path``, then those of its children."""
    if path:
        row = [
            code(path),
            _type(node, anchor),
            "yes" if required else "",
            cell(node.get("description", node.get("title", ""))),
            _constraints(node),
        ]
        yield "| " + " | ".join(row) + " |"
    if "$ref" in node:
        return
    must = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        yield from _rows(f"{path}.{name}" if path else name, child, name in must, anchor)
    for pattern, child in node.get("patternProperties", {}).items():
        yield from _rows(f"{path}.<{pattern}>", child, False, anchor)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        yield from _rows(f"{path}.*" if path else "*", extra, False, anchor)
    items = node.get("items")
    if isinstance(items, dict) and ("properties" in items or "additionalProperties" in items):
        yield from _rows(f"{path}[]", items, False, anchor)


def _conditions(path: str, node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, the condition keywords) of every node under ``node`` that has any."""
    found = {key: node[key] for key in _CONDITIONS if key in node}
    if found:
        yield path or "(top level)", found
    for name, child in node.get("properties", {}).items():
        yield from _conditions(f"{path}.{name}" if path else name, child)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _conditions(f"{path}.*" if path else "*", extra)
    if isinstance(node.get("items"), dict):
        yield from _conditions(f"{path}[]", node["items"])


def _table(node: dict[str, Any], anchor: str) -> Iterator[str]:
    rows = list(_rows("", node, False, anchor))
    if rows:
        yield "| field | type | required | description | constraints |"
        yield "|---|---|---|---|---|"
        yield from rows
        yield ""
    elif node.get("type") or "$ref" in node or "enum" in node:
        yield f"Type: {_type(node, anchor)}. {_constraints(node)}".strip()
        yield ""
    for where, found in _conditions("", node):
        yield f"Conditions on {code(where)}:"
        yield ""
        yield "```json"
        yield json.dumps(found, indent=2)
        yield "```"
        yield ""


def render(name: str, schema: dict[str, Any]) -> str:
    """The Markdown of the schema file ``name``: its fields and definitions."""
    anchor = slug(name)
    lines = [f"## `{name}` {{ #{anchor} }}", ""]
    if "title" in schema:
        lines += [f"**{cell(schema['title'])}**", ""]
    if "description" in schema:
        lines += [cell(schema["description"]), ""]
    ids = [f"{key}: {code(schema[key])}" for key in ("$schema", "$id") if key in schema]
    if ids:
        lines += [" · ".join(ids), ""]
    lines += list(_table(schema, anchor))
    for def_name, definition in schema.get("$defs", {}).items():
        lines += [f"### `{def_name}` {{ #{anchor}-{slug(def_name)} }}", ""]
        if "description" in definition:
            lines += [cell(definition["description"]), ""]
        lines += list(_table(definition, anchor))
    return "\n".join(lines)
