"""Applying a contract set to manifests: which contracts apply, and checks.

An :class:`Evaluator` builds each contract's rule once (in the process that
uses it: a compiled JSON Schema does not pickle) and turns findings into
:class:`~manifest.core.results.Check` rows that carry the contract id, the owner,
the action, the kind and the declared severity.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.results import FAIL, PASS, WARN, Check
from ..core.tree import MISSING, get, is_number
from .contract_file import Contract, ContractSet
from .finding import ContractRule
from .kinds import budget, drift, freshness, schema, threshold
from .lineage import lineage

if TYPE_CHECKING:
    from .upstream import LineageAudit

Matcher = Callable[[Mapping[str, Any]], bool]


def build(
    contract: Contract, *, now: float, runs: Mapping[str, LineageAudit] | None = None
) -> ContractRule:
    """The rule of ``contract``, with ``now`` (seconds since the epoch) as
    the clock of a freshness contract and ``runs`` (by contract id) the
    audits of lineage contracts that judge a run by the other runs."""
    p = contract.params
    if contract.kind == "threshold":
        return threshold(metric=p["metric"], op=p.get("op"), value=p["value"])
    if contract.kind == "budget":
        return budget(limit=p["max"], field=p.get("field"), metric=p.get("metric"))
    if contract.kind == "freshness":
        return freshness(
            now=now,
            max_age_s=p["max_age_s"],
            max_age=p["max_age"],
            field=p.get("field"),
            input=p.get("input"),
        )
    if contract.kind == "lineage":
        return lineage(require=p["require"], runs=(runs or {}).get(contract.id))
    if contract.kind == "drift":
        return drift(
            p["reference"],
            pointer=p["pointer"],
            atol=p["atol"],
            rtol=p["rtol"],
            reference_name=p["reference_file"],
        )
    if contract.kind == "schema":
        return schema(p["schema"])
    raise ValueError(f"unknown contract kind {contract.kind!r}")


def _value_test(wanted: Any) -> Callable[[Any], bool]:
    if isinstance(wanted, str):
        if any(c in wanted for c in "*?["):
            match = re.compile(fnmatch.translate(wanted)).match
            return lambda v: isinstance(v, str) and match(v) is not None
        return lambda v: v == wanted and isinstance(v, str)
    if wanted is None or isinstance(wanted, bool):
        return lambda v: v is wanted
    return lambda v: v == wanted and is_number(v)


def matcher(applies_to: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...]) -> Matcher | None:
    """A test of whether a manifest matches every field of ``applies_to``
    (any of its values); None when the contract applies to every manifest."""
    if not applies_to:
        return None
    fields = [(path, [_value_test(v) for v in values]) for path, values in applies_to]

    def matches(manifest: Mapping[str, Any]) -> bool:
        for path, tests in fields:
            value = get(manifest, path)
            if value is MISSING or not any(test(value) for test in tests):
                return False
        return True

    return matches


# Enough for every combination of task, config and status in a store; a
# filter on a unique field (run_id) stops being cached beyond it.
_SELECTIONS = 4096


class Evaluator:
    """Applies a :class:`~manifest.check.contract_file.ContractSet` to manifests.

    ``now`` is the clock of every freshness contract; with ``strict`` a
    failing ``warn`` contract fails (blocks) like a ``block`` one; ``runs``
    holds the audits of lineage contracts that need the other runs
    (:func:`manifest.check.upstream.audit_runs`).
    """

    def __init__(
        self,
        contracts: ContractSet,
        *,
        now: datetime,
        strict: bool = False,
        runs: Mapping[str, LineageAudit] | None = None,
    ) -> None:
        clock = now.timestamp()
        self._plan = [
            (
                c,
                matcher(c.applies_to),
                build(c, now=clock, runs=runs),
                FAIL if c.severity == "block" or strict else WARN,
            )
            for c in contracts.contracts
        ]
        self._fields = list(
            dict.fromkeys(path for c in contracts.contracts for path, _ in c.applies_to)
        )
        self._selected: dict[tuple[Any, ...], list[tuple[Contract, ContractRule, str]]] = {}

    def applicable(self, manifest: Mapping[str, Any]) -> list[tuple[Contract, ContractRule, str]]:
        """(contract, rule, status on failure) of each contract that applies.

        Which contracts apply depends only on the fields that their
        ``applies_to`` name, which most manifests of a store share: the
        answer is remembered by those fields' values (and types, as
        ``1 == True`` in Python but not in JSON).
        """
        values: list[Any] = []
        for path in self._fields:
            value = manifest.get(path[0], MISSING) if len(path) == 1 else get(manifest, path)
            values += (type(value), value)
        key = tuple(values)
        try:
            return self._selected[key]
        except KeyError:
            pass
        except TypeError:  # a list or an object: not a key
            return self._select(manifest)
        selected = self._select(manifest)
        if len(self._selected) < _SELECTIONS:
            self._selected[key] = selected
        return selected

    def _select(self, manifest: Mapping[str, Any]) -> list[tuple[Contract, ContractRule, str]]:
        return [
            (c, rule, failed)
            for c, applies, rule, failed in self._plan
            if applies is None or applies(manifest)
        ]

    def __call__(self, subject: str, manifest: Mapping[str, Any]) -> list[Check]:
        """One check per contract that applies to ``manifest``."""
        checks = []
        for contract, rule, failed in self.applicable(manifest):
            holds, message, pointer, expected, found = rule(manifest)
            checks.append(
                Check(
                    subject,
                    contract.id,
                    PASS if holds else failed,
                    message,
                    pointer,
                    expected,
                    found,
                    contract.owner,
                    contract.action,
                    contract.kind,
                    contract.severity,
                )
            )
        return checks
