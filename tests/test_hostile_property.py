"""Property: no malformed manifest makes a reading command crash.

Hypothesis generates manifests that are broken in every way a pull request
could break them (a value of the wrong type or size anywhere, keys removed
or added, control characters, deep nesting, huge numbers, bytes that are not
JSON or not UTF-8), sealed again or not, and feeds each to validate, show,
ls, diff, verify, compare, gate and registry promote. Every answer must be an
exit code of 0, 1 or 2 with no traceback and no internal error (exit 3), and
the file must be left as it was.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runfactory import sweep
from validate_kit import Example, example_run

from conftest import CONF
from manifest.cli import main
from manifest.core.canonical import manifest_digest, pretty_bytes

POLICY = "rules:\n  - {metric: accuracy, direction: higher, threshold: 0.5}\n"
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "Cc", "Cf"]),
    max_size=40,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real manifest to break, a group of real runs, a policy."""
    example = example_run(tmp_path_factory)
    root = tmp_path_factory.mktemp("property")
    (root / "policy.yaml").write_text(POLICY)
    good = sweep(root, "good", {"accuracy": [0.8, 0.81, 0.82]})
    return {"example": example, "root": root, "good": good, "policy": root / "policy.yaml"}


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _paths(value, (*prefix, index))


@st.composite
def broken_manifests(draw: st.DrawFn, example: Example) -> bytes:
    manifest = copy.deepcopy(example.manifest)
    paths = [p for p in _paths(manifest) if p]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths))
        parent: Any = manifest
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(VALUES)
            elif action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(TEXT)] = draw(VALUES)
        except (KeyError, IndexError, TypeError):
            continue
    if draw(st.booleans()):
        with contextlib.suppress(ValueError, TypeError, RecursionError):
            manifest["digest"] = manifest_digest(manifest)  # sealed again: past the digest check
    try:
        data = pretty_bytes(manifest)
    except (ValueError, TypeError):
        data = json.dumps(manifest, default=str).encode()
    damage = draw(st.sampled_from(["none", "truncate", "bom", "latin1", "deep", "bytes"]))
    if damage == "truncate":
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    elif damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "latin1":
        data = data.replace(b'"', b'"\xe9', 1)
    elif damage == "deep":
        data = b"[" * 100_000 + b"]" * 100_000
    elif damage == "bytes":
        data = draw(st.binary(max_size=200))
    return data


def run(*args: str | Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue() + err.getvalue()


def commands(bad: Path, world: dict[str, Any], scratch: Path) -> list[list[str | Path]]:
    folder = bad.parent
    good_file = sorted(world["good"].glob("*.json"))[0]
    policy = world["policy"]
    return [
        ["validate", bad, "--no-contracts"],
        ["validate", bad, "--no-contracts", "--format", "junit"],
        ["show", bad],
        ["show", bad, "--format", "json"],
        ["ls", folder],
        ["diff", bad, good_file],
        ["compare", folder, world["good"]],
        ["gate", world["good"], folder, "--policy", policy],
        ["registry", "promote", "m", folder, "--baseline", world["good"], "--policy", policy,
         "--registry", scratch / "registry"],
    ]  # fmt: skip


def assert_clean(code: int, output: str, args: list[str | Path]) -> None:
    assert code in (0, 1, 2), (code, args, output[-2000:])
    assert "Traceback" not in output and "internal error" not in output, (args, output[-2000:])


@settings(
    max_examples=int(os.environ.get("HM_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_reading_commands_never_crash(
    world: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    raw = data.draw(broken_manifests(world["example"]))
    scratch = tmp_path_factory.mktemp("case")
    bad = scratch / "store" / "broken.json"
    bad.parent.mkdir()
    bad.write_bytes(raw)
    for args in commands(bad, world, scratch):
        assert_clean(*run(*args), args)
    assert bad.read_bytes() == raw
    shutil.rmtree(scratch, ignore_errors=True)


@settings(
    max_examples=int(os.environ.get("HM_PROPERTY_VERIFY_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_verify_never_crashes(
    world: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    raw = data.draw(broken_manifests(world["example"]))
    scratch = tmp_path_factory.mktemp("verify-case")
    bad = scratch / "broken.json"
    bad.write_bytes(raw)
    args: list[str | Path] = [
        "verify",
        bad,
        "--config-dir",
        CONF,
        "--no-diagnose",
        "--timeout",
        "60",
    ]
    old = Path.cwd()
    os.chdir(scratch)
    try:
        assert_clean(*run(*args), args)
    finally:
        os.chdir(old)
    assert bad.read_bytes() == raw
