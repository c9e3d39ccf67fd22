"""Evidence a policy may require: passing ``verify`` or ``validate`` reports
that cover every candidate run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..comparison.comparison import Comparison
from ..core.reading import read_json
from ..core.results import FAIL, PASS
from ..errors import ManifestFormatError
from .policy import Policy
from .rules import BLOCK, RuleCheck


def read_evidence(paths: Sequence[Path]) -> list[tuple[str, Any]]:
    """Each JSON report of ``verify`` or ``validate`` at ``paths``, parsed.

    Raises :class:`ManifestFormatError` for a file that is not such a report.
    """
    loaded = []
    for path in paths:
        document = read_json(path)
        if not isinstance(document, dict) or "command" not in document:
            raise ManifestFormatError(
                "not a manifest report",
                file=str(path),
                expected="the JSON output of manifest verify or validate",
                found=type(document).__name__,
            )
        loaded.append((str(path), document))
    return loaded


def evidence_covers(report: Any, run_path: str, run_id: str) -> bool:
    """Whether a JSON report of ``validate``/``verify`` passes for this run."""
    resolved = str(Path(run_path).resolve())
    for subject in report.get("subjects", []) if isinstance(report, dict) else []:
        name = str(subject.get("subject", "")) if isinstance(subject, dict) else ""
        if name and (str(Path(name).resolve()) == resolved or run_id in name):
            return bool(subject.get("ok"))
    return False


def require_checks(
    policy: Policy, comparison: Comparison, evidence: Sequence[tuple[str, Any]]
) -> list[RuleCheck]:
    commands = {"verified": "verify", "contracts": "validate"}
    checks = []
    for need in policy.require:
        command = commands[need]
        reports = [
            (p, r) for p, r in evidence if isinstance(r, dict) and r.get("command") == command
        ]
        missing = [
            run.path
            for run in comparison.candidate.runs
            if not any(evidence_covers(r, run.path, run.run_id) for _, r in reports)
        ]
        ok = not missing
        checks.append(
            RuleCheck(
                id=f"require.{need}",
                rule="require",
                metric="",
                kind=need,
                severity=BLOCK,
                status=PASS if ok else FAIL,
                message=(
                    f"every candidate run has a passing manifest {command} report"
                    if ok
                    else f"{len(missing)} candidate run(s) lack a passing manifest {command} "
                    f"report, e.g. {missing[0]}"
                ),
                expected=f"a passing `manifest {command} --format json` report via --evidence",
                found="covered" if ok else f"{len(missing)} not covered",
                action=None
                if ok
                else f"run `manifest {command} CANDIDATE... --format json > "
                f"{command}.json` and pass --evidence {command}.json",
                evidence={"reports": [p for p, _ in reports], "missing": missing},
            )
        )
    return checks
