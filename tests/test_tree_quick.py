"""The work tree's summary taken from the last one when git finds nothing
changed (manifest/record/capture/quick.py): every kind of change is still
seen, and the repository's own index and objects are never touched."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import git, manifests_in, run_cli
from manifest.record.capture import quick as quick_module
from manifest.record.capture import tree
from manifest.record.capture.code import git_state

OLD = time.time() - 600


def settle(*paths: Path) -> None:
    """Modified ten minutes ago: old enough for its summary to be remembered."""
    for path in paths:
        os.utime(path, (OLD, OLD), follow_symlinks=False)


def project(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    (root / "tracked.py").write_text("x = 1\n")
    (root / "notes.txt").write_text("notes\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    (root / "data").mkdir()
    for n in range(20):
        (root / "data" / f"{n:02d}.csv").write_text(f"{n},{n * n}\n")
    settle(*(root / "data").iterdir())
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "repo").mkdir()
    return project(tmp_path / "repo")


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def quick(cache: Path, monkeypatch: pytest.MonkeyPatch, root: Path) -> dict[str, Any]:
    """The summary, asserting it came from the record: no file looked at."""

    def no_look(*args: Any) -> Any:
        raise AssertionError("looked at every file")

    with monkeypatch.context() as patch:
        patch.setattr(tree, "_stamped", no_look)
        return git_state(root, cache=cache)


def test_an_unchanged_tree_is_summarised_from_the_record(
    repo: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = git_state(repo, cache=cache)
    assert first["dirty"] is True and "data/07.csv" in first["changed"]
    assert len(list(cache.glob("quick-*.json"))) == 1
    assert quick(cache, monkeypatch, repo) == first
    assert git_state(repo, cache=None) == first  # what a full look says


@pytest.mark.parametrize(
    "change",
    ["edit", "edit-same-size-and-mtime", "remove", "add", "retarget", "tracked", "stage"],
)
def test_every_change_is_seen(repo: Path, cache: Path, change: str) -> None:
    (repo / "link").symlink_to("data/00.csv")
    (repo / "tracked.py").write_text("x = 2\n")
    settle(repo / "link", repo / "tracked.py")
    before = git_state(repo, cache=cache)
    assert git_state(repo, cache=cache) == before  # from the record
    target = repo / "data" / "05.csv"
    if change == "edit":
        target.write_text("5,26\n")
    elif change == "edit-same-size-and-mtime":  # the stamp cannot tell; git's ctime can
        stamp = target.stat()
        target.write_text("5,26\n")
        os.utime(target, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    elif change == "remove":
        target.unlink()
    elif change == "add":
        (repo / "data" / "new.csv").write_text("n\n")
    elif change == "retarget":
        (repo / "link").unlink()
        (repo / "link").symlink_to("data/01.csv")
    elif change == "tracked":  # still " M": only its bytes tell
        (repo / "tracked.py").write_text("x = 3\n")
    else:
        git(repo, "add", "tracked.py")
    after = git_state(repo, cache=cache)
    if change == "edit-same-size-and-mtime":  # its hash is remembered by stamp, as before
        assert after == before != git_state(repo, cache=None)
    else:
        assert after == git_state(repo, cache=None)
        assert after["diff_sha256"] != before["diff_sha256"]


def test_a_folder_that_becomes_a_hydra_run_folder_is_no_longer_dirt(
    repo: Path, cache: Path
) -> None:
    (repo / "notes.txt").write_text("edited\n")
    settle(repo / "notes.txt")
    assert "data/00.csv" in git_state(repo, cache=cache)["changed"]
    assert "data/00.csv" in git_state(repo, cache=cache)["changed"]
    (repo / "data" / ".hydra").mkdir()  # excluded from git's listing: same bytes
    (repo / "data" / ".hydra" / "config.yaml").write_text("a: 1\n")
    assert git_state(repo, cache=cache)["changed"] == ["notes.txt"]


def test_a_file_modified_just_now_leaves_no_record(repo: Path, cache: Path) -> None:
    (repo / "data" / "fresh.csv").write_text("racy\n")
    first = git_state(repo, cache=cache)
    assert list(cache.glob("quick-*.json")) == []
    (repo / "data" / "fresh.csv").write_text("rac2\n")  # same size, same second maybe
    assert git_state(repo, cache=cache)["diff_sha256"] != first["diff_sha256"]


def test_the_repository_is_not_touched(repo: Path, cache: Path) -> None:
    index = (repo / ".git" / "index").read_bytes()
    objects = sorted(p.name for p in (repo / ".git" / "objects").rglob("*"))
    git_state(repo, cache=cache)
    git_state(repo, cache=cache)
    assert (repo / ".git" / "index").read_bytes() == index
    assert sorted(p.name for p in (repo / ".git" / "objects").rglob("*")) == objects
    assert "?? data/" in git(repo, "status", "--porcelain")


def test_a_broken_record_or_index_only_costs_time(repo: Path, cache: Path) -> None:
    first = git_state(repo, cache=cache)
    for record in cache.glob("quick-*.json"):
        record.write_text("{not json")
    assert git_state(repo, cache=cache) == first
    for index in cache.glob("quick-*.index"):
        index.write_bytes(b"DIRC garbage")
    (repo / "data" / "00.csv").write_text("changed\n")
    assert git_state(repo, cache=cache) == git_state(repo, cache=None)


def test_manifest_run_records_the_tree_from_the_record(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(workdir)
    conf = workdir / "conf"
    conf.mkdir()
    (conf / "config.yaml").write_text(
        "defaults:\n  - manifest_schema\n  - _self_\nmanifest:\n  task: quick_task:main\n"
    )
    (workdir / "quick_task.py").write_text("def main(cfg):\n    return {'x': 1.0}\n")
    (workdir / ".gitignore").write_text("outputs/\nmanifests/\n")
    git(workdir, "add", "conf", "quick_task.py", ".gitignore")
    git(workdir, "commit", "-qm", "task")
    monkeypatch.setenv("XDG_CACHE_HOME", str(workdir.parent / f"{workdir.name}-xdg"))
    assert run_cli("run", "hydra.run.dir=outputs/a") == 0
    with monkeypatch.context() as patch:
        patch.setattr(tree, "_stamped", lambda *a: pytest.fail("looked at every file"))
        assert run_cli("run", "hydra.run.dir=outputs/b") == 0
    recorded = [m["code"]["git"] for m in manifests_in(workdir / "manifests")]
    assert len(recorded) == 2 and recorded[0] == recorded[1]
    assert recorded[1]["dirty"] is True and "data/00.csv" in recorded[1]["changed"]
    assert recorded[1]["diff_sha256"] == git_state(workdir, cache=None)["diff_sha256"]


def test_a_file_gone_while_looked_at_leaves_no_record(
    repo: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamped = tree._stamped

    def one_gone(root: Path, entries: list[tuple[str, str]]) -> list[Any]:
        infos = stamped(root, entries)
        return [None if p == "data/03.csv" else i for (_, p), i in zip(entries, infos, strict=True)]

    monkeypatch.setattr(tree, "_stamped", one_gone)
    git_state(repo, cache=cache)
    assert list(cache.glob("quick-*.json")) == []  # it may come back, unseen by the index


def test_after_an_edit_the_record_is_made_again_from_the_files_git_named(
    repo: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_state(repo, cache=cache)
    (repo / "data" / "05.csv").write_text("5,26\n")
    os.utime(repo / "data" / "05.csv", (OLD + 5, OLD + 5))
    calls: list[list[str]] = []
    update = quick_module.Quick._update

    def spy(self: Any, root: Path, paths: list[str]) -> bool:
        calls.append(paths)
        return update(self, root, paths)

    monkeypatch.setattr(quick_module.Quick, "_update", spy)
    edited = git_state(repo, cache=cache)
    assert calls == [["data/05.csv"]]  # only the file git named is indexed again
    assert edited == git_state(repo, cache=None)
    assert quick(cache, monkeypatch, repo) == edited  # and the next run takes the record
