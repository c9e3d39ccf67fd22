"""Bounds on what an untrusted manifest can make ``verify`` compose and resolve.

Recorded overrides are applied to the repository's config and the result is
resolved: a manifest of a few kilobytes could hang ``verify`` (CPU and memory
rising) with interpolations that double at every level (``+a1=${a0}${a0}``,
``+a2=${a1}${a1}``, ...) or that nest without end. Before Hydra sees them,
the overrides are bounded in number, length and nesting
(:func:`override_problem`); after composing, before anything is resolved,
the size that every value would expand to is computed from the config as
written (:func:`expansion_problem`: each interpolation counts the full size
of what it refers to, recursively; a cycle is refused), and refused past a
limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_PLAIN_KEY = re.compile(r"^\.*[A-Za-z_][\w\-]*(\.[\w\-]+|\[\d+\])*$")

MAX_OVERRIDES = 1000
MAX_OVERRIDE_CHARS = 10_000
MAX_TOTAL_CHARS = 200_000
MAX_NESTING = 16
MAX_EXPANSION = 4 * 1024 * 1024  # characters a resolved config may reach
MAX_REFERENCES = 100_000


def nesting(text: str) -> int:
    """How deeply ``${`` nests in ``text``."""
    depth = deepest = 0
    index = 0
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            deepest = max(deepest, depth)
            index += 2
            continue
        if text[index] == "}" and depth:
            depth -= 1
        index += 1
    return deepest


def override_problem(overrides: Sequence[str]) -> str | None:
    """Why ``overrides`` are too many, too long or nested too deeply, or None."""
    if len(overrides) > MAX_OVERRIDES:
        return f"{len(overrides)} overrides (at most {MAX_OVERRIDES})"
    total = 0
    for index, text in enumerate(overrides):
        total += len(text)
        if len(text) > MAX_OVERRIDE_CHARS:
            return f"override {index} is {len(text)} characters (at most {MAX_OVERRIDE_CHARS})"
        if nesting(text) > MAX_NESTING:
            deep = nesting(text)
            return f"override {index} nests interpolations {deep} deep (at most {MAX_NESTING})"
    if total > MAX_TOTAL_CHARS:
        return f"the overrides hold {total} characters (at most {MAX_TOTAL_CHARS})"
    return None


def references(text: str) -> list[str]:
    """The config keys that ``${...}`` in ``text`` refer to (resolver calls
    are looked into: their arguments may refer to keys too)."""
    found: list[str] = []
    index = 0
    while True:
        start = text.find("${", index)
        if start < 0:
            return found
        depth, end = 0, start
        while end < len(text):
            if text.startswith("${", end):
                depth += 1
                end += 2
                continue
            if text[end] == "}":
                depth -= 1
                if depth == 0:
                    break
            end += 1
        inner = text[start + 2 : end]
        head, colon, arguments = inner.partition(":")
        if colon and "${" not in head:  # a resolver: its arguments may name keys too
            found.extend(references(arguments))
            found.extend(a.strip() for a in arguments.split(",") if _PLAIN_KEY.match(a.strip()))
        elif "${" in inner:
            found.extend(references(inner))
        else:
            found.append(inner.strip())
        index = end + 1


class _Graph:
    """Sizes of a config as written, each value expanded by its references."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.sizes: dict[tuple[str, ...], int] = {}
        self.visiting: set[tuple[str, ...]] = set()
        self.steps = 0

    def node(self, path: tuple[str, ...]) -> Any:
        node = self.tree
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def target(self, key: str, where: tuple[str, ...]) -> tuple[str, ...]:
        if key.startswith("."):
            dots = len(key) - len(key.lstrip("."))
            base = where[: max(len(where) - (dots - 1), 0)]  # one dot: the same node
            return (*base, *[p for p in key.lstrip(".").split(".") if p])
        return tuple(p for p in key.replace("[", ".").replace("]", "").split(".") if p)

    def size(self, path: tuple[str, ...]) -> int:
        if path in self.sizes:
            return self.sizes[path]
        if path in self.visiting:
            raise ValueError(f"an interpolation cycle through {'.'.join(path) or 'the root'}")
        self.steps += 1
        if self.steps > MAX_REFERENCES:
            raise ValueError(f"more than {MAX_REFERENCES} interpolations to follow")
        self.visiting.add(path)
        value = self.node(path)
        if isinstance(value, dict):
            total = sum(self.size((*path, str(k))) for k in value) + 2
        elif isinstance(value, list):
            total = sum(self.size((*path, str(i))) for i in range(len(value))) + 2
        elif isinstance(value, str):
            total = len(value)
            for key in references(value):
                total += self.size(self.target(key, path[:-1]))
                if total > MAX_EXPANSION:
                    break
        else:
            total = len(str(value))
        self.visiting.discard(path)
        self.sizes[path] = min(total, MAX_EXPANSION + 1)
        return self.sizes[path]


def expansion_problem(tree: Any) -> str | None:
    """Why the config ``tree`` (as written, interpolations unresolved) would
    expand past :data:`MAX_EXPANSION` characters when resolved, or None."""
    graph = _Graph(tree)
    try:
        size = graph.size(())
    except ValueError as exc:
        return str(exc)
    if size > MAX_EXPANSION:
        return f"its values would expand to more than {MAX_EXPANSION} characters"
    return None
