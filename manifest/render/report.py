"""Reporters: a :class:`~manifest.core.results.Report` as text, JSON, JUnit XML or
Markdown. The CLI picks one by name; reporters return strings and never
decide exit codes.

Every failure and warning names the file, the JSON pointer, the check (the
contract id for contracts), expected versus found, and for contracts the
owner and the action. A report of ``validate`` with contracts also carries
``extra["contracts"]``, from which text and Markdown add a table of each
contract's outcome over all manifests.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO
from xml.etree import ElementTree as ET

from ..core.results import FAIL, PASS, WARN, Check, Report
from .escape import escape, xml_text
from .escape import json_text as safe_json
from .table import columns, md_code, md_table

FORMATS = ("text", "json", "junit", "markdown")
# A GitHub step summary holds at most 1 MiB and a PR comment 65,536 characters.
MARKDOWN_MAX_ROWS = 200


def _detail(check: Check) -> str:
    """Message, expected and found, owner and action, as one line of raw text
    (each reporter encodes it for its format)."""
    text = check.message
    if check.expected is not None or check.found is not None:
        text += f" (expected {check.expected}, found {check.found})"
    if check.owner or check.action:
        text += f" [owner {check.owner or '-'}, action {check.action or '-'}]"
    return text


def _use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


CONTRACT_HEADER = ["contract", "kind", "severity", PASS, WARN, FAIL, "owner", "action"]


def contract_rows(report: Report) -> list[list[str]]:
    """Per contract of ``extra["contracts"]``, as cells under
    :data:`CONTRACT_HEADER`: its declaration and how many manifests it
    passed, warned and failed (manifests it does not apply to, or that fail
    the manifest schema, are not counted)."""
    declared = (report.extra.get("contracts") or {}).get("contracts") or []
    tally = {c["id"]: {PASS: 0, WARN: 0, FAIL: 0} for c in declared}
    for check in report.checks:
        if check.kind is not None and check.check in tally:
            tally[check.check][check.status] += 1
    return [
        [escape(c["id"]), escape(c["kind"]), escape(c["severity"])]
        + [str(tally[c["id"]][s]) for s in (PASS, WARN, FAIL)]
        + [escape(c["owner"]), escape(c["action"])]
        for c in declared
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    numeric = {i for i, h in enumerate(header) if h in (PASS, WARN, FAIL)}
    return columns([header, *rows], right=numeric)


def _summary(report: Report) -> str:
    counts = report.counts()
    noun = "manifest" if counts["subjects"] == 1 else "manifests"
    return (
        f"{report.command}: {counts['subjects']} {noun} checked, "
        f"{counts['failed_subjects']} failed, {counts['warnings']} warnings"
    )


def _contracts_note(report: Report) -> str:
    contracts = report.extra.get("contracts")
    if not contracts:
        return ""
    strict = ", strict" if report.extra.get("strict") else ""
    return f" ({len(contracts['contracts'])} contracts from {escape(contracts['file'])}{strict})"


def text(report: Report, *, colour: bool = False) -> str:
    """Failures and warnings, one per line; a table of the contracts; a summary."""
    paint: Callable[[str, str], str] = (
        (lambda s, code: f"\033[{code}m{s}\033[0m") if colour else (lambda s, code: s)
    )
    lines = []
    for check in report.checks:
        if check.status not in (FAIL, WARN):
            continue
        label = paint("FAIL", "31;1") if check.status == FAIL else paint("WARN", "33;1")
        where = f"{check.subject}: {check.pointer}" if check.pointer else check.subject
        lines.append(f"{label} {escape(where)}: [{escape(check.check)}] {escape(_detail(check))}")
    rows = contract_rows(report)
    if rows:
        lines += _table(CONTRACT_HEADER, rows)
    verdict = paint("failed", "31;1") if not report.ok else paint("ok", "32;1")
    lines.append(f"{_summary(report)}: {verdict}{_contracts_note(report)}")
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON data (``schemas/report.schema.json`` for validate)."""
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
    text = json.dumps(as_json(report), indent=2, sort_keys=True, ensure_ascii=False)
    return safe_json(text) + "\n"


def junit(report: Report) -> str:
    """JUnit XML: one test case per subject and check (several findings of
    one check, such as schema errors, are one failing case)."""
    cases: dict[tuple[str, str], list[Check]] = {}
    for check in report.checks:
        cases.setdefault((check.subject, check.check), []).append(check)
    failing = sum(any(c.status == FAIL for c in group) for group in cases.values())
    suites = ET.Element("testsuites", name=f"manifest {report.command}")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"manifest {report.command}",
        tests=str(len(cases)),
        failures=str(failing),
        errors="0",
        skipped="0",
    )
    for (subject, name), group in cases.items():
        where = xml_text(subject)
        case = ET.SubElement(suite, "testcase", classname=where, name=xml_text(name), file=where)
        failed = [c for c in group if c.status == FAIL]
        warned = [c for c in group if c.status == WARN]
        if failed:
            first = failed[0]
            failure = ET.SubElement(
                case, "failure", message=xml_text(_detail(first)), type=xml_text(first.kind or name)
            )
            failure.text = "\n".join(
                xml_text(f"{subject}: {c.pointer or '/'}: {_detail(c)}") for c in failed
            )
        elif warned:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(
                xml_text(f"WARNING {c.pointer or '/'}: {_detail(c)}") for c in warned
            )
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def markdown(report: Report, *, max_rows: int = MARKDOWN_MAX_ROWS) -> str:
    """A Markdown summary for PR comments and CI step summaries: failures and
    warnings (at most ``max_rows``), then the contracts' outcomes."""
    counts = report.counts()
    icon = "✅" if report.ok else "❌"
    lines = [
        f"### {icon} manifest {report.command}: "
        f"{counts['subjects']} checked, {counts['failed_subjects']} failed, "
        f"{counts['warnings']} warnings{_contracts_note(report)}",
        "",
    ]
    shown = [c for c in report.checks if c.status in (FAIL, WARN)]
    if shown:
        header = ["", "file", "check", "field", "problem", "expected", "found", "owner", "action"]
        rows = [
            [
                "❌" if c.status == FAIL else "⚠️",
                md_code(c.subject),
                c.check,
                md_code(c.pointer or "/"),
                c.message,
                c.expected or "",
                c.found or "",
                c.owner or "",
                c.action or "",
            ]
            for c in shown[:max_rows]
        ]
        lines += md_table(header, rows)
        if len(shown) > max_rows:
            lines += ["", f"... and {len(shown) - max_rows} more (see `--format json`)."]
    else:
        lines.append("Every check holds.")
    contracts = contract_rows(report)
    if contracts:
        lines += ["", "<details><summary>Contracts</summary>", ""]
        lines += md_table(CONTRACT_HEADER, contracts)
        lines += ["", "</details>"]
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
