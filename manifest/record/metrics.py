"""The metric vector: the numbers a task returned, flattened and checked.

A task returns a mapping; nested mappings are flattened with ``.``. What
cannot be recorded faithfully is an error naming the metric, and the run is
recorded as failed with it: a value that is not a finite number, a name that
is empty or holds a control character (it would forge output wherever it is
printed), and two names that flatten to one (``{"a": {"b": 1}, "a.b": 2}``
would keep one value and drop the other).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _metric_error(name: str, message: str) -> dict[str, str]:
    return {"type": "MetricError", "message": message, "metric": name}


def _name_problem(path: tuple[str, ...]) -> str | None:
    """Why a metric at ``path`` (its keys, outermost first) has no usable name."""
    if any(part == "" for part in path):
        return "is empty" if path == ("",) else "has an empty part"
    if any(_CONTROL.search(part) for part in path):
        return "holds a control character"
    return None


def _number(name: str, item: Any) -> tuple[int | float | None, dict[str, str] | None]:
    if isinstance(item, bool) or not isinstance(item, numbers.Real):
        message = f"metric {name!r} is not a number: {type(item).__name__} {item!r:.80}"
        return None, _metric_error(name, message)
    number = int(item) if isinstance(item, numbers.Integral) else float(item)
    if isinstance(number, float) and not math.isfinite(number):
        message = f"metric {name!r} is {number}: metrics must be finite numbers"
        return None, _metric_error(name, message)
    if isinstance(number, int) and abs(number) >= 2**53:
        number = float(number)
    return number, None


def metric_vector(value: Any) -> tuple[dict[str, int | float], dict[str, str] | None]:
    """The metric vector from a task's return value, and an error if it has one.

    A mapping (nested mappings flattened with ``.``) of finite numbers is the
    metric vector; None or any other non-mapping return is an empty one. A
    non-number, NaN or infinite value, an empty name or one holding a control
    character, and two names that flatten to one (``{"a": {"b": 1}, "a.b":
    2}``) are errors naming the metric.
    """
    if not isinstance(value, Mapping):
        return {}, None
    metrics: dict[str, int | float] = {}
    seen: dict[str, tuple[str, ...]] = {}
    pending: list[tuple[tuple[str, ...], Any]] = [((str(k),), v) for k, v in value.items()]
    while pending:
        path, item = pending.pop(0)
        name = ".".join(path)
        problem = _name_problem(path)
        if problem is not None:
            return {}, _metric_error(name, f"the metric name {name!r} {problem}")
        if isinstance(item, Mapping):
            pending.extend(((*path, str(k)), v) for k, v in item.items())
            continue
        if name in seen:
            first, second = (" -> ".join(repr(p) for p in q) for q in (seen[name], path))
            message = f"metrics {first} and {second} both flatten to {name!r}: rename one"
            return {}, _metric_error(name, message)
        number, error = _number(name, item)
        if error is not None:
            return {}, error
        assert number is not None
        metrics[name], seen[name] = number, path
    return dict(sorted(metrics.items())), None
