"""A model's history: hash-chained entries, replayed to the state they claim.

Each entry (a promotion or a rollback) links the previous entry by its
digest and records the state after it: the production version and the
rollback candidate. Promoting version N pushes the current production
version onto the rollback stack; a rollback restores the top of that stack.
:func:`replay` re-hashes and re-plays a history, so any edit is detected.
"""

from __future__ import annotations

from typing import Any

from ..core.canonical import digest_of
from ..errors import EXIT_FAILED, ManifestError


class TamperedError(ManifestError):
    """A registry file whose history does not hash or replay to what it says."""

    exit_code = EXIT_FAILED


def _entry_digest(entry: dict[str, Any]) -> str:
    return digest_of({k: v for k, v in entry.items() if k != "digest"})


def replay(history: list[dict[str, Any]], *, file: str) -> tuple[int | None, int | None]:
    """Check the chain and the states of ``history``; the final (production,
    rollback candidate). Raises :class:`TamperedError` at the first break."""
    stack: list[int] = []
    production: int | None = None
    previous: str | None = None
    versions = 0
    for index, entry in enumerate(history):

        def broken(
            field: str, expected: Any, found: Any, why: str, where: str = f"/history/{index}"
        ) -> TamperedError:
            return TamperedError(
                f"the history was edited: {why}",
                file=file,
                pointer=f"{where}/{field}",
                expected=str(expected),
                found=str(found),
                hint="restore the file from git",
            )

        if entry["digest"] != _entry_digest(entry):
            raise broken(
                "digest",
                _entry_digest(entry),
                entry["digest"],
                "an entry does not match its digest",
            )
        if entry["previous"] != previous:
            raise broken(
                "previous", previous, entry["previous"], "an entry does not link the one before it"
            )
        if entry["seq"] != index + 1:
            raise broken("seq", index + 1, entry["seq"], "entries are missing or reordered")
        if entry["action"] == "promote":
            versions += 1
            if entry["version"] != versions:
                raise broken("version", versions, entry["version"], "version numbers skip")
            if production is not None:
                stack.append(production)
            production = entry["version"]
        else:
            if not stack or entry["version"] != stack[-1]:
                raise broken(
                    "version",
                    stack[-1] if stack else None,
                    entry["version"],
                    "a rollback restores a version that was not the candidate",
                )
            production = stack.pop()
        state = (production, stack[-1] if stack else None)
        if (entry["production"], entry["rollback_candidate"]) != state:
            raise broken(
                "production",
                state[0],
                entry["production"],
                "the recorded state does not follow from the history",
            )
        previous = entry["digest"]
    return production, stack[-1] if stack else None


def _state(history: list[dict[str, Any]]) -> tuple[int | None, list[int]]:
    """The production version and the rollback stack after ``history``."""
    stack: list[int] = []
    production: int | None = None
    for entry in history:
        if entry["action"] == "promote":
            if production is not None:
                stack.append(production)
            production = entry["version"]
        else:
            production = stack.pop()
    return production, stack


def new_entry(
    history: list[dict[str, Any]],
    *,
    action: str,
    version: int,
    who: str,
    when: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    """The entry that follows ``history``, linked to its last entry, state filled in."""
    production, stack = _state(history)
    if action == "promote":
        if production is not None:
            stack.append(production)
        production = version
    else:
        production = stack.pop()
    entry = {
        "seq": len(history) + 1,
        "action": action,
        "version": version,
        "previous": history[-1]["digest"] if history else None,
        "who": who,
        "when": when,
        **details,
        "production": production,
        "rollback_candidate": stack[-1] if stack else None,
    }
    entry["digest"] = _entry_digest(entry)
    return entry
