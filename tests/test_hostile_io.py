"""Hostile input and hostile disks: files that never end, configs that are
not UTF-8, disks that are full or read-only, outputs aimed at inputs.

Each case asserts the exit code, a one-line message naming the file and
what is wrong, and that nothing was lost (inputs unchanged) or left behind
(no temporary file, lock file or half-written output).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from hostile_kit import (
    DISKS,
    assert_one_line_error,
    cli,
    cli_process,
    isolate_home,
    read_only_dir,
    sweep_groups,
    tree,
)

from conftest import CONF

Disk = Callable[[Path], AbstractContextManager[Path]]


@pytest.fixture(scope="module")
def groups(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return sweep_groups(tmp_path_factory.mktemp("hostile-groups"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate_home(tmp_path, monkeypatch)


def reasons_in(err: str, reasons: tuple[str, ...]) -> bool:
    return any(r in err for r in reasons)


# --- disks that refuse -------------------------------------------------------


@pytest.mark.parametrize(("disk", "reasons"), DISKS)
def test_run_with_the_store_on_a_bad_disk_exits_2_and_leaves_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], disk: Disk, reasons: tuple[str, ...]
) -> None:
    with disk(home) as bad:
        store = bad / "manifests"
        code, _, err = cli(
            capsys,
            "run",
            "--config-dir",
            CONF,
            f"manifest.store={store}",
            f"hydra.run.dir={home}/o",
        )
        assert code == 2
        assert "not written" in err and "cannot write" in err and str(store) in err
        assert reasons_in(err, reasons), err
        assert tree(bad) == {} and not store.exists()
    assert (home / "o" / "model.npz").exists()  # the task ran; only the record failed


@pytest.mark.parametrize(("disk", "reasons"), DISKS)
def test_run_with_the_run_folder_on_a_bad_disk_exits_2(
    home: Path, capsys: pytest.CaptureFixture[str], disk: Disk, reasons: tuple[str, ...]
) -> None:
    with disk(home) as bad:
        code, _, err = cli(
            capsys,
            "run",
            "--config-dir",
            CONF,
            f"manifest.store={home}/m",
            f"hydra.run.dir={bad}/o",
        )
        assert code == 2
        assert_one_line_error(err, "cannot write the run folder", str(bad))
        assert reasons_in(err, reasons) or "Errno" not in err
        assert tree(bad) == {}
    assert not (home / "m").exists()


@pytest.mark.parametrize(("disk", "reasons"), DISKS)
def test_gate_report_on_a_bad_disk_exits_2(
    groups: dict[str, Path],
    home: Path,
    capsys: pytest.CaptureFixture[str],
    disk: Disk,
    reasons: tuple[str, ...],
) -> None:
    with disk(home) as bad:
        report = bad / "reports" / "gate.json"
        code, _, err = cli(
            capsys,
            "gate",
            groups["base"],
            groups["cand"],
            "--policy",
            groups["policy"],
            "--write-report",
            report,
        )
        assert code == 2
        assert_one_line_error(err, "cannot write", str(report))
        assert reasons_in(err, reasons), err
        assert tree(bad) == {} and not (bad / "reports").exists()


@pytest.mark.parametrize(("disk", "reasons"), DISKS)
def test_registry_promote_on_a_bad_disk_exits_2_and_leaves_nothing(
    groups: dict[str, Path],
    home: Path,
    capsys: pytest.CaptureFixture[str],
    disk: Disk,
    reasons: tuple[str, ...],
) -> None:
    with disk(home) as bad:
        registry = bad / "registry"
        code, _, err = cli(
            capsys,
            "registry",
            "promote",
            "m",
            groups["cand"],
            "--baseline",
            groups["base"],
            "--policy",
            groups["policy"],
            "--registry",
            registry,
        )
        assert code == 2
        assert err.count("\n") == 1 and "cannot write" in err and str(registry) in err, err
        assert reasons_in(err, reasons), err
        assert tree(bad) == {} and not registry.exists()


def test_registry_rollback_on_a_read_only_registry_names_it(
    groups: dict[str, Path], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with read_only_dir(home) as view:
        source = home / "ro-source"  # the same folder, writable
        for candidate in ("base", "cand"):
            code, _, err = cli(
                capsys,
                "registry",
                "promote",
                "m",
                groups[candidate],
                "--baseline",
                groups["base"],
                "--policy",
                groups["policy"],
                "--registry",
                source / "registry",
            )
            assert code == 0, err
        before = tree(source)
        code, _, err = cli(capsys, "registry", "rollback", "m", "--registry", view / "registry")
        assert code == 2
        assert_one_line_error(err, "cannot write", str(view / "registry"))
        assert tree(source) == before


def test_verify_work_dir_that_cannot_be_written_exits_2(
    groups: dict[str, Path], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = sorted(groups["cand"].glob("*.json"))[0]
    with read_only_dir(home) as bad:
        code, _, err = cli(
            capsys,
            "verify",
            manifest,
            "--config-dir",
            groups["root"] / "conf",
            "--work-dir",
            bad / "work",
        )
        assert code == 2
        assert "cannot write the work folder of the re-runs" in err and str(bad / "work") in err
        assert tree(bad) == {}


# --- inputs that never end ---------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["validate", "{fifo}"], id="validate-fifo"),
        pytest.param(["validate", "/dev/zero"], id="validate-device"),
        pytest.param(["validate", "{good}", "--contracts", "{fifo}"], id="contracts-fifo"),
        pytest.param(["show", "{fifo}"], id="show-fifo"),
        pytest.param(["gate", "{base}", "{cand}", "--policy", "{fifo}"], id="policy-fifo"),
        pytest.param(
            ["gate", "{base}", "{cand}", "--policy", "{policy}", "--evidence", "/dev/zero"],
            id="evidence-device",
        ),
    ],
)
def test_a_fifo_or_device_is_refused_not_read(
    groups: dict[str, Path], fifo: Path, tmp_path: Path, args: list[str]
) -> None:
    names = {k: str(v) for k, v in groups.items()}
    good = sorted(groups["base"].glob("*.json"))[0]
    filled = [a.format(fifo=fifo, good=good, **names) for a in args]
    done = cli_process(*filled, cwd=tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    assert_one_line_error(done.stderr, "not a regular file")
    assert "named pipe (FIFO)" in done.stderr or "character device" in done.stderr


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        pytest.param("pipe", "named pipe (FIFO)", id="fifo"),
        pytest.param("/dev/zero", "character device", id="device"),
    ],
)
def test_an_input_that_never_ends_fails_the_run_with_a_manifest(
    tmp_path: Path, value: str, kind: str
) -> None:
    os.mkfifo(tmp_path / "pipe")
    done = cli_process(
        "run",
        "--config-dir",
        CONF,
        f"+data_path={value}",
        "manifest.inputs=[data_path]",
        "manifest.store=manifests",
        "hydra.run.dir=out",
        cwd=tmp_path,
        env={"XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert done.returncode == 1, done.stderr
    [path] = (tmp_path / "manifests").glob("*.json")
    manifest = json.loads(path.read_text())
    assert manifest["status"] == "failed" and manifest["error"]["type"] == "InputError"
    assert (
        "input data_path" in manifest["error"]["message"] and kind in manifest["error"]["message"]
    )
    assert "input data_path" in done.stderr


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: p.mkdir(), id="empty-folder"),
        pytest.param(lambda p: (p.mkdir(), (p / "notes.txt").write_text("x")), id="no-json"),
        pytest.param(lambda p: None, id="missing"),
    ],
)
def test_validate_of_a_path_with_no_manifests_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], object]
) -> None:
    target = tmp_path / "store"
    make(target)
    code, out, err = cli(capsys, "validate", target, "--no-contracts")
    assert code == 2 and out == ""
    assert_one_line_error(err, str(target))
    assert "no manifests found" in err or "no such file or folder" in err


# --- inputs that are not UTF-8 ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param(b"seed: 0\nnote: caf\xe9\n", "byte 0xe9 at offset 17", id="latin-1"),
        pytest.param(
            "seed: 0\n".encode("utf-16"), "a UTF-16 byte order mark at offset 0", id="utf-16"
        ),
    ],
)
def test_a_config_that_is_not_utf8_is_named_with_its_offset(
    home: Path, capsys: pytest.CaptureFixture[str], data: bytes, problem: str
) -> None:
    conf = home / "conf"
    conf.mkdir()
    (conf / "config.yaml").write_text(
        "defaults:\n  - other\n  - _self_\nmanifest:\n  task: t:main\n"
    )
    (conf / "other.yaml").write_bytes(data)
    code, _, err = cli(capsys, "run", "--config-dir", conf, "hydra.run.dir=out")
    assert code == 2
    assert_one_line_error(err, str(conf / "other.yaml"), problem)
    assert not (home / "out").exists() and not (home / "manifests").exists()


def test_a_manifest_with_a_byte_order_mark_fails_validation(
    groups: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = sorted(groups["base"].glob("*.json"))[0]
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    code, out, _ = cli(capsys, "validate", path, "--no-contracts")
    assert code == 1
    assert "starts with a UTF-8 byte order mark (bytes 0-2)" in out and str(path) in out


def test_a_contracts_file_that_is_not_utf8_exits_2(
    groups: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contracts = tmp_path / "contracts.yaml"
    contracts.write_bytes(b"contracts:\n  - id: caf\xe9\n")
    code, _, err = cli(capsys, "validate", groups["base"], "--contracts", contracts)
    assert code == 2
    assert_one_line_error(err, str(contracts), "not UTF-8: byte 0xe9 at offset 22")


# --- outputs aimed at inputs ------------------------------------------------


def gate_args(groups: dict[str, Path], report: Path) -> list[str | Path]:
    return [
        "gate",
        groups["base"],
        groups["cand"],
        "--policy",
        groups["policy"],
        "--write-report",
        report,
    ]


def test_gate_report_never_replaces_a_manifest_or_an_input(
    groups: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = sorted(groups["cand"].glob("*.json"))[0]
    other = tmp_path / "elsewhere.json"
    other.write_bytes(manifest.read_bytes())
    cases = [
        (manifest, "it is an input of this command"),
        (groups["policy"], "it is an input of this command"),
        (other, "it is a run manifest, not a gate report"),
        (tmp_path, "it is a folder or a special file"),
    ]
    for target, why in cases:
        before = target.read_bytes() if target.is_file() else None
        code, out, err = cli(capsys, *gate_args(groups, target))
        assert code == 2 and out == ""
        assert_one_line_error(err, str(target), why)
        assert before is None or target.read_bytes() == before


def test_gate_report_replaces_an_older_gate_report(
    groups: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "gate.json"
    assert cli(capsys, *gate_args(groups, report))[0] == 0
    first = json.loads(report.read_text())
    report.write_text(json.dumps({**first, "decision": "block"}))
    assert cli(capsys, *gate_args(groups, report))[0] == 0
    assert json.loads(report.read_text()) == first
    assert [p.name for p in tmp_path.iterdir()] == ["gate.json"]


def test_verify_report_never_replaces_a_manifest(
    groups: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = sorted(groups["cand"].glob("*.json"))[0]
    before = manifest.read_bytes()
    code, _, err = cli(
        capsys,
        "verify",
        manifest,
        "--config-dir",
        groups["root"] / "conf",
        "--write-report",
        manifest,
    )
    assert code == 2 and "verify: [" not in err  # refused before any re-run
    assert_one_line_error(err, str(manifest), "it is an input of this command")
    assert manifest.read_bytes() == before


def test_compare_plot_never_replaces_a_manifest(
    groups: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "plot.png"
    target.write_bytes(sorted(groups["cand"].glob("*.json"))[0].read_bytes())
    before = target.read_bytes()
    code, _, err = cli(capsys, "compare", groups["base"], groups["cand"], "--plot", target)
    assert code == 2
    assert_one_line_error(err, str(target), "it is a run manifest, not a plot image")
    assert target.read_bytes() == before
