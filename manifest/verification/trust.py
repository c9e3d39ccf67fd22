"""The trust boundary of ``verify``: what a manifest may make the repository run.

A manifest from a pull request is untrusted. It may only choose what the
repository's own configs already offer: a config (``config_name``, a file in
the repository's config folder) and task overrides in Hydra's grammar. The
task, its envelope and tolerances, callbacks, launchers, logging and search
paths come from the repository, so recorded overrides of ``manifest.*`` and
``hydra.*`` (also as ``+``, ``++``, ``~`` or a ``@manifest``/``@hydra``
package), sweeps, and anything naming a ``_target_`` are refused.

:func:`admit` recomposes the config from the repository with the recorded
overrides (:mod:`manifest.verification.recompose`: Hydra's composition only, nothing is
imported or run), takes the task from ``manifest.task`` of that config, and
compares the parameter vector with the record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.results import FAIL, PASS, Check
from ..core.tree import flatten, json_pointer
from ..record.settings import SCHEMA_NAME
from .bounds import override_problem
from .recompose import Recomposed
from .target import choose

# Where and by whom a manifest is written: no influence on what runs or is
# checked. Recorded overrides of these are dropped, not applied (verify
# writes its re-runs' manifests to a store of its own).
BOOKKEEPING = frozenset(
    {"manifest.store", "manifest.owner", "manifest.hash_cache", "manifest.parents"}
)
GUARDED_ROOTS = ("manifest", "hydra", SCHEMA_NAME)
_CONFIG_NAME = re.compile(r"[A-Za-z0-9_][\w\-]*(/[A-Za-z0-9_][\w\-]*)*")
_MAX_LISTED = 20


@dataclass(frozen=True)
class Screened:
    """Recorded overrides sorted into kept, ignored (bookkeeping) and refused."""

    kept: tuple[str, ...]
    ignored: tuple[str, ...]
    refused: tuple[tuple[int, str, str], ...]  # (index, override, reason)


def _root(key: str) -> str:
    if key.startswith("_global_."):
        key = key[len("_global_.") :]
    return re.split(r"[./]", key)[0]


def screen_overrides(overrides: Sequence[str]) -> Screened:
    """Sort recorded overrides by what the trust boundary allows."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException, OverrideParseException

    parser = OverridesParser.create()
    kept: list[str] = []
    ignored: list[str] = []
    refused: list[tuple[int, str, str]] = []
    for index, text in enumerate(overrides):
        try:
            override = parser.parse_override(text)
        except (OverrideParseException, HydraException) as exc:
            refused.append((index, text, f"not a Hydra override: {str(exc).splitlines()[0]}"))
            continue
        key = override.key_or_group
        package = override.package or ""
        if override.is_sweep_override():
            refused.append((index, text, "a sweep: a manifest records the overrides of one job"))
        elif _root(key) in GUARDED_ROOTS and key in BOOKKEEPING and not package:
            ignored.append(text)
        elif _root(key) in GUARDED_ROOTS:
            refused.append(
                (
                    index,
                    text,
                    f"overrides {_root(key)}.*: the task, envelope, tolerances and "
                    "Hydra settings come from the repository, never from a manifest",
                )
            )
        elif _root(package) in GUARDED_ROOTS:
            refused.append((index, text, f"places a config into the {_root(package)} package"))
        elif "_target_" in key.split(".") or "_target_" in text.partition("=")[2]:
            refused.append((index, text, "names a _target_ (code to instantiate) of its own"))
        else:
            kept.append(text)
    return Screened(tuple(kept), tuple(ignored), tuple(refused))


