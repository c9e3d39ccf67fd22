"""What the hostile-input tests share: disks that refuse, files that never
end, and a record of a folder to prove that nothing was left behind.

:func:`full_disk` and :func:`read_only_dir` are real when the tests run as
root on Linux (a tiny tmpfs filled to the last byte; a read-only bind mount),
so the errors come from the kernel as a user would meet them. Elsewhere they
fall back to the nearest real condition a user can make (a folder without
write permission), or skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from manifest.cli import main


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0 and bool(shutil.which("mount"))


def _mount(*args: str) -> bool:
    done = subprocess.run(["mount", *args], capture_output=True, check=False)
    return done.returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@contextmanager
def full_disk(parent: Path, *, holding: Path | None = None) -> Iterator[Path]:
    """A folder on a file system with no byte left (ENOSPC on every write),
    holding a copy of the folder ``holding`` (copied before it fills up)."""
    folder = parent / "full-disk"
    folder.mkdir()
    if not (
        _can_mount() and _mount("-t", "tmpfs", "-o", "size=64k,nr_inodes=64", "tmpfs", str(folder))
    ):
        pytest.skip("a full disk needs root to mount a tiny tmpfs")
    try:
        if holding is not None:
            shutil.copytree(holding, folder / holding.name)
        fd = os.open(folder / ".filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # full
        finally:
            os.close(fd)
        yield folder
    finally:
        _umount(folder)


@contextmanager
def read_only_dir(parent: Path) -> Iterator[Path]:
    """A folder that cannot be written: a read-only bind mount (EROFS) as
    root, else a folder without write permission (EACCES)."""
    source, folder = parent / "ro-source", parent / "read-only"
    source.mkdir()
    folder.mkdir()
    if _can_mount() and _mount("--bind", str(source), str(folder)):
        try:
            if not _mount("-o", "remount,ro,bind", str(folder)):
                pytest.skip("cannot remount read-only")
            yield folder
        finally:
            _umount(folder)
        return
    if os.geteuid() == 0:
        pytest.skip("root ignores permissions and cannot mount here")
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".filler"
    }


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """``manifest ARGS...`` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def cli_process(
    *args: str | Path, cwd: Path, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``manifest ARGS...`` in a subprocess with a time limit: for inputs that
    would block a reader forever if they were read."""
    return subprocess.run(
        [sys.executable, "-m", "manifest", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_error(err: str, *needles: str) -> None:
    """stderr is one line (no traceback) naming every needle."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in lines[0], (needle, err)


DISKS = [
    pytest.param(full_disk, ("No space left on device", "the disk is full"), id="full-disk"),
    pytest.param(read_only_dir, ("ead-only", "ermission"), id="read-only"),
]
POLICY = "rules:\n  - {metric: accuracy, direction: higher, threshold: 0.5}\n"


def sweep_groups(root: Path) -> dict[str, Path]:
    """Five baseline and five better candidate runs under ``root``, and a
    policy that accepts the candidate."""
    from runfactory import sweep

    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return {
        "root": root,
        "base": sweep(root, "base", {"accuracy": [0.80, 0.81, 0.82, 0.81, 0.80]}),
        "cand": sweep(root, "cand", {"accuracy": [0.85, 0.86, 0.84, 0.86, 0.85]}),
        "policy": root / "policy.yaml",
    }


def isolate_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the current folder, with its own caches and a git
    identity of its own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Ada\n\temail = ada@example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    return tmp_path
