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
