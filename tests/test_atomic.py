"""Atomic, durable writes (manifest/core/atomic.py): what a reader and a
crash can observe.

Every manifest, report and registry entry is written through
``atomic_write``; these tests pin what users depend on: the file is whole or
absent, readable by others (mode 0644), fsynced before it is named and its
folder fsynced after, never replaced when asked not to, and a refusing disk
gives one error naming the path with nothing left behind.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from manifest.core import atomic
from manifest.core.atomic import atomic_write, make_folder, output_error, remove_folders
from manifest.errors import OutputError


@pytest.fixture
def syncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was fsynced, in order: "file" or "folder"."""
    seen: list[str] = []
    real = os.fsync

    def record(fd: int) -> None:
        seen.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)

    monkeypatch.setattr(os, "fsync", record)
    return seen


def test_the_file_is_fsynced_before_it_is_named_then_its_folder(
    tmp_path: Path, syncs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    named: list[bool] = []
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        named.append(syncs == ["file"])
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    atomic_write(tmp_path / "m.json", b"{}\n")
    assert named == [True]
    assert syncs == ["file", "folder"]
    assert (tmp_path / "m.json").read_bytes() == b"{}\n"


def test_a_write_that_never_replaces_is_durable_too(tmp_path: Path, syncs: list[str]) -> None:
    atomic_write(tmp_path / "m.json", b"x", overwrite=False)
    assert syncs == ["file", "folder"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


@pytest.mark.parametrize("overwrite", [True, False])
def test_the_file_is_readable_by_everyone_whatever_the_umask(
    tmp_path: Path, overwrite: bool
) -> None:
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "m.json", b"x", overwrite=overwrite)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o644


def test_the_whole_content_is_written(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024)
    atomic_write(tmp_path / "big.bin", data)
    assert (tmp_path / "big.bin").read_bytes() == data


def test_an_existing_file_is_replaced_by_default(tmp_path: Path) -> None:
    atomic_write(tmp_path / "m.json", b"old")
    atomic_write(tmp_path / "m.json", b"new")
    assert (tmp_path / "m.json").read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_missing_folders_are_made(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "m.json"
    atomic_write(target, b"x")
    assert target.read_bytes() == b"x"


def test_a_refused_rename_leaves_neither_file_nor_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: str | Path, dst: str | Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    target = tmp_path / "a" / "b" / "m.json"
    with pytest.raises(OutputError) as raised:
        atomic_write(target, b"x")
    assert list(tmp_path.iterdir()) == []
    error = raised.value
    assert error.file == str(target)
    assert "No space left on device" in str(error)
    assert error.hint == "the disk is full: free some space and run again"


def test_a_taken_name_is_not_an_output_error_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "m.json"
    atomic_write(target, b"first", overwrite=False)
    with pytest.raises(FileExistsError):
        atomic_write(target, b"second", overwrite=False)
    assert target.read_bytes() == b"first"
    assert [p.name for p in target.parent.iterdir()] == ["m.json"]


def test_an_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "new" / "m.json", b"x")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    target = tmp_path / "file" / "sub" / "m.json"
    with pytest.raises(OutputError) as raised:
        atomic_write(target, b"x")
    assert raised.value.file == str(target)
    assert (tmp_path / "file").read_text() == "not a folder"


def test_make_folder_returns_what_it_made_top_first(tmp_path: Path) -> None:
    made = make_folder(tmp_path / "a" / "b" / "c")
    assert made == [tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"]
    assert make_folder(tmp_path / "a" / "b") == []


def test_make_folder_undoes_its_folders_when_a_deeper_one_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.name == "c":
            raise OSError(errno.EROFS, "Read-only file system")
        real(self)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(OSError, match="Read-only"):
        make_folder(tmp_path / "a" / "b" / "c" / "d")
    assert list(tmp_path.iterdir()) == []


def test_make_folder_accepts_a_folder_made_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.mkdir

    def racing(self: Path, *args: object, **kwargs: object) -> None:
        real(self)
        if self.name == "a":
            raise FileExistsError(self)

    monkeypatch.setattr(Path, "mkdir", racing)
    assert make_folder(tmp_path / "a" / "b") == [tmp_path / "a", tmp_path / "a" / "b"]
    assert (tmp_path / "a" / "b").is_dir()


def test_remove_folders_stops_at_the_first_that_is_not_empty(tmp_path: Path) -> None:
    made = make_folder(tmp_path / "a" / "b" / "c")
    (tmp_path / "a" / "keep.txt").write_text("x")
    remove_folders(made)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["keep.txt"]


NO_PERMISSION = "no permission to write there: choose another folder or fix its permissions"


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (errno.ENOSPC, "the disk is full: free some space and run again"),
        (errno.EDQUOT, "the disk quota is used up: free some space and run again"),
        (errno.EROFS, "the file system is read-only: choose a writable folder"),
        (errno.EACCES, NO_PERMISSION),
        (errno.EPERM, NO_PERMISSION),
        (errno.EIO, None),
    ],
)
def test_each_refusal_says_what_to_do(code: int, hint: str | None) -> None:
    error = output_error(OSError(code, os.strerror(code)), Path("out/m.json"), what="the report")
    said = f"out/m.json: cannot write the report: {os.strerror(code)}"
    assert str(error) == (f"{said}; {hint}" if hint else said)
    assert error.file == "out/m.json"
    assert error.hint == hint


