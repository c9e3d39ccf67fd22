"""The verification record: the report of ``verify`` as data, table and file.

The report is a :class:`~manifest.core.results.Report` whose ``extra`` holds the
verdict of each manifest with the digest it verified, so that a later gate
can require "verified" evidence. ``--write-report`` saves
:func:`manifest.render.report.as_json` of it, validated against
``schemas/verify-report.schema.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.results import Report
from .options import EXIT_CODES, REPORT_VERSION, VERDICTS, VerifyOptions

if TYPE_CHECKING:
    from .case import Case

VERIFY_SCHEMA = "verify-report.schema.json"


def _entry(case: Case) -> dict[str, Any]:
    manifest = case.manifest or {}
    walls = [
        (r.manifest.get("cost") or {}).get("wall_s", 0.0)
        for r in case.reruns.values()
        if r.manifest
    ]
    return {
        "subject": case.subject,
        "run_id": manifest.get("run_id"),
        "digest": manifest.get("digest"),
        "task": manifest.get("task"),
        "config_name": manifest.get("config_name"),
        "verdict": case.final_verdict(),
        "overrides": list(case.composed.overrides) if case.composed else [],
        "reruns": len(case.reruns),
        "rerun_wall_s": round(sum(walls), 6),
        "stochastic": case.stochastic,
    }


def build_report(
    cases: Sequence[Case], options: VerifyOptions, *, interrupted: bool, seconds: float
) -> Report:
    """The report of a verification of ``cases``."""
    verdicts = [c.final_verdict() for c in cases]
    overall = "interrupted" if interrupted else min(verdicts or ["verified"], key=VERDICTS.index)
    extra = {
        "schema_version": REPORT_VERSION,
        "verdict": overall,
        "interrupted": interrupted,
        "seconds": round(seconds, 3),
        "settings": {
            "config_dir": str(options.config_dir),
            "seeds": options.seeds,
            "jobs": options.jobs,
            "trust": options.trust,
            "perturb": options.perturb,
            "launcher_overrides": list(options.hydra_overrides),
            "network": options.allow_network,
            "pass_env": list(options.pass_env),
            "timeout_s": options.timeout,
        },
        "manifests": [_entry(c) for c in cases],
    }
    checks = tuple(check for case in cases for check in case.checks)
    return Report("verify", tuple(c.subject for c in cases), checks, extra)


def exit_code(report: Report) -> int:
    """0 verified, 1 not reproduced, 2 refused or not run, 130 interrupted."""
    return EXIT_CODES[str(report.extra.get("verdict", "not-run"))]


def write_report(report: Report, path: Path, *, inputs: Sequence[Path] = ()) -> None:
    """Write the JSON report to ``path`` atomically, after validating it;
    never over one of ``inputs`` or a file that is not a verification report
    (:class:`~manifest.errors.OutputError`)."""
    from ..core.canonical import pretty_bytes
    from ..core.outputs import verify_report, write_output
    from ..core.schemas import check
    from ..render.report import as_json

    document = as_json(report)
    check(document, VERIFY_SCHEMA, file=str(path))
    write_output(
        path,
        pretty_bytes(document),
        kind="verification report",
        recognise=verify_report,
        inputs=inputs,
    )
