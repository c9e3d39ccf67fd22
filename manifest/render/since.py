"""The summary of what a branch changed since a revision (``diff --rev``):
text for a terminal, JSON for machines, Markdown for a pull-request comment."""

from __future__ import annotations

import json
from typing import Any

from ..query.since import AddedRun, MetricChange, Since
from .escape import escape
from .table import Markdown, columns, md_cell, md_code, md_table

MARKS = {"better": "✅", "worse": "❌", "same": "=", "changed": "~", "new": "new", "gone": "gone"}
ARROWS = {"higher": "↑", "lower": "↓"}
MAX_ROWS = 200


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def _metric(change: MetricChange) -> str:
    if change.verdict in ("new", "gone"):
        return f"{_num(change.new if change.verdict == 'new' else change.old)} ({change.verdict})"
    if change.verdict == "same":
        return f"{_num(change.new)} (=)"
    delta = change.delta or 0.0
    return f"{_num(change.old)} → {_num(change.new)} ({delta:+.4g}) {MARKS[change.verdict]}"


def _headline(summary: Since) -> str:
    regressions = sum(len(a.regressions) for a in summary.added)
    problems = sum(1 for a in summary.added if a.problem)
    parts = [
        f"{len(summary.added)} run(s) added",
        f"{len(summary.removed)} removed",
        f"{len(summary.changed)} changed",
    ]
    if regressions:
        parts.append(f"{regressions} metric(s) worse")
    if problems:
        parts.append(f"{problems} added manifest(s) not intact")
    return ", ".join(parts)


def _metric_names(summary: Since) -> list[str]:
    return sorted({m.name for a in summary.added for m in a.metrics})


def _directions(summary: Since) -> dict[str, str]:
    return {m.name: m.direction for a in summary.added for m in a.metrics if m.direction}


def _row(run: AddedRun, names: list[str]) -> list[str]:
    by_name = {m.name: m for m in run.metrics}
    base = [
        run.run_id or run.path,
        run.config or "",
        " ".join(run.overrides) or "(none)",
        run.counterpart or ("-" if run.problem else "no run at the revision"),
    ]
    if run.problem:
        return [*base, f"{run.problem}", *[""] * (len(names) - 1)] if names else base
    return base + [_metric(by_name[n]) if n in by_name else "" for n in names]


def text(summary: Since) -> str:
    lines = [
        f"since {summary.rev} ({summary.commit[:12]}) in {', '.join(summary.paths)}: "
        f"{_headline(summary)}"
    ]
    names = _metric_names(summary)
    arrows = _directions(summary)
    if summary.added:
        header = ["added", "config", "overrides", "compared with"]
        header += [f"{n} {ARROWS[arrows[n]]}" if n in arrows else n for n in names]
        lines += columns([header, *(_row(a, names) for a in summary.added)])
    lines += [f"removed  {p}" for p in summary.removed]
    lines += [f"changed  {p}" for p in summary.changed]
    lines.append("check: ok" if summary.ok else "check: failed")
    return "\n".join(escape(line) for line in lines) + "\n"


def markdown(summary: Since) -> str:
    icon = "✅" if summary.ok else "❌"
    lines = [
        f"### {icon} Runs since {md_code(summary.rev)} ({summary.commit[:12]})",
        "",
        f"{_headline(summary)} in " + ", ".join(md_code(p) for p in summary.paths) + ".",
        "",
    ]
    names = _metric_names(summary)
    arrows = _directions(summary)
    if summary.added:
        header = ["run", "config", "overrides", Markdown(f"vs. {md_code(summary.rev)}")]
        header += [f"{n} {ARROWS[arrows[n]]}" if n in arrows else n for n in names]
        rows = [
            [md_code(c) if i in (0, 2, 3) and c else c for i, c in enumerate(_row(a, names))]
            for a in summary.added[:MAX_ROWS]
        ]
        lines += md_table([md_cell(h) for h in header], rows)
        if len(summary.added) > MAX_ROWS:
            lines.append(f"... and {len(summary.added) - MAX_ROWS} more (see `--format json`).")
        lines += [
            "",
            "✅ better, ❌ worse (in the declared direction), = within the envelope, "
            "~ changed (no direction declared).",
        ]
    for title, paths in (("Removed", summary.removed), ("Changed", summary.changed)):
        if paths:
            lines += ["", f"**{title}** (a recorded run is never rewritten):", ""]
            lines += [f"- {md_code(p)}" for p in paths[:MAX_ROWS]]
    return "\n".join(lines) + "\n"


def as_json(summary: Since) -> dict[str, Any]:
    return {
        "command": "diff",
        "rev": summary.rev,
        "commit": summary.commit,
        "paths": list(summary.paths),
        "ok": summary.ok,
        "added": [
            {
                "path": a.path,
                "run_id": a.run_id,
                "config": a.config,
                "overrides": list(a.overrides),
                "counterpart": a.counterpart,
                "counterpart_path": a.counterpart_path,
                "params_changed": list(a.params_changed),
                "problem": a.problem,
                "metrics": [
                    {
                        "name": m.name,
                        "old": m.old,
                        "new": m.new,
                        "delta": m.delta,
                        "direction": m.direction,
                        "verdict": m.verdict,
                    }
                    for m in a.metrics
                ],
            }
            for a in summary.added
        ],
        "removed": list(summary.removed),
        "changed": list(summary.changed),
    }


def render(summary: Since, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(as_json(summary), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return markdown(summary)
    return text(summary)
