"""Hostile input: manifests the schema must refuse (impossible dates, unknown
versions, control characters where names and paths go)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from validate_kit import Example, example_run, json_report, write_manifest


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    return example_run(tmp_path_factory)


def _set(pointer: str, value: Any) -> Any:
    def edit(m: dict[str, Any]) -> None:
        *parents, last = pointer.strip("/").split("/")
        node: Any = m
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


def _metric(name: str) -> Any:
    def edit(m: dict[str, Any]) -> None:
        m["metrics"] = {name: 1.0}

    return edit


@pytest.mark.parametrize(
    ("edit", "pointer"),
    [
        pytest.param(_set("/created", "2026-13-45T99:99:99Z"), "/created", id="impossible-date"),
        pytest.param(_set("/finished", "2026-02-30T10:00:00Z"), "/finished", id="february-30"),
        pytest.param(_set("/created", "2026-01-01T10:00:00+02:00"), "/created", id="not-utc"),
        pytest.param(_set("/schema_version", "1.99"), "/schema_version", id="unknown-version"),
        pytest.param(_set("/schema_version", "2.0"), "/schema_version", id="future-major"),
        pytest.param(
            _set("/artifacts/0/path", "model\x00.npz"), "/artifacts/0/path", id="nul-in-path"
        ),
        pytest.param(_set("/artifacts/0/path", "a\nb"), "/artifacts/0/path", id="newline-in-path"),
        pytest.param(_set("/owner", "team\x1b[2J"), "/owner", id="escape-in-owner"),
        pytest.param(_set("/hydra/run_dir", "out\rx"), "/hydra/run_dir", id="cr-in-run-dir"),
        pytest.param(_metric(""), "/metrics", id="empty-metric-name"),
        pytest.param(_metric("acc\n::error::x"), "/metrics", id="newline-in-metric-name"),
    ],
)
def test_schema_refuses(
    example: Example,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Any,
    pointer: str,
) -> None:
    path = write_manifest(tmp_path / "m.json", example, edit)
    before = path.read_bytes()
    code, report = json_report(capsys, path, "--no-contracts")
    assert code == 1
    [subject] = report["subjects"]
    failed = [c for c in subject["checks"] if c["status"] == "fail"]
    assert failed and all(c["check"] == "schema" for c in failed)
    assert any(c["pointer"].startswith(pointer) for c in failed), failed
    assert path.read_bytes() == before


def test_the_real_example_still_validates(
    example: Example, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = json_report(capsys, example.path, "--no-contracts")
    assert code == 0 and report["ok"]
