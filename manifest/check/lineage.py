"""The ``lineage`` contract: is a run auditable? Each requirement names what
a manifest must record for someone to say what produced it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..lineage.audit import NEEDS
from .finding import ContractRule, Finding

if TYPE_CHECKING:
    from .upstream import LineageAudit


def _git(manifest: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    git = (manifest.get("code") or {}).get("git") or {}
    return git, None if git.get("available") else f"git not available: {git.get('reason')}"


def _owner(m: Mapping[str, Any]) -> tuple[str, str] | None:
    owner = m.get("owner")
    return None if isinstance(owner, str) and owner.strip() else ("/owner", "no owner")


def _code_version(m: Mapping[str, Any]) -> tuple[str, str] | None:
    git, absent = _git(m)
    if absent or not git.get("commit"):
        return "/code/git/commit", absent or "no commit (nothing committed yet)"
    return None


def _clean_tree(m: Mapping[str, Any]) -> tuple[str, str] | None:
    git, absent = _git(m)
    if absent or git.get("dirty") is not False:
        return (
            "/code/git/dirty",
            absent or f"uncommitted changes ({len(git.get('changed') or ())} paths)",
        )
    return None


def _inputs_hashed(m: Mapping[str, Any]) -> tuple[str, str] | None:
    for index, item in enumerate(m.get("inputs") or ()):
        if not item.get("sha256"):
            return f"/inputs/{index}/sha256", f"input {item.get('key')!r} has no sha256"
    return None


def _parents(m: Mapping[str, Any]) -> tuple[str, str] | None:
    return (
        None if (m.get("lineage") or {}).get("parents") else ("/lineage/parents", "no parent runs")
    )


def _seed(m: Mapping[str, Any]) -> tuple[str, str] | None:
    recorded = any(v is not None for v in (m.get("seeds") or {}).values())
    return None if recorded else ("/seeds", "no seed recorded")


# each: (pointer, what is missing) when the manifest lacks it, else None
LINEAGE: dict[str, Callable[[Mapping[str, Any]], tuple[str, str] | None]] = {
    "owner": _owner,
    "code_version": _code_version,
    "clean_tree": _clean_tree,
    "inputs_hashed": _inputs_hashed,
    "parents": _parents,
    "seed": _seed,
}


def lineage(*, require: Sequence[str], runs: LineageAudit | None = None) -> ContractRule:
    """Every item of ``require`` is recorded: ``owner``; ``code_version`` (a
    git commit); ``clean_tree`` (git, not dirty); ``inputs_hashed`` (every
    input has a sha256); ``parents`` (at least one); ``seed`` (a non-null
    seed); and, judged by the known runs (``runs``, see
    :mod:`manifest.check.upstream`), ``inputs_traceable`` (every hashed input
    was written by an earlier recorded run, or is a declared version) and
    ``upstream_valid`` (every ancestor has a manifest that validates, and
    completed)."""
    checks = [(need, LINEAGE[need]) for need in require if need in LINEAGE]
    audited = [need for need in require if need in NEEDS]
    if audited and runs is None:
        raise ValueError(f"{', '.join(audited)} need the known runs: pass runs=")
    expected = ", ".join(require) + (f" ({runs.scope})" if audited and runs else "")
    recorded = f"records {', '.join(require)}"

    def rule(manifest: Mapping[str, Any]) -> Finding:
        gaps = [(need, gap) for need, check in checks if (gap := check(manifest))]
        if runs is not None and runs.gaps:
            found = runs.gaps.get((str(manifest.get("run_id")), manifest.get("digest")), ())
            gaps += [(g.need, (g.pointer, g.what)) for g in found if g.need in audited]
        if not gaps:
            return Finding(True, recorded, "", expected, "all recorded")
        found_text = "; ".join(f"{need}: {what}" for need, (_, what) in gaps)
        names = ", ".join(dict.fromkeys(need for need, _ in gaps))
        return Finding(False, f"unauditable: missing {names}", gaps[0][1][0], expected, found_text)

    return rule
