"""Hostile disks, for every output a command writes: a full disk (ENOSPC)
and a read-only one (EROFS as root, EACCES otherwise) give exit 2, one line
naming the path and why, and leave no temporary or half-written file.

``tests/test_hostile_io.py`` covers the run's store and folder, the gate
report, registry promote, and a read-only rollback and verify work folder;
this file covers the rest: compare's plot, the HTML report, verify's report,
registry rollback on a full disk, and verify's work folder on a full disk.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from hostile_kit import (
    DISKS,
    assert_one_line_error,
    cli,
    full_disk,
    isolate_home,
    sweep_groups,
    tree,
)

Disk = Callable[[Path], AbstractContextManager[Path]]


@pytest.fixture(scope="module")
def groups(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return sweep_groups(tmp_path_factory.mktemp("hostile-writes"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate_home(tmp_path, monkeypatch)


def _compare(groups: dict[str, Path], target: Path) -> list[str | Path]:
    return ["compare", groups["base"], groups["cand"], "--plot", target]


def _report(groups: dict[str, Path], target: Path) -> list[str | Path]:
    return ["report", groups["base"], groups["cand"], "--output", target]


def _verify(groups: dict[str, Path], target: Path) -> list[str | Path]:
    manifest = sorted(groups["cand"].glob("*.json"))[0]
    conf = groups["root"] / "conf"
    return ["verify", manifest, "--config-dir", conf, "--write-report", target]


OUTPUTS = [
    pytest.param(_compare, "plot.png", id="compare-plot"),
    pytest.param(_report, "runs.html", id="report"),
    pytest.param(_verify, "verify.json", id="verify-report"),
]


@pytest.mark.parametrize(("disk", "reasons"), DISKS)
@pytest.mark.parametrize(("command", "name"), OUTPUTS)
def test_an_output_on_a_bad_disk_exits_2_and_leaves_nothing(
    groups: dict[str, Path],
    home: Path,
    capsys: pytest.CaptureFixture[str],
    disk: Disk,
    reasons: tuple[str, ...],
    command: Callable[[dict[str, Path], Path], list[str | Path]],
    name: str,
) -> None:
    before = tree(groups["root"])
    with disk(home) as bad:
        target = bad / "out" / name
        code, _, err = cli(capsys, *command(groups, target))
        assert code == 2, err
        progress, error = err.strip().splitlines()[:-1], err.strip().splitlines()[-1]
        assert all(line.startswith("verify: ") for line in progress), err  # verify's own
        assert_one_line_error(error, "cannot write", str(target))
        assert any(r in err for r in reasons), err
        assert tree(bad) == {} and not (bad / "out").exists()
    assert tree(groups["root"]) == before  # the inputs are untouched


def _promote(groups: dict[str, Path], registry: Path, candidate: str) -> None:
    code = cli_code(
        "registry",
        "promote",
        "m",
        groups[candidate],
        "--baseline",
        groups["base"],
        "--policy",
        groups["policy"],
        "--registry",
        registry,
    )
    assert code == 0


def cli_code(*args: str | Path) -> int:
    from manifest.cli import main

    return main([str(a) for a in args])


def test_registry_rollback_on_a_full_disk_names_it_and_changes_nothing(
    groups: dict[str, Path], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = home / "registry"
    for candidate in ("base", "cand"):
        _promote(groups, source, candidate)
    with full_disk(home, holding=source) as bad:
        registry = bad / "registry"
        before = tree(registry)
        assert before == tree(source)
        code, _, err = cli(capsys, "registry", "rollback", "m", "--registry", registry)
        assert code == 2, err
        assert_one_line_error(err, "cannot write", str(registry), "No space left on device")
        assert tree(registry) == before  # no entry, lock or temporary file


def test_verify_work_dir_on_a_full_disk_exits_2_and_names_it(
    groups: dict[str, Path], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = sorted(groups["cand"].glob("*.json"))[0]
    with full_disk(home) as bad:
        work = bad / "work"
        args = ["verify", manifest, "--config-dir", groups["root"] / "conf", "--work-dir", work]
        code, _, err = cli(capsys, *args)
        assert code == 2, err
        assert_one_line_error(err, "cannot write", str(work), "No space left on device")
        assert tree(bad) == {}
