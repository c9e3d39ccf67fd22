"""The runs that a lineage contract audits against, read before validation.

``inputs_traceable`` and ``upstream_valid`` judge a manifest by other
manifests. The *known runs* of a lineage contract are the files being
validated plus the contract's ``store`` (folders or files of manifests,
relative to the contracts file, read through the runs index; one that does
not exist holds no runs). They are read here, once, in the validating
process; the graph is built, every ancestor of a validated run is itself
validated (parse, schema, digest), and the gaps of each validated run are
handed to the contract's rule, in whichever worker evaluates it, by run id
and digest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.results import FAIL, Check
from ..lineage.audit import NEEDS, Gap, audit
from ..lineage.graph import Graph, build_graph
from ..lineage.load import load_records
from ..lineage.records import RunRecord, read_records
from .contract_file import Contract, ContractSet


@dataclass(frozen=True)
class LineageAudit:
    """What a lineage contract needs from the other runs: the gaps of each
    audited run (by run id and digest; none for most), and where the known
    runs came from (for messages)."""

    gaps: dict[tuple[str, str | None], tuple[Gap, ...]] = field(default_factory=dict)
    scope: str = ""


def needs_runs(contract: Contract) -> bool:
    """Whether ``contract`` judges a manifest by other manifests."""
    return contract.kind == "lineage" and bool(set(contract.params["require"]) & set(NEEDS))


CheckFile = Callable[[Path], tuple[list[Check], Any]]
"""The parse, schema and digest checks of one manifest file."""


class _Validity:
    """Why a run's manifest does not validate, each file checked once."""

    def __init__(self, check_file: CheckFile) -> None:
        self._check = check_file
        self._seen: dict[str, str | None] = {}

    def __call__(self, record: RunRecord) -> str | None:
        if record.path not in self._seen:
            checks, _ = self._check(Path(record.path))
            failed = [c for c in checks if c.status == FAIL]
            self._seen[record.path] = f"{failed[0].check}: {failed[0].message}" if failed else None
        return self._seen[record.path]


def _stored(stores: Sequence[str]) -> tuple[list[RunRecord], str]:
    """The records of the manifests in ``stores`` (through the runs index),
    and a description of where the known runs come from."""
    existing = [Path(store) for store in stores if Path(store).exists()]
    described = [store if Path(store).exists() else f"{store} (missing)" for store in stores]
    records = list(load_records(existing).records) if existing else []
    return records, "the validated manifests" + "".join(f" and {d}" for d in described)


def audit_runs(
    contracts: ContractSet, files: Sequence[Path], check_file: CheckFile
) -> dict[str, LineageAudit]:
    """The audit of ``files`` for each contract of ``contracts`` that needs
    the other runs (by contract id; empty when none does); ``check_file``
    validates an ancestor's manifest."""
    wanted = [c for c in contracts.contracts if needs_runs(c)]
    if not wanted:
        return {}
    subjects = read_records(files)
    validity = _Validity(check_file)
    audits: dict[str, LineageAudit] = {}
    graphs: dict[tuple[str, ...], tuple[Graph, str]] = {}
    for contract in wanted:
        stores = tuple(contract.params.get("store", ()))
        if stores not in graphs:  # the validated runs first: they win over copies
            stored, scope = _stored(stores)
            graphs[stores] = build_graph([*subjects.records, *stored]), scope
        graph, scope = graphs[stores]
        needs = tuple(n for n in NEEDS if n in contract.params["require"])
        gaps = audit(graph, list(subjects.records), validity, needs)
        audits[contract.id] = LineageAudit(gaps, f"{len(graph.runs)} known runs: {scope}")
    return audits
