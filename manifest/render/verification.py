"""The summary table that ``verify`` prints below its report."""

from __future__ import annotations

from ..core.results import FAIL, WARN, Report
from .escape import escape
from .table import columns


def summary_table(report: Report) -> str:
    """One row per manifest: verdict, re-runs, failed checks, warnings."""
    rows = [["manifest", "verdict", "re-runs", "failed", "warnings", "re-run s"]]
    for entry in report.extra.get("manifests", []):
        mine = [c for c in report.checks if c.subject == entry["subject"]]
        rows.append(
            [
                escape(entry["subject"]),
                escape(entry["verdict"]),
                str(entry["reruns"]),
                str(sum(c.status == FAIL for c in mine)),
                str(sum(c.status == WARN for c in mine)),
                f"{entry['rerun_wall_s']:.2f}",
            ]
        )
    return "\n".join(columns(rows, right={2, 3, 4, 5})) + "\n"


def upstream_summary(report: Report) -> str:
    """For ``verify --upstream``: the stages in order and where the chain
    stopped, or nothing for a plain verification."""
    chain = report.extra.get("upstream")
    if not chain:
        return ""
    stages = chain["stages"]
    names = [f"{s['config_name'] or s['run_id']} {s['run_id']}" for s in stages]
    if chain["stopped_at"] is None:
        return f"\nupstream: {len(stages)} stages reproduced in order: " + ", ".join(names) + "\n"
    number = next(i for i, s in enumerate(stages, 1) if s["run_id"] == chain["stopped_at"])
    skipped = [n for n, s in zip(names, stages, strict=True) if s["verdict"] == "not-run"]
    line = (
        f"\nupstream: stopped at stage {number} of {len(stages)}: {names[number - 1]} "
        f"({stages[number - 1]['verdict']})"
    )
    return line + ("; not run: " + ", ".join(skipped) if skipped else "") + "\n"
