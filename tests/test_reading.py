"""Strict reading of manifest files and `manifest validate` on bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import only_manifest, run_cli, run_example
from manifest.core.canonical import manifest_digest
from manifest.core.reading import parse_json, read_json
from manifest.errors import InputError, ManifestFormatError


@pytest.mark.parametrize(
    ("data", "message", "pointer"),
    [
        pytest.param(b'{"a": 1', "truncated", "", id="truncated"),
        pytest.param(b'{"a": 1,, }', "malformed JSON", "", id="malformed"),
        pytest.param(b'{"m": {"x": 1, "x": 2}}', "duplicate key 'x'", "/m/x", id="duplicate"),
        pytest.param(
            b'{"metrics": {"acc": NaN}}', "NaN is not a JSON number", "/metrics/acc", id="nan"
        ),
        pytest.param(b'{"l": [1, -Infinity]}', "-Infinity is not a JSON number", "/l/1", id="inf"),
        pytest.param(b'{"p": {"lr": -1e400}}', "-1e400 is out of range", "/p/lr", id="overflow"),
        pytest.param(b'{"a": "\xff"}', "not UTF-8", "", id="not-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", "", id="deep"),
    ],
)
def test_bad_json_is_named(data: bytes, message: str, pointer: str) -> None:
    with pytest.raises(ManifestFormatError) as info:
        parse_json(data, file="m.json")
    assert message in info.value.message
    assert (info.value.pointer or "") == pointer
    assert info.value.describe().startswith(f"m.json: {pointer + ': ' if pointer else ''}")


def test_size_limit_and_unreadable(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(ManifestFormatError, match="too large"):
        read_json(big, limit=1024)
    with pytest.raises(InputError, match="no such file"):
        read_json(tmp_path / "nope.json")
    with pytest.raises(InputError, match="folder"):
        read_json(tmp_path)


@pytest.fixture
def example(workdir: Path) -> Path:
    assert run_example(workdir) == 0
    return only_manifest(workdir / "manifests")[0]


def test_validate_reports_every_bad_file(
    example: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = example.parent
    (folder / "truncated.json").write_bytes(example.read_bytes()[:100])
    (folder / "dup.json").write_text('{"run_id": "a", "run_id": "b"}')
    (folder / "latin1.json").write_bytes(b'{"owner": "J\xf6rg"}')
    nan = json.loads(example.read_text())
    text = json.dumps(nan).replace('"metrics": {"accuracy": ', '"metrics": {"accuracy": NaN, "x": ')
    (folder / "nan.json").write_text(text)
    # A number no double can hold: read as infinity, it would crash every
    # writer of JSON downstream (the digest, the runs index).
    huge = text.replace("NaN", "1e400")
    (folder / "huge.json").write_text(huge)
    capsys.readouterr()
    assert run_cli("validate", str(folder)) == 1
    out = capsys.readouterr().out
    assert f"{folder}/truncated.json: [parse] truncated" in out
    assert f"{folder}/dup.json: /run_id: [parse] duplicate key 'run_id'" in out
    assert f"{folder}/latin1.json: [parse] not UTF-8" in out
    assert f"{folder}/nan.json: /metrics/accuracy: [parse] NaN" in out
    assert f"{folder}/huge.json: /metrics/accuracy: [parse] 1e400 is out of range" in out
    assert "6 manifests checked, 5 failed" in out
    assert "Traceback" not in out


def test_a_number_too_large_for_a_double_is_named_by_every_reader(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = example.read_text().replace('"params": {', '"params": {"big": 1e400, ', 1)
    example.write_text(text)
    for command in (("show", str(example)), ("diff", str(example), str(example))):
        capsys.readouterr()
        assert run_cli(*command) == 2, command  # as for any manifest they cannot use
        assert "/params/big: 1e400 is out of range" in capsys.readouterr().err
    assert run_cli("ls", str(example.parent)) == 0
    out = capsys.readouterr().out
    assert "unreadable" in out and "1e400 is out of range" in out


def test_tampered_manifest_fails_its_digest(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = json.loads(example.read_text())
    manifest["metrics"]["accuracy"] = 0.99
    example.write_text(json.dumps(manifest, indent=2))
    capsys.readouterr()
    assert run_cli("validate", str(example)) == 1
    out = capsys.readouterr().out
    assert f"FAIL {example}: /digest: [digest] the digest does not match" in out


def test_schema_errors_name_the_pointer(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = json.loads(example.read_text())
    manifest["status"] = "done"
    manifest["artifacts"][0]["path"] = "../escape"
    manifest["digest"] = manifest_digest(manifest)
    example.write_text(json.dumps(manifest))
    capsys.readouterr()
    assert run_cli("validate", str(example)) == 1
    out = capsys.readouterr().out
    assert f"{example}: /status: [schema]" in out
    assert f"{example}: /artifacts/0/path: [schema]" in out


def test_validate_exit_codes(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("validate", str(example)) == 0
    assert run_cli("validate", str(tmp_path / "missing")) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert run_cli("validate") == 2
    assert run_cli("validate", "--format", "yaml", str(example)) == 2


def test_a_device_that_never_ends_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a character device, not a regular file"):
        read_json(Path("/dev/zero"), limit=1024)


def test_folder_named_like_a_manifest_is_skipped(tmp_path: Path) -> None:
    from manifest.check.validate import discover

    (tmp_path / "odd.json").mkdir()
    (tmp_path / "real.json").write_text("{}")
    assert discover([tmp_path]) == [tmp_path / "real.json"]
