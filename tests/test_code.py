"""Code capture against real git repositories."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import git, manifests_in, run_cli
from manifest.record.capture.code import git_state


def make_repo(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    (root / "task.py").write_text("def main(cfg):\n    return {'v': cfg.v}\n")
    conf = root / "conf"
    conf.mkdir()
    (conf / "config.yaml").write_text(
        textwrap.dedent("""\
        defaults:
          - manifest_schema
          - _self_
        v: 1
        manifest:
          task: task:main
        hydra:
          run:
            dir: outputs/${now:%H-%M-%S.%f}
        """)
    )
    (root / ".gitignore").write_text("")  # nothing ignored: store and outputs must not be dirt
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def test_clean_tree_stays_clean_across_runs(workdir: Path) -> None:
    make_repo(workdir)
    head = git(workdir, "rev-parse", "HEAD").strip()
    assert run_cli("run") == 0
    assert run_cli("run") == 0
    first, second = manifests_in(workdir / "manifests")
    for manifest in (first, second):
        state = manifest["code"]["git"]
        assert state == {
            "available": True,
            "commit": head,
            "dirty": False,
            "diff_sha256": None,
            "changed": [],
        }
    assert first["identity_digest"] == second["identity_digest"]
    assert first["code"]["source"]["path"] == "task.py"


def test_dirty_tree_is_recorded_with_a_diff_digest(workdir: Path) -> None:
    make_repo(workdir)
    (workdir / "task.py").write_text("def main(cfg):\n    return {'v': cfg.v + 1}\n")
    (workdir / "notes.txt").write_text("untracked")
    state = git_state(workdir)
    assert state["dirty"] is True
    assert state["changed"] == ["notes.txt", "task.py"]
    first = state["diff_sha256"]
    (workdir / "notes.txt").write_text("untracked, edited")
    assert git_state(workdir)["diff_sha256"] != first
    assert run_cli("run") == 0
    [manifest] = manifests_in(workdir / "manifests")
    assert manifest["code"]["git"]["dirty"] is True


def test_not_a_repository(tmp_path: Path) -> None:
    assert git_state(tmp_path) == {"available": False, "reason": "not a git repository"}


def test_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("a")
    state = git_state(tmp_path)
    assert state["commit"] is None and state["dirty"] is True and state["changed"] == ["a.txt"]
