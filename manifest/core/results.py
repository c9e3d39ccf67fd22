"""Result types shared by the checking commands and their reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

PASS, FAIL, WARN = "pass", "fail", "warn"


class Check(NamedTuple):
    """One check of one subject (a manifest file): passed, failed or warned.

    ``status`` is ``pass``, ``fail`` (blocks) or ``warn`` (reported, does not
    block). A failure names the JSON ``pointer``, ``expected`` and ``found``;
    a contract's check also its ``owner``, ``action``, ``kind`` and declared
    ``severity`` (``warn`` or ``block``; a ``warn`` fails under ``--strict``).

    An immutable named tuple rather than a dataclass: ``validate`` makes
    about ten per manifest, in worker processes that pickle them back, and a
    tuple is several times cheaper to build and to pickle.
    """

    subject: str
    check: str
    status: str
    message: str = ""
    pointer: str = ""
    expected: str | None = None
    found: str | None = None
    owner: str | None = None
    action: str | None = None
    kind: str | None = None
    severity: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in zip(self._fields, self, strict=True) if v not in (None, "")}


@dataclass(frozen=True)
class Report:
    """The outcome of a checking command over many subjects."""

    command: str
    subjects: tuple[str, ...]
    checks: tuple[Check, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    # Worked out once: a report of 10,000 manifests holds 100,000 checks, and
    # each reporter and the exit code ask again.
    @cached_property
    def failures(self) -> list[Check]:
        """The checks that failed (they block)."""
        return [c for c in self.checks if c.status == FAIL]

    @cached_property
    def warnings(self) -> list[Check]:
        """The checks that warned (reported, not blocking)."""
        return [c for c in self.checks if c.status == WARN]

    @property
    def ok(self) -> bool:
        """True when no check failed: the command exits 0."""
        return not self.failures

    def counts(self) -> dict[str, int]:
        """How many subjects, failed subjects, checks, failures and warnings."""
        failed = {c.subject for c in self.failures}
        return {
            "subjects": len(self.subjects),
            "failed_subjects": len(failed),
            "checks": len(self.checks),
            "failures": len(self.failures),
            "warnings": len(self.warnings),
        }