def config_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot name a config of the repository, or None."""
    if not isinstance(name, str) or not name:
        return "the manifest names no config (it was not recorded from a config file)"
    if not _CONFIG_NAME.fullmatch(name):
        return f"{name!r} is not a plain config name"
    return None


@dataclass(frozen=True)
class Admission:
    """What the trust boundary decided for one manifest."""

    checks: tuple[Check, ...]
    recomposed: Recomposed | None  # None: refused

    @property
    def refused(self) -> bool:
        return self.recomposed is None


def _text(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)  # a leaf: a scalar, [] or {}


def _override_checks(subject: str, screened: Screened) -> list[Check]:
    """A failing check per refused override, else one that lists what applies."""
    if screened.refused:
        return [
            Check(
                subject,
                "trust.overrides",
                FAIL,
                f"refused: {reason}",
                f"/overrides/{index}",
                found=text,
            )
            for index, text, reason in screened.refused
        ]
    note = f"; ignored (bookkeeping): {', '.join(screened.ignored)}" if screened.ignored else ""
    message = f"{len(screened.kept)} recorded override(s) applied{note}"
    return [Check(subject, "trust.overrides", PASS, message)]


def admit(
    manifest: Mapping[str, Any],
    subject: str,
    *,
    config_dir: Path,
    trust: bool = False,
    project_dir: Path | None = None,
) -> Admission:
    """Decide whether ``manifest`` may be re-run, and with what.

    Refused (``recomposed`` is None) when an override crosses the boundary,
    the config or task is not the repository's (a config of ``config_dir``
    declaring the task, or an app that the repository at ``project_dir``,
    default the current folder, names: :mod:`.target`), or the parameter
    vector differs from the record (unless ``trust``; the difference is then
    a failed ``params`` check).
    """
    checks: list[Check] = []

    def refuse(check: str, message: str, pointer: str) -> Admission:
        checks.append(Check(subject, check, FAIL, message, pointer))
        return Admission(tuple(checks), None)

    name = manifest.get("config_name")
    problem = config_name_problem(name)
    if problem:
        return refuse("trust.config", f"refused: {problem}", "/config_name")
    recorded = [str(o) for o in manifest.get("overrides") or []]
    bounds = override_problem(recorded)  # before Hydra parses anything of them
    if bounds:
        return refuse("trust.bounds", f"refused before composing: {bounds}", "/overrides")
    screened = screen_overrides(recorded)
    checks += _override_checks(subject, screened)
    if screened.refused:
        return Admission(tuple(checks), None)
    composed, task_check = choose(
        manifest,
        subject,
        screened.kept,
        config_dir=config_dir,
        project_dir=project_dir if project_dir is not None else Path.cwd(),
    )
    checks.append(task_check)
    if composed is None:
        return Admission(tuple(checks), None)
    checks.extend(param_checks(manifest, composed, subject, trust=trust))
    if any(c.status == FAIL for c in checks) and not trust:
        return Admission(tuple(checks), None)
    return Admission(tuple(checks), composed)


def param_checks(
    manifest: Mapping[str, Any], composed: Recomposed, subject: str, *, trust: bool
) -> list[Check]:
    """The ``params`` check: the recorded parameter vector against the one
    the repository composes, with every differing key as evidence."""
    recorded_digest = str(manifest.get("params_digest"))
    volatile = (
        f"; from the record (clock/runtime): {', '.join(composed.volatile)}"
        if composed.volatile
        else ""
    )
    if composed.params_digest == recorded_digest:
        return [
            Check(
                subject,
                "params",
                PASS,
                f"the repository composes the recorded parameter vector{volatile}",
                "/params_digest",
                expected=composed.params_digest,
                found=recorded_digest,
            )
        ]
    recorded = flatten(dict(manifest.get("params") or {}))
    ours = flatten(composed.params)
    keys = sorted(
        k
        for k in set(recorded) | set(ours)
        if recorded.get(k, ...) != ours.get(k, ...)
        or type(recorded.get(k)) is not type(ours.get(k))
    )
    action = "re-run anyway (--trust)" if trust else "refused (pass --trust to re-run anyway)"
    checks = [
        Check(
            subject,
            "params",
            FAIL,
            f"{action}: the recorded parameters are not what "
            f"the repository composes from the recorded overrides: {len(keys)} key(s) "
            f"differ: {', '.join(keys[:_MAX_LISTED])}",
            "/params_digest",
            expected=composed.params_digest,
            found=recorded_digest,
        )
    ]
    for key in keys[:_MAX_LISTED]:
        checks.append(
            Check(
                subject,
                "params",
                FAIL,
                f"{key} differs",
                json_pointer(["params", *key.split(".")]),
                expected=_text(ours[key]) if key in ours else "absent",
                found=_text(recorded[key]) if key in recorded else "absent",
            )
        )
    return checks
