"""Result types shared by the checking commands and their reporters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PASS, FAIL, WARN = "pass", "fail", "warn"


@dataclass(frozen=True)
class Check:
    """One check of one subject (a manifest file): passed, failed or warned.

    ``status`` is ``pass``, ``fail`` (blocks) or ``warn`` (reported, does not
    block). A failure names the JSON ``pointer``, ``expected`` and ``found``.
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

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(frozen=True)
class Report:
    """The outcome of a checking command over many subjects."""

    command: str
    subjects: tuple[str, ...]
    checks: tuple[Check, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAIL]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == WARN]

    @property
    def ok(self) -> bool:
        return not self.failures

    def counts(self) -> dict[str, int]:
        failed = {c.subject for c in self.failures}
        return {
            "subjects": len(self.subjects),
            "failed_subjects": len(failed),
            "checks": len(self.checks),
            "failures": len(self.failures),
            "warnings": len(self.warnings),
        }
