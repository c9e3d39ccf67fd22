"""Reporters: a :class:`~manifest.results.Report` as text, JSON, JUnit XML or
Markdown. The CLI picks one by name; reporters return strings and never
decide exit codes."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO
from xml.etree import ElementTree as ET

from .results import FAIL, WARN, Check, Report

FORMATS = ("text", "json", "junit", "markdown")


def _detail(check: Check) -> str:
    text = check.message
    if check.expected is not None or check.found is not None:
        text += f" (expected {check.expected}, found {check.found})"
    if check.owner or check.action:
        text += f" [owner {check.owner or '-'}, action {check.action or '-'}]"
    return text


def _use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def text(report: Report, *, colour: bool = False) -> str:
    """Failures and warnings, one per line, then a summary line."""
    paint: Callable[[str, str], str] = (
        (lambda s, code: f"\033[{code}m{s}\033[0m") if colour else (lambda s, code: s)
    )
    lines = []
    for check in report.checks:
        if check.status not in (FAIL, WARN):
            continue
        label = paint("FAIL", "31;1") if check.status == FAIL else paint("WARN", "33;1")
        where = f"{check.subject}: {check.pointer}" if check.pointer else check.subject
        lines.append(f"{label} {where}: [{check.check}] {_detail(check)}")
    counts = report.counts()
    noun = "manifest" if counts["subjects"] == 1 else "manifests"
    verdict = paint("failed", "31;1") if not report.ok else paint("ok", "32;1")
    lines.append(
        f"{report.command}: {counts['subjects']} {noun} checked, "
        f"{counts['failed_subjects']} failed, {counts['warnings']} warnings: {verdict}"
    )
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> dict[str, Any]:
    by_subject: dict[str, list[Check]] = {s: [] for s in report.subjects}
    for check in report.checks:
        by_subject.setdefault(check.subject, []).append(check)
    return {
        "command": report.command,
        "ok": report.ok,
        "counts": report.counts(),
        "subjects": [
            {
                "subject": subject,
                "ok": all(c.status != FAIL for c in checks),
                "checks": [c.as_json() for c in checks],
            }
            for subject, checks in by_subject.items()
        ],
        **report.extra,
    }


def json_text(report: Report) -> str:
    return json.dumps(as_json(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def junit(report: Report) -> str:
    """JUnit XML: one test case per subject and check."""
    counts = report.counts()
    suites = ET.Element("testsuites", name=f"manifest {report.command}")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"manifest {report.command}",
        tests=str(counts["checks"]),
        failures=str(counts["failures"]),
        errors="0",
        skipped="0",
    )
    for check in report.checks:
        case = ET.SubElement(suite, "testcase", classname=check.subject, name=check.check)
        if check.status == FAIL:
            failure = ET.SubElement(case, "failure", message=_detail(check), type=check.check)
            failure.text = f"{check.pointer or '/'}: {_detail(check)}"
        elif check.status == WARN:
            out = ET.SubElement(case, "system-out")
            out.text = f"WARNING {check.pointer or '/'}: {_detail(check)}"
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(report: Report) -> str:
    """A Markdown summary for PR comments and CI step summaries."""
    counts = report.counts()
    icon = "✅" if report.ok else "❌"
    lines = [
        f"### {icon} manifest {report.command}: "
        f"{counts['subjects']} checked, {counts['failed_subjects']} failed, "
        f"{counts['warnings']} warnings",
        "",
    ]
    shown = [c for c in report.checks if c.status in (FAIL, WARN)]
    if shown:
        lines += [
            "| | file | check | field | problem |",
            "|---|---|---|---|---|",
        ]
        for c in shown:
            mark = "❌" if c.status == FAIL else "⚠️"
            cells = [mark, f"`{c.subject}`", c.check, f"`{c.pointer or '/'}`", _detail(c)]
            lines.append("| " + " | ".join(_md_cell(x) for x in cells) + " |")
    else:
        lines.append("Every check holds.")
    return "\n".join(lines) + "\n"


def render(report: Report, fmt: str, *, stream: TextIO | None = None) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json_text(report)
    if fmt == "junit":
        return junit(report)
    if fmt == "markdown":
        return markdown(report)
    return text(report, colour=_use_colour(stream or sys.stdout))
