"""The runs index: where it lives, incremental updates, crashes, corruption
and commands running at once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import git, run_cli
from manifest.index.database import SCHEMA_VERSION, attach, refresh
from manifest.index.location import index_path
from runs_kit import example_template, variant, write


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return example_template(tmp_path_factory.mktemp("template"))


def _fill(folder: Path, template: dict[str, Any], n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        write(folder, variant(template, i, params={"seed": i}, metrics={"accuracy": i / 10**5}))


def _ls(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert run_cli("ls", "--format", "json", *args) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return rows


def _ls_process(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "manifest", "ls", "--format", "json", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_index_lives_outside_the_project(
    template: dict[str, Any], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(workdir, "init", "-q")
    _fill(workdir / "manifests", template, 3)
    git(workdir, "add", "manifests")
    git(workdir, "commit", "-qm", "runs")
    assert len(_ls(capsys)) == 3
    where = index_path(workdir / "manifests")
    assert where.is_file() and workdir / ".cache" in where.parents
    assert git(workdir, "status", "--porcelain", "--ignored", "--", "manifests") == ""
    assert sorted(p.name for p in (workdir / "manifests").iterdir()) == sorted(
        f"{variant(template, i)['run_id']}.json" for i in range(3)
    )
    with sqlite3.connect(where) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_incremental_updates(
    template: dict[str, Any], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = workdir / "manifests"
    _fill(store, template, 5)
    assert len(_ls(capsys)) == 5
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS ix", (str(index_path(store)),))
    time.sleep(2.1)  # past the window in which a file may change unseen
    assert refresh(conn, "ix", store) == 5  # the racy rows of a moment ago are re-read once
    assert refresh(conn, "ix", store) == 0
    _fill(store, template, 1, start=5)
    (store / f"{variant(template, 0)['run_id']}.json").unlink()
    first = store / f"{variant(template, 1)['run_id']}.json"
    stat = first.stat()
    edited = first.read_text().replace('"accuracy": 1e-05', '"accuracy": 9e-05')
    first.write_text(edited)  # same size, then the old mtime put back
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert refresh(conn, "ix", store) == 3
    conn.close()
    rows = {r["params"]["seed"]: r for r in _ls(capsys)}
    assert sorted(rows) == [1, 2, 3, 4, 5] and rows[1]["metrics"]["accuracy"] == 9e-05


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b"not a database at all" * 100), id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:1500]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(
            lambda p: sqlite3.connect(p).execute("PRAGMA user_version = 99").connection.commit(),
            id="other-version",
        ),
        pytest.param(
            lambda p: sqlite3.connect(p).execute("DROP TABLE runs").connection.commit(),
            id="no-table",
        ),
    ],
)
def test_corrupt_index_is_rebuilt(
    template: dict[str, Any], workdir: Path, capsys: pytest.CaptureFixture[str], damage: Any
) -> None:
    _fill(workdir / "manifests", template, 40)
    assert len(_ls(capsys)) == 40
    path = index_path(workdir / "manifests")
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    damage(path)
    rows = _ls(capsys, "--where", "params.seed >= 30")
    assert sorted(r["params"]["seed"] for r in rows) == list(range(30, 40))
    with sqlite3.connect(path) as conn:  # rebuilt in place, not only read from memory
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 40


def test_unwritable_cache_falls_back_to_memory(
    template: dict[str, Any],
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fill(workdir / "manifests", template, 4)
    (workdir / "a-file").write_text("")
    monkeypatch.setenv("HYDRA_MANIFEST_INDEX_DIR", str(workdir / "a-file" / "index"))
    assert len(_ls(capsys)) == 4


@pytest.mark.slow
def test_killed_while_indexing(template: dict[str, Any], workdir: Path) -> None:
    _fill(workdir / "manifests", template, 5000)
    env = {**os.environ, "XDG_CACHE_HOME": str(workdir / ".cache")}
    path = index_path(workdir / "manifests")
    proc = subprocess.Popen(
        [sys.executable, "-m", "manifest", "ls"], cwd=workdir, env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Path(f"{path}-wal").exists():
        time.sleep(0.005)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    with sqlite3.connect(path) as conn:
        partial = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert partial < 5000, "the command finished before it was killed: nothing was tested"
    done = subprocess.run(
        [sys.executable, "-m", "manifest", "ls", "--format", "json"],
        cwd=workdir, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert sorted(r["params"]["seed"] for r in json.loads(done.stdout)) == list(range(5000))


@pytest.mark.slow
def test_commands_at_once(
    template: dict[str, Any], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four listings start on a new index while runs are being added: each
    sees at least every run that existed when it started, none fails."""
    _fill(workdir / "manifests", template, 3000)
    procs = [_ls_process(workdir, "--where", "params.seed >= 0") for _ in range(4)]
    _fill(workdir / "manifests", template, 200, start=3000)
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        seeds = {r["params"]["seed"] for r in json.loads(out)}
        assert set(range(3000)) <= seeds <= set(range(3200))
    final = _ls_process(workdir)
    out, _ = final.communicate(timeout=300)
    assert sorted(r["params"]["seed"] for r in json.loads(out)) == list(range(3200))


def test_attach_reuses_then_rebuilds(template: dict[str, Any], workdir: Path) -> None:
    """The index file is reused by the next command; junk in its place is rebuilt."""
    from contextlib import ExitStack

    _fill(workdir / "manifests", template, 3)
    with ExitStack() as stack:
        first = sqlite3.connect(":memory:", isolation_level=None)
        stack.callback(first.close)
        assert attach(first, "ix", workdir / "manifests", stack).endswith(".sqlite")
        assert first.execute("SELECT count(*) FROM ix.runs").fetchone()[0] == 3
    index_path(workdir / "manifests").write_bytes(b"junk" * 1000)
    with ExitStack() as stack:
        second = sqlite3.connect(":memory:", isolation_level=None)
        stack.callback(second.close)
        attach(second, "ix", workdir / "manifests", stack)
        assert second.execute("SELECT count(*) FROM ix.runs").fetchone()[0] == 3


def test_a_new_index_is_settled_at_once(
    template: dict[str, Any], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new index (built in path order) records the digest a later scan
    gives: when no file changed, the next command neither plans nor reads."""
    from contextlib import ExitStack

    import manifest.index.database as database

    store = workdir / "manifests"
    for i in range(12):
        write(store / f"sweep-{i % 3}", variant(template, i, params={"seed": i}))
    long_ago = time.time() - 3600  # outside the window in which a file may change unseen
    for file in store.rglob("*.json"):
        os.utime(file, (long_ago, long_ago))
    with ExitStack() as stack:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        stack.callback(conn.close)
        attach(conn, "ix", store, stack)
        paths = [p for (p,) in conn.execute("SELECT path FROM ix.runs ORDER BY rowid")]
        assert len(paths) == 12 and paths == sorted(paths)

        def unexpected(*args: Any) -> Any:
            raise AssertionError("compared or read files that did not change")

        monkeypatch.setattr(database, "_plan", unexpected)
        monkeypatch.setattr(database, "read_fresh", unexpected)
        assert refresh(conn, "ix", store) == 0
