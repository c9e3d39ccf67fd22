"""Promotion policies: a YAML file of rules, checked against its JSON Schema.

A policy is loaded with :func:`manifest.core.safe_yaml.load_yaml` (no aliases, no
duplicate keys, plain data only) and validated against
``schemas/policy.schema.json``; an unknown key is an error naming its
pointer. :func:`load_policy` returns a frozen :class:`Policy`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.canonical import digest_of
from ..core.safe_yaml import load_yaml
from ..core.schemas import SchemaIssue, validator_for
from ..errors import ManifestError

POLICY_SCHEMA = "policy.schema.json"
CRITERIA = (
    "threshold",
    "min",
    "max",
    "min_change",
    "min_relative_change",
    "non_inferiority_margin",
    "equivalence",
)
MIN_RUNS = 5


class PolicyError(ManifestError, ValueError):
    """A policy file that cannot be used: bad YAML, schema or a contradiction."""


@dataclass(frozen=True)
class PolicyRule:
    """One rule of a policy: a metric, its direction and one or more criteria."""

    id: str
    metric: str
    direction: str | None
    severity: str
    criteria: tuple[tuple[str, float], ...]
    owner: str | None = None
    description: str | None = None
    point_estimate: bool = False  # min_change / min_relative_change on the means alone


@dataclass(frozen=True)
class Policy:
    """A validated policy; ``digest`` is over its parsed content."""

    path: str
    digest: str
    confidence: float
    require: tuple[str, ...]
    rules: tuple[PolicyRule, ...]
    min_runs: int = MIN_RUNS

    def directions(self) -> dict[str, str]:
        """The direction each metric is given by a rule."""
        return {r.metric: r.direction for r in self.rules if r.direction}

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "digest": self.digest,
            "confidence": self.confidence,
            "require": list(self.require),
            "min_runs": self.min_runs,
        }


def _schema_error(issues: list[SchemaIssue], file: str) -> PolicyError:
    first = issues[0]
    more = f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
    hint = None
    if "anyOf" in first.rule:
        hint = "a rule needs at least one of " + ", ".join(CRITERIA)
    elif "additionalProperties" in first.rule:
        hint = "known keys: see schemas/policy.schema.json"
    return PolicyError(
        f"does not match the policy schema: {first.message}{more}",
        file=file,
        pointer=first.pointer or "/",
        hint=hint,
    )


def _rules(raw_rules: list[dict[str, Any]], file: str) -> list[PolicyRule]:
    """The rules in file order; each id once, each metric one direction; a
    rule without a direction follows another rule on the same metric."""
    rules = []
    directions: dict[str, str] = {}
    ids: set[str] = set()
    for index, raw in enumerate(raw_rules):
        rule_id = raw.get("id", raw["metric"])
        if rule_id in ids:
            raise PolicyError(
                "two rules have the same id",
                file=file,
                pointer=f"/rules/{index}",
                found=repr(rule_id),
                hint="give one of them an id: key",
            )
        ids.add(rule_id)
        direction = raw.get("direction")
        if direction is not None and directions.setdefault(raw["metric"], direction) != direction:
            raise PolicyError(
                "two rules give the metric opposite directions",
                file=file,
                pointer=f"/rules/{index}/direction",
                expected=directions[raw["metric"]],
                found=direction,
            )
        rules.append(
            PolicyRule(
                id=rule_id,
                metric=raw["metric"],
                direction=direction,
                severity=raw.get("severity", "block"),
                criteria=tuple((k, float(raw[k])) for k in CRITERIA if k in raw),
                owner=raw.get("owner"),
                description=raw.get("description"),
                point_estimate=bool(raw.get("point_estimate", False)),
            )
        )
    return [
        r
        if r.direction or r.metric not in directions
        else replace(r, direction=directions[r.metric])
        for r in rules
    ]


def parse_policy(document: Any, *, file: str) -> Policy:
    """Validate a parsed policy document. Raises :class:`PolicyError`."""
    issues = validator_for(POLICY_SCHEMA).issues(document)
    if issues:
        raise _schema_error(issues, file)
    return Policy(
        path=file,
        digest=digest_of(document),
        confidence=float(document.get("confidence", 0.95)),
        require=tuple(document.get("require", ())),
        rules=tuple(_rules(document["rules"], file)),
        min_runs=int(document.get("min_runs", MIN_RUNS)),
    )


def load_policy(path: Path) -> Policy:
    """Read and validate the policy file ``path``.

    Raises :class:`PolicyError` (or a :class:`~manifest.core.safe_yaml.YamlError`,
    :class:`~manifest.errors.InputError`) naming the file and the pointer.
    """
    return parse_policy(load_yaml(path), file=str(path))
