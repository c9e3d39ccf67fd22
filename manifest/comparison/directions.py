"""Which way is better for each metric: declared, never guessed.

A direction (``higher`` or ``lower`` is better) comes from the runs
themselves (their config's ``manifest.metrics``, recorded as the manifest's
``directions``), from a policy's rules, or from ``--direction NAME=...``.
Sources that disagree are an error naming both; a metric that none declares
gets no better/worse verdict, only a message saying how to declare it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import UsageError
from .groups import Run

HIGHER, LOWER = "higher", "lower"
RECORDED = "declared by the runs"
UNDECLARED = "not declared"


class DirectionError(UsageError):
    """Two sources give one metric opposite directions."""


@dataclass(frozen=True)
class Direction:
    """A metric's direction (None when nobody declares it) and its source."""

    direction: str | None
    source: str


def how_to_declare(metric: str) -> str:
    """The message for a metric without a direction."""
    return (
        f"no direction is declared for {metric!r}, so no side is called better or worse: "
        f"declare it in the run config (manifest.metrics: {{{metric}: higher}}, or lower), "
        f"in the policy's rule, or with --direction {metric}=higher|lower"
    )


def _conflict(metric: str, first: tuple[str, str], second: tuple[str, str]) -> DirectionError:
    return DirectionError(
        f"metric {metric!r} has two directions: {first[0]} ({first[1]}) and "
        f"{second[0]} ({second[1]})",
        pointer=f"/directions/{metric}",
        expected="one direction per metric",
        found=f"{first[0]} and {second[0]}",
        hint="make the run configs, the policy and --direction agree",
    )


def resolve(
    metrics: Sequence[str],
    runs: Sequence[Run],
    declared: Sequence[tuple[str, Mapping[str, str]]] = (),
) -> dict[str, Direction]:
    """The direction of each of ``metrics``, from the ``runs`` and from each
    (source, mapping) in ``declared``. Raises :class:`DirectionError` when
    two of them disagree."""
    out = {}
    for metric in metrics:
        seen: tuple[str, str] | None = None
        for run in runs:
            direction = run.directions.get(metric)
            if direction is None:
                continue
            if seen is None:
                seen = (direction, f"{RECORDED}, e.g. {run.path}")
            elif direction != seen[0]:
                raise _conflict(metric, seen, (direction, f"declared by {run.path}"))
        source = RECORDED if seen else UNDECLARED
        for label, mapping in declared:
            direction = mapping.get(metric)
            if direction is None:
                continue
            if seen is not None and direction != seen[0]:
                raise _conflict(metric, seen, (direction, label))
            if seen is None:
                seen, source = (direction, label), label
        out[metric] = Direction(seen[0] if seen else None, source)
    return out


def improvement(direction: str | None, difference: float) -> float:
    """How much better the candidate is: the difference, signed by direction."""
    return -difference if direction == LOWER else difference
