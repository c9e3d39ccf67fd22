"""Human views of manifests: ``show`` (one) and ``diff`` (two). Every line
that holds a manifest's strings goes through :func:`~manifest.render.escape.escape`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.tree import flatten
from ..query.diff import NOISY
from .escape import escape
from .table import columns, md_cell, md_code, md_table

_ARROWS = {"higher": "↑", "lower": "↓"}


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def show(manifest: Mapping[str, Any], path: str) -> str:
    """A readable summary of one manifest, parameters included."""
    m = manifest
    git = (m.get("code") or {}).get("git") or {}
    if git.get("available"):
        code = f"{(git.get('commit') or 'no commit')[:12]}{' (dirty)' if git.get('dirty') else ''}"
    else:
        code = git.get("reason", "unknown")
    env = m.get("environment") or {}
    cost = m.get("cost") or {}
    lines = [
        f"manifest  {path}",
        f"run       {m.get('run_id')}  {m.get('status')}",
        f"task      {m.get('task')}  (config {m.get('config_name')})",
        f"owner     {m.get('owner')}",
        f"created   {m.get('created')}  finished {m.get('finished')}",
        f"overrides {' '.join(m.get('overrides') or []) or '(none)'}",
        f"code      {code}",
        f"python    {env.get('python')} on {env.get('platform')}",
        f"cost      {_value(cost.get('wall_s'))} s wall, {_value(cost.get('cpu_s'))} s CPU, "
        f"{(cost.get('peak_memory_bytes') or 0) / 2**20:.1f} MiB peak",
        f"seeds     {_value(m.get('seeds') or {})}",
    ]
    if m.get("error"):
        lines.append(f"error     {m['error'].get('type')}: {m['error'].get('message')}")
    lines += _section("params", sorted(flatten(m.get("params") or {}).items()))
    declared = m.get("directions")
    directions: Mapping[str, Any] = declared if isinstance(declared, Mapping) else {}
    lines += _section(
        "metrics",
        [
            (f"{k} {_ARROWS.get(directions[k], '')}" if k in directions else k, v)
            for k, v in sorted((m.get("metrics") or {}).items())
        ],
    )
    lines.append("artifacts")
    lines += [
        f"  {a.get('path')}  {a.get('size')} B  {str(a.get('sha256'))[:16]}  {a.get('role')}"
        for a in m.get("artifacts") or []
    ] or ["  (none)"]
    if m.get("inputs"):
        lines.append("inputs")
        lines += [
            f"  {i.get('key')} = {i.get('path')}  {str(i.get('sha256') or i.get('version'))[:16]}"
            for i in m["inputs"]
        ]
    lines.append(f"digest    {m.get('digest')}")
    return "\n".join(escape(line) for line in lines) + "\n"


def _section(title: str, items: Sequence[tuple[str, Any]]) -> list[str]:
    rows = [[f"  {k}", "=", _value(v)] for k, v in items]
    return [title, *(columns(rows) if rows else ["  (none)"])]


def diff_text(
    changes: Mapping[str, Sequence[Mapping[str, Any]]], a: str, b: str, *, full: bool = False
) -> str:
    """The output of :func:`manifest.query.diff.diff` as sections of changed
    keys, parameters and metrics first; package versions and changed paths
    are one line each unless ``full``."""
    lines = [f"--- {a}", f"+++ {b}"]
    if not any(changes.values()):
        lines.append("no differences")
    for section, rows in changes.items():
        if not rows:
            continue
        lines.append(f"{section}:")
        table, folded = [], []
        for row in rows:
            if not full and row["key"].startswith(NOISY.get(section, ())):
                folded.append(row)
                continue
            delta = f"  ({row['delta']:+.6g})" if "delta" in row else ""
            old = "-" if row["change"] == "added" else _value(row["old"])
            new = "-" if row["change"] == "removed" else _value(row["new"])
            table.append([f"  {row['key']}", old, "->", new + delta])
        lines += columns(table)
        lines += _folded(folded)
    return "\n".join(escape(line) for line in lines) + "\n"


def _folded(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for row in rows:
        head, _, name = row["key"].rpartition(".")
        if head.endswith(".changed") or head == "git.changed":
            name = _value(row["new"] if row["new"] is not None else row["old"])
        groups.setdefault(head, []).append(name)
    return [
        f"  {head}: {len(names)} changed ({', '.join(names[:3])}"
        f"{', ...' if len(names) > 3 else ''}; --all lists them)"
        for head, names in groups.items()
    ]


def diff_markdown(
    changes: Mapping[str, Sequence[Mapping[str, Any]]], a: str, b: str, *, full: bool = False
) -> str:
    """:func:`diff_text` as Markdown: one table per section."""
    lines = [f"### {md_code(a)} → {md_code(b)}", ""]
    if not any(changes.values()):
        lines.append("No differences.")
    for section, rows in changes.items():
        shown = [r for r in rows if full or not r["key"].startswith(NOISY.get(section, ()))]
        folded = [r for r in rows if r not in shown]
        if not rows:
            continue
        body = [
            [
                md_code(r["key"]),
                "" if r["change"] == "added" else _value(r["old"]),
                "" if r["change"] == "removed" else _value(r["new"]),
                f"{r['delta']:+.6g}" if "delta" in r else "",
            ]
            for r in shown
        ]
        lines += [f"**{section}**", ""]
        lines += md_table(["key", "A", "B", "change"], body)
        lines += [md_cell(line.strip()) for line in _folded(folded)] + [""]
    return "\n".join(lines) + "\n"
