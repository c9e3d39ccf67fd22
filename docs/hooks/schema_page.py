"""The schema reference: every JSON Schema in schemas/, as tables of fields.

Nested objects are flattened into dotted paths (``code.commit``), array items
get ``[]`` (``artifacts[].sha256``), a map's values ``.*``; a ``$ref`` to one
of the schema's ``$defs`` is a link to that definition's own table. A field
that takes one of several object forms (``oneOf``) lists each form's fields,
marked with the form. The rules between fields (``if``/``then``, one of
several required keys) are said under the table; one this page has no words
for is given as the schema's own JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from markdown_text import cell, code, slug

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
Node = dict[str, Any]


def _ref_link(ref: str, anchor: str) -> str:
    if ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        return f"[{name}](#{anchor}-{slug(name)})"
    return code(ref)


def _options(node: Node) -> list[Node]:
    """The alternatives of a field that is one of several types or forms."""
    for key in ("oneOf", "anyOf"):
        options = node.get(key, [])
        if options and all("$ref" in o or "type" in o for o in options):
            return list(options)
    return []


def _type(node: Node, anchor: str) -> str:
    if "$ref" in node:
        return _ref_link(node["$ref"], anchor)
    if _options(node):
        return " or ".join(_type(o, anchor) for o in _options(node))
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array" and isinstance(node.get("items"), dict):
        return f"array of {_type(node['items'], anchor)}"
    if kind:
        return str(kind)
    return "enum" if "enum" in node else "const" if "const" in node else "any"


def _constraints(node: Node) -> str:
    found = []
    if "const" in node:
        found.append("always " + code(json.dumps(node["const"])))
    if "enum" in node:
        found.append("one of " + ", ".join(code(json.dumps(v)) for v in node["enum"]))
    if "pattern" in node:
        found.append("matches " + code(node["pattern"]))
    if "pattern" in node.get("not", {}):
        found.append("does not match " + code(node["not"]["pattern"]))
    found += [cell(text.format(node[key])) for key, text in _BOUNDS.items() if key in node]
    if node.get("uniqueItems"):
        found.append("unique items")
    if "pattern" in node.get("propertyNames", {}):
        found.append("keys match " + code(node["propertyNames"]["pattern"]))
    if node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False:
        found.append("no other keys")
    for option in _options(node):
        if "properties" not in option and _constraints(option):
            found.append(f"as {option.get('type', 'that')}: {_constraints(option)}")
    return "; ".join(found)


def _rows(path: str, node: Node, required: bool, anchor: str, form: str = "") -> Iterator[str]:
    """The table row of the field at ``path``, then those of its children."""
    if path:
        text = cell(str(node.get("description", node.get("title", ""))))
        text = f"({form}) {text}".strip() if form else text
        row = [code(path), _type(node, anchor), "yes" if required else "", text]
        yield "| " + " | ".join([*row, _constraints(node)]) + " |"
    if "$ref" in node:
        return
    must = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        if isinstance(child, dict):
            yield from _rows(f"{path}.{name}" if path else name, child, name in must, anchor)
    for pattern, child in node.get("patternProperties", {}).items():
        yield from _rows(f"{path}.<{pattern}>", child, False, anchor)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        yield from _rows(f"{path}.*" if path else "*", extra, False, anchor)
    items = node.get("items")
    if isinstance(items, dict) and ("properties" in items or "additionalProperties" in items):
        yield from _rows(f"{path}[]", items, False, anchor)
    forms = [o for o in _options(node) if "properties" in o]
    for number, option in enumerate(forms, 1):
        label = f"form {number} of {len(forms)}" if len(forms) > 1 else ""
        for name, child in option.get("properties", {}).items():
            child_path = f"{path}.{name}" if path else name
            required = name in option.get("required", [])
            yield from _rows(child_path, child, required, anchor, label)


def _names(keys: list[str]) -> str:
    return ", ".join(code(k) for k in keys)


def _when(test: Node) -> str | None:
    props = test.get("properties", {})
    if len(props) == 1 and set(test) == {"properties"}:
        ((key, value),) = props.items()
        if set(value) == {"const"}:
            return f"when {code(key)} is {code(json.dumps(value['const']))}"
    if set(test) == {"required"}:
        return f"when {_names(test['required'])} is given"
    return None


def _then(clause: Node, anchor: str) -> str:
    if set(clause) == {"$ref"}:
        return "the fields of " + _ref_link(clause["$ref"], anchor) + " apply"
    said = []
    if clause.get("required"):
        said.append(f"{_names(clause['required'])} required")
    for key, value in clause.get("properties", {}).items():
        if value is False:
            said.append(f"{code(key)} absent")
        elif set(value) == {"type"}:
            said.append(f"{code(key)} is {value['type']}")
        else:
            said.append(f"{code(key)} {code(json.dumps(value))}")
    if set(clause) - {"required", "properties"} or not said:
        return code(json.dumps(clause))
    return ", ".join(said)


def _rule(found: Node, anchor: str) -> list[str] | None:
    """Bullet points that say the rules in ``found``; None if one has no words."""
    said: list[str] = []
    for item in found.get("allOf", []):
        inner = _rule(item, anchor)
        if inner is None:
            return None
        said += inner
    if "if" in found:
        when = _when(found["if"])
        if when is None:
            return None
        said.append(f"- {when}: {_then(found.get('then', {}), anchor)}")
        if "else" in found:
            said.append(f"- otherwise: {_then(found['else'], anchor)}")
    for key, words in (("oneOf", "exactly one of"), ("anyOf", "at least one of")):
        options = found.get(key, [])
        if not options:
            continue
        if not all(set(o) == {"required"} and len(o["required"]) == 1 for o in options):
            return None
        said.append(f"- {words} {_names([o['required'][0] for o in options])}")
    return None if "not" in found else said


def _conditions(path: str, node: Node) -> Iterator[tuple[str, Node]]:
    """(path, the rules) of every node under ``node`` that has rules."""
    found: Node = {k: node[k] for k in ("if", "then", "else", "allOf") if k in node}
    for key in ("oneOf", "anyOf"):
        if key in node and not _options(node):
            found[key] = node[key]
    if "not" in node and "pattern" not in node["not"]:
        found["not"] = node["not"]
    if found:
        yield path or "(top level)", found
    for name, child in node.get("properties", {}).items():
        if isinstance(child, dict):
            yield from _conditions(f"{path}.{name}" if path else name, child)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _conditions(f"{path}.*" if path else "*", extra)
    if isinstance(node.get("items"), dict):
        yield from _conditions(f"{path}[]", node["items"])


def _table(node: Node, anchor: str) -> Iterator[str]:
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
        said = _rule(found, anchor)
        yield f"Rules on {code(where)}:"
        yield ""
        if said:
            yield from said
        else:
            yield "```json"
            yield json.dumps(found, indent=2)
            yield "```"
        yield ""


def render(name: str, schema: Node) -> str:
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
