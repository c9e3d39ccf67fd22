"""No secret in a manifest: what came from the environment, and keys named
like secrets.

Which values came from the environment is decided by OmegaConf's own
resolution, not by reading ``${...}`` text: the config is resolved twice more
with ``oc.env`` (and the clock's ``now`` and Hydra's ``hydra``, and every
leaf of the ``hydra`` node) answering marker strings of different lengths.
A value holding an environment marker, or that differs between the two
resolutions without holding a clock or Hydra marker (a resolver transformed
it), came from the environment, however it got there: a relative reference
(``${.password}``), a resolver's argument (``${oc.select:db.password}``), a
string (``postgres://u:${db.password}@h``), a list or a node. It is recorded
as the expression that produced it (the unresolved config text, which holds
no secret), at the outermost place where that expression is written. Values
from the clock are kept (and :mod:`manifest.verify` takes them from the
record); values from Hydra's runtime are kept and not compared.

Keys named like secrets (``manifest.redact``; by default password, secret,
token, api_key, credentials, ...) are recorded as ``<redacted>``, in the
parameters and in the overrides alike: a name matches when its words
(``db_password``: db, password; ``apiKey``: api, key) hold the words of a
pattern in a row, so ``max_tokens`` and ``tokenizer`` are not secrets; a
pattern with ``*`` or ``?`` is a glob over the whole key.
"""

from __future__ import annotations

import fnmatch
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.tree import MISSING, get, leaves, put
from ..errors import ConfigError
from .resolving import resolve_by_key

REDACTED = "<redacted>"
DEFAULT_REDACT = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "credentials",
    "credential",
)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_GLOB = frozenset("*?[")
SOURCES = ("env", "clock", "runtime")
_RESOLVERS = {"oc.env": "env", "now": "clock", "hydra": "runtime"}

Path = tuple[str, ...]


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(name)]


def secret_name(name: str, patterns: Iterable[str] = DEFAULT_REDACT) -> bool:
    """Whether the key ``name`` is named like a secret by ``patterns``."""
    words = _words(name)
    for pattern in patterns:
        if _GLOB & set(pattern):
            if fnmatch.fnmatchcase(name.lower(), pattern.lower()):
                return True
            continue
        wanted = _words(pattern)
        if wanted and any(words[i : i + len(wanted)] == wanted for i in range(len(words))):
            return True
    return False


_OVERRIDE = re.compile(
    r"^(?P<pre>~|\+\+|\+)?(?P<key>[^=@~+][^=@]*)(?P<pkg>@[^=]*)?=(?P<value>.*)$", re.S
)


def redact_overrides(overrides: Sequence[str], patterns: Iterable[str]) -> tuple[str, ...]:
    """``overrides`` with the value of every key named like a secret as
    ``<redacted>`` (an interpolation, which holds no secret, is kept)."""
    patterns = tuple(patterns)
    out = []
    for text in overrides:
        match = _OVERRIDE.match(text)
        if match is not None:
            key, value = match["key"], match["value"].strip()
            last = re.split(r"[./]", key)[-1]
            whole_expression = value.startswith("${") and value.endswith("}")
            if secret_name(last, patterns) and not whole_expression:
                text = f"{match['pre'] or ''}{key}{match['pkg'] or ''}='{REDACTED}'"
        out.append(text)
    return tuple(out)


def redact_names(params: Any, patterns: Iterable[str]) -> None:
    """Set, in place, every value under a key named like a secret to
    ``<redacted>``."""
    patterns = tuple(patterns)
    stack = [params]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                if secret_name(str(key), patterns):
                    node[key] = REDACTED
                else:
                    stack.append(node[key])
        elif isinstance(node, list):
            stack.extend(node)


@dataclass(frozen=True)
class Origins:
    """Where values of a config came from, as raw config paths (the place
    the expression is written): ``env`` (recorded as the expression),
    ``clock`` (``${now:}``) and ``runtime`` (Hydra's)."""

    env: frozenset[Path]
    clock: frozenset[Path]
    runtime: frozenset[Path]
    raw: dict[str, Any]  # the config as written (interpolations unresolved)
    resolved: dict[str, Any]  # resolved with markers: the true value where none shows


