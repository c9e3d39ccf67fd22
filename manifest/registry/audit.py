"""Check a registry entry by entry against the evidence it cites.

Loading a registry file already re-hashes and replays its history (an
edited entry is :class:`~manifest.registry.history.TamperedError`). What the
history cites lives in other files: each promotion's gate report (kept
beside the registry and recorded by digest) and the manifests it promoted.
:func:`audit` checks, for every promotion, that the report is there and is
the one recorded; that it judged exactly the manifests (and baseline) the
entry names, with the same policy and decision, and did not block; and that
each promoted manifest still on disk has the recorded digest and run id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.canonical import digest_of
from ..core.reading import read_json
from ..core.results import FAIL, PASS, WARN, Check, Report
from ..errors import ManifestError
from .store import ModelRecord


def _digests(refs: Any) -> list[str]:
    return sorted(str(r.get("digest")) for r in refs or [] if isinstance(r, dict))


def _report_checks(subject: str, where: str, entry: dict[str, Any], report: Any) -> list[Check]:
    """The gate report against the entry that cites it."""
    if not isinstance(report, dict) or report.get("kind") != "gate-report":
        return [Check(subject, "gate-report", FAIL, "not a gate report", where)]
    gate = entry["gate"]
    pairs = [
        ("decision", report.get("decision"), gate["decision"]),
        ("policy", (report.get("policy") or {}).get("digest"), gate["policy_digest"]),
        (
            "candidate",
            _digests((report.get("candidate") or {}).get("runs")),
            _digests(entry["manifests"]),
        ),
        (
            "baseline",
            _digests((report.get("baseline") or {}).get("runs")),
            _digests(entry["baseline"]),
        ),
    ]
    checks = []
    for name, found, expected in pairs:
        if found != expected:
            checks.append(
                Check(
                    subject,
                    f"gate-report.{name}",
                    FAIL,
                    f"the gate report's {name} is not what the history records",
                    where,
                    expected=str(expected),
                    found=str(found),
                )
            )
    if report.get("decision") == "block":
        checks.append(
            Check(
                subject, "gate-report.decision", FAIL, "promoted although the gate blocked", where
            )
        )
    return checks or [Check(subject, "gate-report", PASS, "the gate report matches the history")]


def _manifest_checks(subject: str, index: int, entry: dict[str, Any]) -> list[Check]:
    """Each promoted manifest still on disk against its recorded digest."""
    from ..check.validate import check_manifest

    checks = []
    for n, ref in enumerate(entry["manifests"]):
        where = f"/history/{index}/manifests/{n}"
        path = Path(ref["path"])
        if not path.is_file():
            checks.append(Check(subject, "manifest", WARN, f"{path} is not here to check", where))
            continue
        found, manifest = check_manifest(path)
        failed = [c for c in found if c.status == FAIL]
        digest = manifest.get("digest") if manifest else None
        if failed or digest != ref["digest"] or (manifest or {}).get("run_id") != ref["run_id"]:
            checks.append(
                Check(
                    subject,
                    "manifest",
                    FAIL,
                    f"{path} is not the manifest that was promoted"
                    + (f": {failed[0].message}" if failed else ""),
                    where,
                    expected=ref["digest"],
                    found=str(digest),
                )
            )
    return checks or [Check(subject, "manifest", PASS, "the promoted manifests hold")]


def audit(record: ModelRecord) -> list[Check]:
    """Every check of every promotion of ``record``."""
    checks: list[Check] = []
    for index, entry in enumerate(record.history):
        if entry["action"] != "promote":
            continue
        subject = f"{record.document['model']} v{entry['version']}"
        where = f"/history/{index}/gate/report"
        path = record.path.parent / entry["gate"]["report"]
        try:
            report = read_json(path)
        except ManifestError as exc:
            checks.append(
                Check(
                    subject,
                    "gate-report",
                    FAIL,
                    f"the gate report cannot be read: {exc.describe()}",
                    where,
                )
            )
        else:
            if digest_of(report) != entry["gate"]["report_digest"]:
                checks.append(
                    Check(
                        subject,
                        "gate-report",
                        FAIL,
                        f"{path} was edited: it is not the gate report that was recorded",
                        where,
                        expected=entry["gate"]["report_digest"],
                        found=digest_of(report),
                    )
                )
            checks += _report_checks(subject, where, entry, report)
        checks += _manifest_checks(subject, index, entry)
    return checks


def audit_report(records: list[ModelRecord]) -> Report:
    """:func:`audit` of each record, as the report ``registry verify`` prints."""
    checks = [check for record in records for check in audit(record)]
    subjects = tuple(dict.fromkeys(c.subject for c in checks))
    return Report("registry verify", subjects, tuple(checks))
