"""The deterministic part of the envelope: a record against one re-run.

Pure functions from two manifests (the record and a re-run with the same
parameters) to :class:`~manifest.core.results.Check` rows with evidence:
artifacts byte-identical where the envelope's ``identical`` globs ask, each
metric within ``|found - recorded| <= atol + rtol * |recorded|``, inputs
re-hashed. The differences of environment and code, context for any
failure, are in :mod:`manifest.verification.context`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.results import FAIL, PASS, WARN, Check
from ..core.tree import json_pointer

_LISTED = 8


def tolerance(envelope: Mapping[str, Any], metric: str) -> tuple[float, float]:
    """(atol, rtol) of ``metric``: its own entry, field by field over the
    default; 0 for what neither declares (exact equality)."""
    default = envelope.get("default") or {}
    own = (envelope.get("metrics") or {}).get(metric) or {}
    atol = own.get("atol", default.get("atol", 0.0))
    rtol = own.get("rtol", default.get("rtol", 0.0))
    return float(atol), float(rtol)


def within(found: float, recorded: float, atol: float, rtol: float) -> bool:
    return abs(found - recorded) <= atol + rtol * abs(recorded)


def must_be_identical(path: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, g) for g in globs)


def _artifact_check(
    subject: str,
    index: int,
    artifact: Mapping[str, Any],
    other: Mapping[str, Any] | None,
    strict: bool,
) -> Check:
    """One recorded artifact against the re-run's file of the same path."""
    path, expected = str(artifact["path"]), artifact["sha256"]
    pointer = json_pointer(["artifacts", index, "sha256"])
    if other is None:
        status, message, found = (FAIL if strict else WARN), "missing from the re-run", "no file"
    elif other["sha256"] == expected:
        status, message = PASS, f"byte-identical ({artifact['size']} bytes)"
        found = other["sha256"]
    elif strict:
        status, message = FAIL, f"not byte-identical ({artifact['size']} -> {other['size']} bytes)"
        found = other["sha256"]
    else:
        status, message = PASS, "differs, outside the envelope's identical globs"
        found = other["sha256"]
    return Check(subject, "artifact", status, f"{path}: {message}", pointer, expected, found)


def artifact_checks(
    subject: str,
    recorded: Sequence[Mapping[str, Any]],
    found: Sequence[Mapping[str, Any]],
    globs: Sequence[str],
) -> list[Check]:
    """Each recorded artifact against the re-run's; missing and extra files."""
    theirs = {str(a["path"]): a for a in found}
    checks = [
        _artifact_check(
            subject,
            index,
            artifact,
            theirs.get(str(artifact["path"])),
            must_be_identical(str(artifact["path"]), globs),
        )
        for index, artifact in enumerate(recorded)
    ]
    known = {str(a["path"]) for a in recorded}
    for path, other in sorted(theirs.items()):
        if path in known:
            continue
        status = FAIL if must_be_identical(path, globs) else WARN
        checks.append(
            Check(
                subject,
                "artifact",
                status,
                f"{path}: extra file in the re-run, not in the record",
                "/artifacts",
                expected="no file",
                found=other["sha256"],
            )
        )
    return checks


def metric_checks(
    subject: str,
    recorded: Mapping[str, Any],
    found: Mapping[str, Any],
    envelope: Mapping[str, Any],
) -> list[Check]:
    """Each recorded metric within its tolerance; missing and extra metrics."""
    checks = []
    for name, value in sorted(recorded.items()):
        pointer = json_pointer(["metrics", name])
        atol, rtol = tolerance(envelope, name)
        rule = f"|found - recorded| <= {atol:g} + {rtol:g}*|recorded|"
        if name not in found:
            checks.append(
                Check(
                    subject,
                    "metric",
                    FAIL,
                    f"{name}: missing from the re-run",
                    pointer,
                    expected=repr(value),
                    found="absent",
                )
            )
            continue
        other = found[name]
        ok = within(float(other), float(value), atol, rtol)
        delta = abs(float(other) - float(value))
        checks.append(
            Check(
                subject,
                "metric",
                PASS if ok else FAIL,
                f"{name}: |difference| = {delta:.6g}, {rule}",
                pointer,
                expected=repr(value),
                found=repr(other),
            )
        )
    for name in sorted(set(found) - set(recorded)):
        checks.append(
            Check(
                subject,
                "metric",
                WARN,
                f"{name}: the re-run reports a metric the record does not have",
                "/metrics",
                expected="absent",
                found=repr(found[name]),
            )
        )
    return checks


def input_checks(
    subject: str, recorded: Sequence[Mapping[str, Any]], found: Sequence[Mapping[str, Any]]
) -> list[Check]:
    """Each recorded input re-hashed now (by the re-run) against the record."""
    theirs = {(str(i["key"]), str(i["path"])): i for i in found}
    checks = []
    for index, item in enumerate(recorded):
        name = f"{item['key']} = {item['path']}"
        field = "sha256" if "sha256" in item else "version"
        pointer = json_pointer(["inputs", index, field])
        other = theirs.get((str(item["key"]), str(item["path"])))
        if other is None:
            checks.append(
                Check(
                    subject,
                    "input",
                    FAIL,
                    f"{name}: not read by the re-run",
                    pointer,
                    expected=str(item.get(field)),
                    found="absent",
                )
            )
        else:
            same = other.get(field) == item.get(field)
            checks.append(
                Check(
                    subject,
                    "input",
                    PASS if same else FAIL,
                    f"{name}: {'unchanged' if same else 'changed since the record'}",
                    pointer,
                    expected=str(item.get(field)),
                    found=str(other.get(field)),
                )
            )
    return checks