def _marker_tree(tree: Any, marker: str) -> Any:
    if isinstance(tree, dict):
        return {k: _marker_tree(v, marker) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_marker_tree(v, marker) for v in tree]
    return marker


def _copy_without_hydra(cfg: Any) -> Any:
    """A copy of ``cfg`` (node types kept) without its ``hydra`` node, which
    is large and replaced by markers anyway."""
    from omegaconf import OmegaConf

    return OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"])


def _resolved_with(work: Any, hydra_tree: Any, markers: Mapping[str, str]) -> dict[str, Any]:
    """``work`` (a copy: it is changed) resolved with each traced resolver
    and every leaf of the ``hydra`` node answering its source's marker; a
    top-level key that cannot be resolved so is all ``env`` (conservative)."""
    from omegaconf import OmegaConf

    from .._hydra.internal import resolvers_replaced

    OmegaConf.clear_cache(work)
    # a fresh root (masked_copy keeps no struct or read-only flag): a new key is allowed
    work["hydra"] = _marker_tree(hydra_tree, markers["runtime"]) if hydra_tree else {}
    replacements = {name: (lambda *a, _m=markers[src], **k: _m) for name, src in _RESOLVERS.items()}
    with resolvers_replaced(replacements):
        return resolve_by_key(work, lambda key, exc: markers["env"])


def _source(a: Any, b: Any, first: Mapping[str, str], second: Mapping[str, str]) -> str | None:
    text = f"{a!r}\0{b!r}"
    for src in SOURCES:
        if first[src] in text or second[src] in text:
            return src
    return "env" if a != b else None  # changed by a marker, but transformed


def _anchor(path: Path, raw_paths: set[Path]) -> Path:
    for end in range(len(path), 0, -1):
        if path[:end] in raw_paths:
            return path[:end]
    return path[:1]


def trace(cfg: Any, *, hydra_tree: Any = None, excluded: Sequence[str] = ()) -> Origins:
    """Where the values of ``cfg`` (a ``DictConfig``; its ``hydra`` node, or
    ``hydra_tree``, stands for Hydra's runtime) come from. ``excluded`` top
    keys are left out (``hydra``, ``manifest``)."""
    from omegaconf import OmegaConf

    container = OmegaConf.to_container(cfg, resolve=False)
    if not isinstance(container, dict):
        raise ConfigError("the config is not a mapping")
    if hydra_tree is None:
        hydra_tree = container.get("hydra")
    raw = {str(k): v for k, v in container.items() if k not in ("hydra", *excluded)}
    raw_paths = {p for p, _ in leaves(raw)}
    first = {s: f"hm{s}{secrets.token_hex(4)}x" for s in SOURCES}
    second = {s: f"hm{s}{secrets.token_hex(7)}y" for s in SOURCES}
    work = _copy_without_hydra(cfg)
    passes = [_resolved_with(work, hydra_tree, m) for m in (first, second)]
    a, b = ({k: v for k, v in p.items() if k in raw} for p in passes)
    found: dict[str, set[Path]] = {s: set() for s in SOURCES}
    flat_a, flat_b = dict(leaves(a)), dict(leaves(b))
    for path in flat_a.keys() | flat_b.keys():
        src = _source(flat_a.get(path, MISSING), flat_b.get(path, MISSING), first, second)
        if src is not None:
            found[src].add(_anchor(path, raw_paths))
    env = found["env"]
    return Origins(
        env=frozenset(env),
        clock=frozenset(found["clock"] - env),
        runtime=frozenset(found["runtime"] - env - found["clock"]),
        raw=raw,
        resolved=a,
    )


def expressions(params: dict[str, Any], origins: Origins) -> None:
    """Put, in ``params``, the expression of every value that came from the
    environment in its place (the whole subtree when that is where it is
    written)."""
    for path in sorted(origins.env, key=len):
        expression = get(origins.raw, path)
        if expression is MISSING:
            continue
        try:
            put(params, path, expression)
        except (KeyError, IndexError, ValueError, TypeError):
            continue  # inside a subtree already replaced by its expression