def test_the_error_names_another_culprit_file_but_not_the_target_twice() -> None:
    target = Path("out/m.json")
    other = output_error(OSError(errno.EACCES, "Permission denied", "out"), target)
    assert "cannot write the file: Permission denied (out)" in str(other)
    same = output_error(OSError(errno.EACCES, "Permission denied", "out/m.json"), target)
    assert "(out/m.json)" not in str(same)


def test_an_error_without_a_message_still_says_what_it_was() -> None:
    assert "cannot write the file: OSError" in str(output_error(OSError(), Path("m.json")))
    assert "cannot write the file: boom" in str(output_error(OSError("boom"), Path("m.json")))


def test_a_folder_that_cannot_be_opened_for_fsync_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def no_folders(path: str | Path, flags: int, *args: int) -> int:
        if Path(path).is_dir():
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_folders)
    atomic_write(tmp_path / "m.json", b"x")
    assert (tmp_path / "m.json").read_bytes() == b"x"


def test_a_folder_fsync_refused_by_the_file_system_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[int] = []
    real_fsync, real_close = os.fsync, os.close

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    def close(fd: int) -> None:
        closed.append(fd)
        real_close(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "close", close)
    atomic_write(tmp_path / "m.json", b"x")
    assert (tmp_path / "m.json").read_bytes() == b"x"
    assert closed  # the folder's descriptor is closed even so


def test_the_temporary_file_is_a_hidden_sibling_of_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renamed within one folder (so atomically, on one file system), and
    named so that a leftover after a power cut is recognisable."""
    sources: list[Path] = []
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        sources.append(Path(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    atomic_write(tmp_path / "m.json", b"x")
    (source,) = sources
    assert source.parent == tmp_path
    assert source.name.startswith(".m.json.")
    assert source.name.endswith(".tmp")


def test_a_folder_where_no_file_can_be_made_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match="Read-only file system") as raised:
        atomic_write(tmp_path / "new" / "m.json", b"x")
    assert raised.value.hint == "the file system is read-only: choose a writable folder"
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_after_the_rename_keeps_the_whole_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.fsync

    def interrupt_on_folder(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise KeyboardInterrupt
        real(fd)

    monkeypatch.setattr(os, "fsync", interrupt_on_folder)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "m.json", b"new")
    assert (tmp_path / "m.json").read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_an_error_without_an_errno_has_no_hint_and_a_bytes_name_is_not_repeated() -> None:
    assert output_error(OSError("boom"), Path("m.json")).hint is None
    error = output_error(OSError(errno.EIO, "Input/output error", b"m.json"), Path("m.json"))
    assert str(error) == "m.json: cannot write the file: Input/output error"
