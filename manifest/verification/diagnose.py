"""Likely sources of non-determinism, named when a re-run does not reproduce.

Evidence, not guesses: a second re-run with the same parameters and seed (the
control) separates run-to-run variation (an unseeded random number generator,
the clock, unordered iteration) from what changed since the record; the
artifacts that differ are searched for timestamps; the recorded and current
environments are compared for thread counts, hash seed, package versions and
interpreter; the code for commits and task source.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.results import WARN, Check
from ..core.tree import json_pointer
from .context import code_changes, environment_changes
from .envelope import must_be_identical, tolerance, within
from .rerun import Rerun

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
)
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T _]\d{2}:\d{2}(:\d{2})?|\b\d{2}:\d{2}:\d{2}\b|\b1[5-9]\d{8}(\.\d+)?\b"
)
_MAX_READ = 16 * 1024 * 1024
_LISTED = 8


def _artifacts(manifest: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(a["path"]): str(a["sha256"]) for a in (manifest or {}).get("artifacts") or []}


def failing(
    record: Mapping[str, Any], rerun: Mapping[str, Any], envelope: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """Artifacts (paths) and metrics (names) of ``record`` that ``rerun`` did
    not reproduce within the envelope."""
    theirs = _artifacts(rerun)
    paths = [
        p
        for p, sha in _artifacts(record).items()
        if must_be_identical(p, envelope.get("identical") or []) and theirs.get(p) != sha
    ]
    found = rerun.get("metrics") or {}
    names = [
        n
        for n, v in sorted((record.get("metrics") or {}).items())
        if n not in found or not within(float(found[n]), float(v), *tolerance(envelope, n))
    ]
    return paths, names


def _read(path: Path | None) -> bytes | None:
    if path is None or not path.is_file():
        return None
    with open(path, "rb") as handle:
        return handle.read(_MAX_READ)


def timestamp_in(path: str, mine: Path | None, other: Path | None) -> str | None:
    """Where ``path`` holds a timestamp: in the lines that differ between two
    re-runs when both are there, else anywhere; None when nowhere."""
    if (
        mine is not None
        and zipfile.is_zipfile(mine)
        and other is not None
        and zipfile.is_zipfile(other)
    ):
        with zipfile.ZipFile(mine) as a, zipfile.ZipFile(other) as b:
            if [i.date_time for i in a.infolist()] != [i.date_time for i in b.infolist()]:
                return "the modification times in its zip member headers"
        return None
    data = _read(mine)
    if data is None or b"\0" in data[:8192]:
        return None
    lines = data.decode("utf-8", "replace").splitlines()
    second = _read(other)
    others = second.decode("utf-8", "replace").splitlines() if second is not None else None
    for number, line in enumerate(lines, 1):
        if others is not None and number <= len(others) and others[number - 1] == line:
            continue
        match = _TIMESTAMP.search(line)
        if match:
            return f"line {number}: {line.strip()[:80]!r}"
    return None


def _run_to_run(
    record: Mapping[str, Any],
    primary: Rerun,
    control: Rerun | None,
    paths: list[str],
    names: list[str],
) -> tuple[list[tuple[str, str]], list[str], bool | None]:
    """Timestamps in the failing artifacts, and what else differs between the
    two re-runs (None for "agree" when there was no control)."""
    found: list[tuple[str, str]] = []
    stamped = []
    for path in paths:
        mine = primary.run_dir / path if primary.run_dir else None
        other = control.run_dir / path if control and control.run_dir else None
        where = timestamp_in(path, mine, other)
        if where:
            stamped.append(path)
            index = list(_artifacts(record)).index(path)
            found.append(
                (
                    json_pointer(["artifacts", index, "path"]),
                    f"timestamp in artifact {path} ({where}): write times outside the "
                    "identical artifacts, or derive them from SOURCE_DATE_EPOCH",
                )
            )
    if control is None or not control.completed or control.manifest is None:
        return found, [], None
    first, second = primary.manifest or {}, control.manifest
    a, b = _artifacts(first), _artifacts(second)
    ma, mb = first.get("metrics") or {}, second.get("metrics") or {}
    varying = [p for p in paths if a.get(p) != b.get(p)]
    varying += [n for n in names if ma.get(n) != mb.get(n)]
    unexplained = [v for v in varying if v not in stamped]
    if unexplained:
        found.append(
            (
                "/seeds",
                "unseeded RNG or other run-to-run variation: two re-runs with "
                "the same parameters and seed differ from each other in "
                f"{', '.join(unexplained[:_LISTED])}; seed every random generator "
                "from the config and keep clock values out of results",
            )
        )
    return found, varying, not varying


def _changed_conditions(
    record: Mapping[str, Any], rerun: Mapping[str, Any], *, explained: bool
) -> list[tuple[str, str]]:
    """Thread counts, hash seed, packages, interpreter and code that differ
    between the record and the re-run."""
    found: list[tuple[str, str]] = []
    old, new = record.get("environment") or {}, rerun.get("environment") or {}
    old_vars, new_vars = old.get("variables") or {}, new.get("variables") or {}
    threads = [
        f"{v} {old_vars.get(v, 'unset')} -> {new_vars.get(v, 'unset')}"
        for v in THREAD_VARIABLES
        if old_vars.get(v) != new_vars.get(v)
    ]
    if old.get("cpu_count") != new.get("cpu_count"):
        threads.append(f"cpu_count {old.get('cpu_count')} -> {new.get('cpu_count')}")
    if threads:
        found.append(
            (
                "/environment/variables",
                "thread count differs (parallel reductions "
                f"add up in another order): {', '.join(threads)}",
            )
        )
    seeds = (old_vars.get("PYTHONHASHSEED"), new_vars.get("PYTHONHASHSEED"))
    if seeds[0] != seeds[1] or (seeds[0] is None and not explained):
        found.append(
            (
                "/environment/variables/PYTHONHASHSEED",
                "hash seed: PYTHONHASHSEED "
                f"{seeds[0] or 'unset (random per process)'} in the record, "
                f"{seeds[1] or 'unset (random per process)'} now; str hashes and set "
                "order change between processes (test with --perturb)",
            )
        )
    env = environment_changes(old, new)
    if env["packages"]:
        found.append(
            (
                "/environment/packages",
                "package versions differ: " + ", ".join(env["packages"][:_LISTED]),
            )
        )
    if env["interpreter"]:
        found.append(
            ("/environment", "interpreter or platform differs: " + ", ".join(env["interpreter"]))
        )
    code = code_changes(record.get("code") or {}, rerun.get("code") or {})
    if code:
        found.append(("/code", "code changed since the record: " + ", ".join(code[:_LISTED])))
    return found


def diagnose(
    subject: str,
    record: Mapping[str, Any],
    envelope: Mapping[str, Any],
    primary: Rerun,
    control: Rerun | None,
) -> list[Check]:
    """``diagnosis`` rows (warnings) naming the likely sources of a failure:
    what varies from run to run (timestamps, unseeded RNG) first, then the
    conditions that changed since the record."""
    if not primary.completed or primary.manifest is None:
        return []
    paths, names = failing(record, primary.manifest, envelope)
    found, varying, agree = _run_to_run(record, primary, control, paths, names)
    explained = bool(varying) and set(varying) >= {*paths, *names}
    found += _changed_conditions(record, primary.manifest, explained=explained)
    if agree:
        found.append(
            (
                "/environment",
                "two re-runs agree with each other: the task is "
                "deterministic here, so the difference comes from what changed since "
                "the record (above) or from what a manifest does not record (hardware, "
                "BLAS build, an edited record)",
            )
        )
    return [Check(subject, "diagnosis", WARN, message, pointer) for pointer, message in found]


def controls_needed(record: Mapping[str, Any], primary: Rerun, envelope: Mapping[str, Any]) -> bool:
    """Whether a failure of ``primary`` calls for a control re-run."""
    if not primary.completed or primary.manifest is None:
        return False
    paths, names = failing(record, primary.manifest, envelope)
    return bool(paths or names)
