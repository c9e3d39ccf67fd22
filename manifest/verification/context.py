"""Context for a verification: what differs between a record and a re-run.

Differences of interpreter, platform, packages, numerics-relevant variables,
git state and task source are not failures (a newer NumPy may well give the
same bytes), but they are the first place to look when a check fails, so they
are reported as ``warn`` rows, and :mod:`manifest.verification.diagnose` draws on them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from ..core.results import PASS, WARN, Check
from ..core.tree import flatten

_LISTED = 8


def _changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    fa, fb = flatten(dict(a)), flatten(dict(b))
    out = []
    for key in sorted(set(fa) | set(fb)):
        if fa.get(key) != fb.get(key):
            out.append(
                f"{key} {json.dumps(fa.get(key, 'unset'))} -> {json.dumps(fb.get(key, 'unset'))}"
            )
    return out


def environment_changes(
    recorded: Mapping[str, Any], found: Mapping[str, Any]
) -> dict[str, list[str]]:
    """What differs between two environment sections, by part."""
    plain = ("python", "implementation", "platform", "machine", "cpu_count")
    return {
        "interpreter": _changes(
            {k: recorded.get(k) for k in plain}, {k: found.get(k) for k in plain}
        ),
        "packages": _changes(recorded.get("packages") or {}, found.get("packages") or {}),
        "variables": _changes(recorded.get("variables") or {}, found.get("variables") or {}),
    }


def code_changes(recorded: Mapping[str, Any], found: Mapping[str, Any]) -> list[str]:
    """What differs between two code sections (git state and task source)."""
    keep = ("commit", "dirty", "diff_sha256", "available")
    git_a = {k: v for k, v in (recorded.get("git") or {}).items() if k in keep}
    git_b = {k: v for k, v in (found.get("git") or {}).items() if k in keep}
    return _changes(
        {"git": git_a, "source": recorded.get("source") or {}},
        {"git": git_b, "source": found.get("source") or {}},
    )


def context_checks(
    subject: str,
    record: Mapping[str, Any],
    rerun: Mapping[str, Any],
    *,
    volatile: Collection[str] = (),
) -> list[Check]:
    """Environment, code and identity differences: context, never failures.
    Parameters under ``volatile`` keys (clock values) do not count."""
    env = environment_changes(record.get("environment") or {}, rerun.get("environment") or {})
    listed = [
        f"{part}: {', '.join(items[:_LISTED])}"
        + (f" (+{len(items) - _LISTED} more)" if len(items) > _LISTED else "")
        for part, items in env.items()
        if items
    ]
    code = code_changes(record.get("code") or {}, rerun.get("code") or {})
    return [
        _differs(
            subject,
            "environment",
            "; ".join(listed),
            "same interpreter, platform, packages and variables",
        ),
        _differs(subject, "code", ", ".join(code), "same git state and task source"),
        _identity(subject, record, rerun, volatile=volatile, code_changed=bool(code)),
    ]


def _differs(subject: str, part: str, changes: str, same: str) -> Check:
    message = f"differs from the record: {changes}" if changes else same
    return Check(subject, part, WARN if changes else PASS, message, f"/{part}")


def _identity(
    subject: str,
    record: Mapping[str, Any],
    rerun: Mapping[str, Any],
    *,
    volatile: Collection[str],
    code_changed: bool,
) -> Check:
    params = _without(record.get("params"), volatile) != _without(rerun.get("params"), volatile)
    parts = [
        name
        for name, differs in (
            ("params", params),
            ("code", code_changed),
            ("inputs", _hashes(record.get("inputs")) != _hashes(rerun.get("inputs"))),
        )
        if differs
    ]
    if record.get("identity_digest") == rerun.get("identity_digest"):
        message, status = "same task, parameters, code and inputs", PASS
    elif parts:
        message, status = f"identity differs in: {', '.join(parts)}", WARN
    else:
        message, status = "same task, parameters (clock values aside), code and inputs", PASS
    return Check(
        subject,
        "identity",
        status,
        message,
        "/identity_digest",
        expected=str(record.get("identity_digest")),
        found=str(rerun.get("identity_digest")),
    )


def _without(params: Any, keys: Collection[str]) -> dict[str, Any]:
    return {k: v for k, v in flatten(dict(params or {})).items() if k not in keys}


def _hashes(inputs: Any) -> list[tuple[Any, ...]]:
    return [(i.get("key"), i.get("path"), i.get("sha256"), i.get("version")) for i in inputs or []]
