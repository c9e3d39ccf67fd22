"""Canonical JSON: the fast path is byte-identical to the RFC 8785 reference."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
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


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(float("nan"), "nan is not a JSON number", id="nan"),
        pytest.param(float("inf"), "inf is not a JSON number", id="inf"),
        pytest.param([-float("inf")], "-inf is not a JSON number", id="minus-inf"),
        pytest.param(2**53, "9007199254740992 exceeds safe integer domain", id="2**53"),
        pytest.param(-(2**53), "-9007199254740992 exceeds safe integer domain", id="-2**53"),
        pytest.param({1: "a"}, "", id="int-key"),
        pytest.param("\ud800", "", id="lone-surrogate"),
    ],
)
def test_unrepresentable_values_raise(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^cannot canonicalize: {message}"):
        canonical_bytes(value)


@pytest.fixture
def reference_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every value handed to the (slow) reference implementation."""
    calls: list[object] = []
    real: Callable[[object], bytes] = rfc8785.dumps

    def spy(value: object) -> bytes:
        calls.append(value)
        return real(value)

    monkeypatch.setattr(rfc8785, "dumps", spy)
    return calls


def test_plain_documents_take_the_fast_path(reference_calls: list[object]) -> None:
    """The reference is several times slower: a manifest of plain values,
    bounds of the fast range included, must not reach it."""
    document = {
        "run_id": "r1",
        "ok": True,
        "failed": False,
        "parent": None,
        "seed": 7,
        "ints": [-(2**53) + 1, 2**53 - 1, 0],
        "floats": [0.5, 1e-4, -1e-4, 1e15 + 0.5, 1.0, 2.0**53 - 1],
        "nested": {"metrics": {"loss": 0.25}},
    }
    assert canonical_bytes(document) == rfc8785.dumps(document)
    reference_calls.clear()
    canonical_bytes(document)
    assert reference_calls == []


@pytest.mark.parametrize(
    ("value", "formatted"),
    [
        pytest.param(1e-7, [1e-7], id="tiny"),
        pytest.param([0.5, 1e21], [1e21], id="huge"),
        pytest.param({"a": 9.999999999999999e-05}, [9.999999999999999e-05], id="just-below-1e-4"),
    ],
)
def test_only_odd_floats_reach_the_reference(
    reference_calls: list[object], value: object, formatted: list[float]
) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)
    assert reference_calls[: len(formatted)] == formatted


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"\U0001f600": 1, "\ufb01": 2}, id="non-ascii-keys-only"),
        pytest.param({"\x000\x00": 1e-7}, id="placeholder-lookalike-key"),
        pytest.param({"a": "\x000\x00", "b": 1e-7}, id="placeholder-lookalike-string"),
        pytest.param(["\x000\x00", [1e21]], id="placeholder-lookalike-in-list"),
    ],
)
def test_what_only_the_reference_handles(reference_calls: list[object], value: object) -> None:
    """UTF-16 key order and strings that look like the fast path's placeholders."""
    assert canonical_bytes(value) == rfc8785.dumps(value)
    assert reference_calls[0] == value


def test_digest_ignores_the_digest_field() -> None:
    body = {"a": 1}
    assert manifest_digest({**body, "digest": "sha256:x"}) == manifest_digest(body)
    assert manifest_digest(body) == "sha256:" + hashlib.sha256(b'{"a":1}').hexdigest()
    assert manifest_digest({"a": 2}) != manifest_digest(body)


def test_pretty_bytes_is_sorted_indented_utf8() -> None:
    assert pretty_bytes({"b": 1, "a": [1.5]}) == b'{\n  "a": [\n    1.5\n  ],\n  "b": 1\n}\n'
    assert pretty_bytes({"owner": "Zoë"}) == '{\n  "owner": "Zoë"\n}\n'.encode()
    with pytest.raises(ValueError, match="not JSON compliant"):
        pretty_bytes({"loss": float("nan")})


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


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"a": 1e-07}, id="one-odd-float"),
        pytest.param({"a": [1e-07, 1e-07, 2.5e-05]}, id="repeated-odd-floats"),
        pytest.param({"a": [1e16, 1e300, 1e21, 1e-05]}, id="huge-and-tiny"),
        pytest.param({"a": 1e300, "b": "x"}, id="same-in-both-forms"),
    ],
)
def test_parsed_manifest_takes_the_cheap_canonical_form(body: dict[str, object]) -> None:
    """Validate reads thousands of manifests: an ASCII manifest whose odd
    floats are unambiguous gets its canonical form without a second walk."""
    from manifest.core.reading import parse_manifest

    _, canonical = parse_manifest(json.dumps({**body, "digest": "x"}).encode(), file="m")
    assert canonical == rfc8785.dumps(body)
