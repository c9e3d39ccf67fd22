"""Contracts files: safe YAML -> schema -> cross-checks -> a ContractSet.

The YAML is read by :func:`manifest.core.safe_yaml.load_yaml` (a size limit, no
Python or other custom tags, no aliases: a "billion laughs" file is refused
before anything walks it) and checked against
``schemas/contracts.schema.json``. Then what a schema cannot say: ids are
unique, a ``schema`` contract refers to nothing remote, and a ``drift``
reference exists, is an intact manifest and holds the field compared. Every
error is one line naming the file and the JSON pointer of the culprit, and is
a usage error (exit 2): the contracts cannot be applied at all.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.canonical import digest_of, manifest_digest
from ..core.reading import parse_json, read_bytes
from ..core.schemas import SchemaIssue, load_schema, validator_for
from ..core.tree import get, is_number, json_pointer, show, split_pointer
from ..errors import ManifestError
from .kinds import schema

CONTRACTS_SCHEMA = "contracts.schema.json"
DEFAULT_CONTRACTS = Path("conf") / "contracts.yaml"
_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class ContractError(ManifestError, ValueError):
    """A contracts file that cannot be applied (exit 2)."""


@dataclass(frozen=True)
class Contract:
    """One declared contract; ``params`` are its kind's parameters as
    :func:`parse_contracts` normalized them; ``applies_to`` pairs a field
    path with the values (shell patterns for strings) that select a manifest."""

    id: str
    kind: str
    severity: str
    owner: str
    action: str
    params: Mapping[str, Any]
    applies_to: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class ContractSet:
    """The contracts of one file, in file order, and the digest of the file's content."""

    file: str
    digest: str
    contracts: tuple[Contract, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        keys = ("id", "kind", "severity", "owner", "action")
        return {
            "file": self.file,
            "digest": self.digest,
            "contracts": [{k: getattr(c, k) for k in keys} for c in self.contracts],
        }


def load_contracts(path: Path) -> ContractSet:
    """Read, check and prepare the contracts file ``path``.

    Raises :class:`ContractError`, :class:`~manifest.core.safe_yaml.YamlError` or
    :class:`~manifest.errors.InputError`, each naming the file and pointer.
    """
    from ..core.safe_yaml import load_yaml  # PyYAML loads only when there are contracts

    return parse_contracts(load_yaml(path), file=str(path), base=path.parent)


def parse_contracts(document: Any, *, file: str, base: Path) -> ContractSet:
    """A parsed contracts document as a :class:`ContractSet`; drift
    references are read relative to ``base``."""
    issues = validator_for(CONTRACTS_SCHEMA).issues(document)
    if issues:
        raise _schema_error(document, issues, file)
    contracts: list[Contract] = []
    first_at: dict[str, str] = {}
    references: dict[Path, dict[str, Any]] = {}
    for index, raw in enumerate(document["contracts"]):
        where = f"/contracts/{index}"
        if raw["id"] in first_at:
            raise ContractError(
                f"duplicate contract id {raw['id']!r} (first at {first_at[raw['id']]})",
                file=file,
                pointer=f"{where}/id",
                hint="ids name contracts in reports: make each unique",
            )
        first_at[raw["id"]] = where
        kind = raw["kind"]
        params = {k: v for k, v in raw.items() if k not in _common()}
        if kind == "freshness":
            params["max_age_s"] = parse_duration(raw["max_age"])
        elif kind == "lineage":
            params["require"] = tuple(raw["require"])
            stores = raw.get("store", [])
            stores = [stores] if isinstance(stores, str) else stores
            params["store"] = tuple(os.path.normpath(base / store) for store in stores)
        elif kind == "drift":
            params = _drift_params(raw, file=file, where=where, base=base, cache=references)
        elif kind == "schema":
            _check_fragment(raw["schema"], file=file, where=f"{where}/schema")
        contracts.append(
            Contract(
                id=raw["id"],
                kind=kind,
                severity=raw["severity"],
                owner=raw["owner"],
                action=raw["action"],
                params=params,
                applies_to=tuple(
                    (_field_path(key), tuple(v if isinstance(v, list) else [v]))
                    for key, v in (raw.get("applies_to") or {}).items()
                ),
                description=raw.get("description"),
            )
        )
    return ContractSet(file, digest_of(document), tuple(contracts))


def _common() -> set[str]:
    """Keys every contract may have, whatever its kind."""
    return set(load_schema(CONTRACTS_SCHEMA)["$defs"]["contract"]["properties"])


def parse_duration(text: str) -> float:
    """Seconds in a duration such as ``36h``, ``30d`` or ``1d12h``."""
    return sum(float(n) * _UNITS[u] for n, u in re.findall(r"([0-9.]+)([smhdw])", text))


def _field_path(key: str) -> tuple[str, ...]:
    return split_pointer(key) if key.startswith("/") else (key,)


def _schema_error(document: Any, issues: list[SchemaIssue], file: str) -> ContractError:
    """The most telling of the schema issues as one error. An unknown kind
    also makes its keys 'unevaluated', so those count only when alone."""
    specific = [i for i in issues if not i.rule.endswith("unevaluatedProperties")]
    if not specific:
        unknown = _unknown_key(document, issues[0].pointer, file)
        if unknown is not None:
            return unknown
        specific = issues
    first = specific[0]
    more = f" (+{len(specific) - 1} more)" if len(specific) > 1 else ""
    schema = load_schema(CONTRACTS_SCHEMA)
    rule = split_pointer(first.rule)
    node = get(schema, rule[:-1])
    message, hint = first.message, None
    value = get(document, split_pointer(first.pointer))
    if rule[-1] == "oneOf":
        keys = [k for option in node["oneOf"] for k in option["required"]]
        message = "give exactly one of " + ", ".join(keys)
    elif rule[-1] == "enum":  # every choice, not the validator's first two
        choices = [str(c) for c in node["enum"]]
        message = f"{show(value)} is not one of: {', '.join(choices)}"
        close = [str(value)[::-1]] if str(value)[::-1] in choices else []  # => for >=
        close = close or difflib.get_close_matches(str(value), choices, n=1)
        hint = f"did you mean {close[0]!r}?" if close else None
    elif rule[-1] == "pattern":
        message = f"{show(value)} is not in the expected form"
    if hint is None and isinstance(node, dict) and "description" in node:
        hint = node["description"]
    return ContractError(message + more, file=file, pointer=first.pointer or "/", hint=hint)


def _unknown_key(document: Any, pointer: str, file: str) -> ContractError | None:
    """The first key of the contract at ``pointer`` that its kind does not
    know, with the closest known key as a hint; None if there is none."""
    contract = get(document, split_pointer(pointer))
    kind = load_schema(CONTRACTS_SCHEMA)["$defs"].get(contract.get("kind"), {})
    allowed = _common() | set(kind.get("properties", ()))
    unknown = sorted(set(contract) - allowed)
    if not kind or not unknown:
        return None
    close = difflib.get_close_matches(unknown[0], sorted(allowed), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(sorted(allowed))
    return ContractError(
        f"unknown key {unknown[0]!r} in a {contract['kind']} contract",
        file=file,
        pointer=json_pointer([*split_pointer(pointer), unknown[0]]),
        hint=hint,
    )


def _check_fragment(fragment: Any, *, file: str, where: str) -> None:
    """Refuse remote references and compile the fragment once."""
    stack: list[tuple[Any, list[str | int]]] = [(fragment, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                remote = key in _REF_KEYS and isinstance(value, str) and not value.startswith("#")
                if remote or (key == "$schema" and value != _DRAFT):
                    what = "a remote $schema" if key == "$schema" else f"a remote {key}"
                    raise ContractError(
                        f"{what} is not allowed: {value!r}",
                        file=file,
                        pointer=where + json_pointer([*path, key]),
                        hint="contracts are checked offline: inline the schema and "
                        "refer to it with '#/$defs/...'",
                    )
                stack.append((value, [*path, key]))
        elif isinstance(node, list):
            stack.extend((value, [*path, i]) for i, value in enumerate(node))
    try:
        schema(fragment)
    except Exception as exc:  # jsonschema_rs reports a bad schema as ValidationError
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ContractError(f"not a valid JSON Schema: {first}", file=file, pointer=where) from None


def _drift_params(
    raw: dict[str, Any], *, file: str, where: str, base: Path, cache: dict[Path, dict[str, Any]]
) -> dict[str, Any]:
    path = base / raw["reference"]
    pointer = raw.get("pointer") or json_pointer(["metrics", raw.get("metric", "")])
    if path not in cache:
        cache[path] = _read_reference(path, file=file, where=f"{where}/reference")
    value = get(cache[path], split_pointer(pointer))
    if not is_number(value):
        raise ContractError(
            f"the reference manifest {path} has no number at {pointer}",
            file=file,
            pointer=f"{where}/{'pointer' if 'pointer' in raw else 'metric'}",
            expected="a number",
            found=show(value),
        )
    return {
        "pointer": pointer,
        "reference": cache[path],
        "reference_file": str(path),
        "atol": float(raw.get("atol", 0.0)),
        "rtol": float(raw.get("rtol", 0.0)),
    }


def _read_reference(path: Path, *, file: str, where: str) -> dict[str, Any]:
    if not path.is_file():
        raise ContractError(
            f"the reference manifest {path} does not exist",
            file=file,
            pointer=where,
            hint="reference paths are relative to the contracts file",
        )
    try:
        document = parse_json(read_bytes(path), file=str(path))
    except ManifestError as exc:
        raise ContractError(
            f"the reference manifest cannot be read: {exc.describe()}", file=file, pointer=where
        ) from None
    if not isinstance(document, dict) or document.get("digest") != _digest(document):
        raise ContractError(
            f"the reference manifest {path} is not an intact manifest: its digest does not "
            "match its content",
            file=file,
            pointer=where,
            hint="use a manifest as written by manifest run",
        )
    return document


def _digest(document: dict[str, Any]) -> str | None:
    try:
        return manifest_digest(document)
    except ValueError:
        return None
