"""Canonical JSON: the fast path is byte-identical to the RFC 8785 reference."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from manifest.core.atomic import atomic_write
from manifest.core.canonical import canonical_bytes, manifest_digest, pretty_bytes

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_fast_path_matches_rfc8785(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(ValueError):
            canonical_bytes(value)
        return
    assert canonical_bytes(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(1.0, id="integral-float"),
        pytest.param(1e-7, id="tiny"),
        pytest.param(1e21, id="huge"),
        pytest.param(123456789012345680000.0, id="big-integral"),
        pytest.param(-0.0, id="negative-zero"),
        pytest.param({"é": 1, "z": 2, "\U0001f600": 3, "\ufb01": 4}, id="utf16-key-order"),
        pytest.param('\u2028\x7f\x00\x1f"\\', id="escapes"),
        pytest.param([0.1, 0.0001, 9999999999999998.0, 1e16], id="boundaries"),
    ],
)
def test_edge_cases_match_rfc8785(value: object) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**53, {1: "a"}, "\ud800"])
def test_unrepresentable_values_raise(value: object) -> None:
    with pytest.raises(ValueError):
        canonical_bytes(value)


def test_digest_ignores_the_digest_field() -> None:
    body = {"a": 1}
    assert manifest_digest({**body, "digest": "sha256:x"}) == manifest_digest(body)
    assert pretty_bytes({"b": 1, "a": [1.5]}) == b'{\n  "a": [\n    1.5\n  ],\n  "b": 1\n}\n'


def test_atomic_write_never_leaves_a_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "m.json"
    atomic_write(target, b"old")

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new content")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_no_overwrite_mode(tmp_path: Path) -> None:
    target = tmp_path / "m.json"
    atomic_write(target, b"first", overwrite=False)
    with pytest.raises(FileExistsError):
        atomic_write(target, b"second", overwrite=False)
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_parsed_manifest_canonical_form_matches_rfc8785(value: dict[str, object]) -> None:
    from manifest.core.reading import parse_manifest

    value = {**value, "digest": "sha256:x"}
    try:
        expected = rfc8785.dumps({k: v for k, v in value.items() if k != "digest"})
    except rfc8785.CanonicalizationError:
        return
    for data in (pretty_bytes(value), json.dumps(value).encode()):
        document, canonical = parse_manifest(data, file="m.json")
        assert document == value
        if canonical is not None:
            assert canonical == expected
        assert canonical_bytes({k: v for k, v in document.items() if k != "digest"}) == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"a": 1e-09, "b": "1e-09"}, id="repr-inside-a-string"),
        pytest.param({"a": 1e-09, "b": 1.1e-09}, id="repr-inside-a-number"),
        pytest.param({"a": [1e-07, 1e-07, 2.5e-05, 1e16, 1e300, 1.0, -0.0]}, id="odd-floats"),
    ],
)
def test_parsed_manifest_tricky_floats(body: dict[str, object]) -> None:
    from manifest.core.reading import parse_manifest

    _, canonical = parse_manifest(json.dumps({**body, "digest": "x"}).encode(), file="m")
    assert (canonical or canonical_bytes(body)) == rfc8785.dumps(body)
