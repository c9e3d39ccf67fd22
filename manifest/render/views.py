"""Human views of manifests: ``show`` (one), ``ls`` (a table), ``diff`` (two)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .escape import escape as e
from .table import columns


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return e(value)
    return e(json.dumps(value, sort_keys=True))


def show(manifest: Mapping[str, Any], path: str) -> str:
    """A readable summary of one manifest."""
    m = manifest
    git = (m.get("code") or {}).get("git") or {}
    if git.get("available"):
        code = f"{(git.get('commit') or 'no commit')[:12]}{' (dirty)' if git.get('dirty') else ''}"
    else:
        code = git.get("reason", "unknown")
    env = m.get("environment") or {}
    cost = m.get("cost") or {}
    lines = [
        f"manifest  {e(path)}",
        f"run       {e(m.get('run_id'))}  {e(m.get('status'))}",
        f"task      {e(m.get('task'))}  (config {e(m.get('config_name'))})",
        f"owner     {e(m.get('owner'))}",
        f"created   {e(m.get('created'))}  finished {e(m.get('finished'))}",
        f"overrides {' '.join(e(o) for o in m.get('overrides') or []) or '(none)'}",
        f"code      {e(code)}",
        f"python    {e(env.get('python'))} on {e(env.get('platform'))}",
        f"cost      {_value(cost.get('wall_s'))} s wall, {_value(cost.get('cpu_s'))} s CPU, "
        f"{(cost.get('peak_memory_bytes') or 0) / 2**20:.1f} MiB peak",
        f"seeds     {_value(m.get('seeds') or {})}",
    ]
    if m.get("error"):
        lines.append(f"error     {e(m['error'].get('type'))}: {e(m['error'].get('message'))}")
    lines.append("metrics")
    lines += [f"  {e(k)} = {_value(v)}" for k, v in sorted((m.get("metrics") or {}).items())] or [
        "  (none)"
    ]
    lines.append("artifacts")
    lines += [
        f"  {e(a.get('path'))}  {e(a.get('size'))} B  {e(str(a.get('sha256'))[:16])}  "
        f"{e(a.get('role'))}"
        for a in m.get("artifacts") or []
    ] or ["  (none)"]
    if m.get("inputs"):
        lines.append("inputs")
        lines += [
            f"  {e(i.get('key'))} = {e(i.get('path'))}  "
            f"{e(str(i.get('sha256') or i.get('version'))[:16])}"
            for i in m["inputs"]
        ]
    lines.append(f"digest    {e(m.get('digest'))}")
    return "\n".join(lines) + "\n"


def listing(entries: Sequence[tuple[str, Mapping[str, Any] | None, str | None]]) -> str:
    """A table of manifests: run id, status, created, config, overrides, key metrics.

    ``entries`` are (path, manifest or None, error) triples.
    """
    rows = [["RUN", "STATUS", "CREATED", "CONFIG", "OVERRIDES", "METRICS"]]
    for path, m, error in entries:
        if m is None:
            rows.append([e(path), "unreadable", "", "", "", e(error or "")])
            continue
        metrics = m.get("metrics") or {}
        shown = ", ".join(f"{e(k)}={_value(v)}" for k, v in list(sorted(metrics.items()))[:3])
        if len(metrics) > 3:
            shown += f", +{len(metrics) - 3}"
        rows.append(
            [
                e(m.get("run_id")),
                e(m.get("status")),
                e(str(m.get("created", ""))[:19].replace("T", " ")),
                e(m.get("config_name") or ""),
                " ".join(e(o) for o in m.get("overrides") or []),
                shown,
            ]
        )
    return "\n".join(columns(rows)) + "\n"


def diff_text(changes: Mapping[str, Sequence[Mapping[str, Any]]], a: str, b: str) -> str:
    """The output of :func:`manifest.query.diff.diff` as sections of changed keys."""
    lines = [f"--- {e(a)}", f"+++ {e(b)}"]
    if not any(changes.values()):
        lines.append("no differences")
    for section, rows in changes.items():
        if not rows:
            continue
        lines.append(f"{section}:")
        table = []
        for row in rows:
            delta = f"  ({row['delta']:+.6g})" if "delta" in row else ""
            old = "-" if row["change"] == "added" else _value(row["old"])
            new = "-" if row["change"] == "removed" else _value(row["new"])
            table.append([f"  {e(row['key'])}", old, "->", new + delta])
        lines += columns(table)
    return "\n".join(lines) + "\n"
