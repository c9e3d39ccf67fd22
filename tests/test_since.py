"""`manifest diff --rev REV [PATHS]`: what a branch changed in the manifests,
on real git repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import git, run_cli
from runs_kit import example_template, variant, write


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return example_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def repo(template: dict[str, Any], workdir: Path) -> dict[str, Path]:
    """main: four runs (two of `seed=1`, the later one is the counterpart;
    one of `seed=2`, one of `seed=3`). The branch `pr` adds `seed=1` and
    `seed=2` runs and a run of a new config, and removes the `seed=3` one."""
    template = {k: v for k, v in template.items() if k != "directions"}
    git(workdir, "init", "-q", "-b", "main")
    store = workdir / "manifests"
    old = {
        "old1": variant(template, 0, overrides=["seed=1"], metrics={"accuracy": 0.5}),
        "main1": variant(template, 1, overrides=["seed=1", "hydra.run.dir=x"],
                         metrics={"accuracy": 0.90, "log_loss": 0.20}),
        "main2": variant(template, 2, overrides=["seed=2"], metrics={"accuracy": 0.90}),
        "main3": variant(template, 3, overrides=["seed=3"]),
    }  # fmt: skip
    paths = {name: write(store, m) for name, m in old.items()}
    git(workdir, "add", ".")
    git(workdir, "commit", "-qm", "runs on main")
    git(workdir, "checkout", "-q", "-b", "pr")
    new = {
        "pr1": variant(template, 10, overrides=["seed=1"], params={"optimizer.lr": 0.2},
                       metrics={"accuracy": 0.93, "log_loss": 0.30}),
        "pr2": variant(template, 11, overrides=["seed=2"], metrics={"accuracy": 0.90 + 1e-12}),
        "fresh": variant(template, 12, config_name="sgd", overrides=[]),
    }  # fmt: skip
    paths |= {name: write(store, m) for name, m in new.items()}
    paths["main3"].unlink()
    git(workdir, "add", "-A")
    git(workdir, "commit", "-qm", "pr runs")
    return paths


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = run_cli("diff", "--rev", "main", "--format", "json", *args)
    return code, json.loads(capsys.readouterr().out)


def test_pull_request_summary(repo: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, summary = _json(capsys)
    assert code == 1  # a recorded run was removed
    ids = {name: json.loads(p.read_text())["run_id"] for name, p in repo.items() if p.exists()}
    assert [a["run_id"] for a in summary["added"]] == [ids["pr1"], ids["pr2"], ids["fresh"]]
    pr1, pr2, fresh = summary["added"]
    assert pr1["counterpart"] == ids["main1"]  # the latest run with seed=1, launch overrides aside
    metrics = {m["name"]: m for m in pr1["metrics"]}
    assert metrics["accuracy"]["old"] == 0.90 and metrics["accuracy"]["new"] == 0.93
    assert metrics["accuracy"]["verdict"] == "changed"  # no direction declared
    assert pr1["params_changed"] == ["optimizer.lr"]
    assert {m["verdict"] for m in pr2["metrics"]} == {"same"}  # within the envelope's rtol
    assert fresh["counterpart"] is None and {m["verdict"] for m in fresh["metrics"]} == {"new"}
    assert summary["removed"] == [f"manifests/{repo['main3'].name} ({repo['main3'].stem})"]
    assert summary["changed"] == [] and summary["ok"] is False


def test_directions_decide_the_check(
    repo: dict[str, Path], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(workdir, "rm", "-q", "--cached", "--", str(repo["main1"]))  # keep the file: not removed
    git(workdir, "checkout", "-q", "main", "--", "manifests")
    code, summary = _json(capsys)
    assert code == 0 and summary["removed"] == []
    code, summary = _json(capsys, "--direction", "accuracy=higher", "--direction", "log_loss=lower")
    verdicts = {m["name"]: m["verdict"] for m in summary["added"][0]["metrics"]}
    assert verdicts["accuracy"] == "better" and verdicts["log_loss"] == "worse"
    assert code == 1
    capsys.readouterr()
    assert run_cli("diff", "--rev", "main", "--direction", "log_loss=lower", "--exit-zero") == 0
    text = capsys.readouterr().out
    assert "3 run(s) added, 0 removed, 0 changed, 1 metric(s) worse" in text
    assert "0.2 → 0.3 (+0.1) ❌" in text and text.endswith("check: failed\n")


def test_markdown_for_a_comment(repo: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run_cli("diff", "--rev", "main", "manifests", "--format", "markdown") == 1
    md = capsys.readouterr().out
    lines = md.splitlines()
    assert lines[0].startswith("### ❌ Runs since `main` (")
    assert "3 run(s) added, 1 removed, 0 changed in `manifests`." in md
    assert lines[4].startswith("| run | config | overrides | vs. `main` | accuracy | log_loss |")
    assert "| `seed=1` |" in md and "0.9 → 0.93 (+0.03) ~" in md
    assert "no run at the revision" in md and "**Removed**" in md


def test_changed_and_edited_manifests(
    repo: dict[str, Path], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = json.loads(repo["main2"].read_text())
    edited["metrics"]["accuracy"] = 0.99  # digest not updated: tampering
    repo["main2"].write_text(json.dumps(edited, indent=2))
    repo["pr2"].write_text(
        repo["pr2"].read_text().replace('"owner": "example-team"', '"owner": "x"')
    )
    (workdir / "manifests" / "junk.json").write_text("{")
    code, summary = _json(capsys)
    assert code == 1
    assert summary["changed"] == [f"manifests/{repo['main2'].name} ({repo['main2'].stem})"]
    problems = {a["path"]: a["problem"] for a in summary["added"]}
    assert problems[f"manifests/{repo['pr2'].name}"] == (
        "its digest does not match its content (edited?)"
    )
    assert problems["manifests/junk.json"].startswith("truncated")


def test_usage_errors(
    repo: dict[str, Path], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run_cli("diff", "--rev", "no-such-branch") == 2
    assert "--rev: unknown revision (expected a branch, tag or commit, found 'no-such-branch')" in (
        capsys.readouterr().err
    )
    assert run_cli("diff", "--rev", "--upload-pack=x") == 2
    assert run_cli("diff", "--rev", "main", str(workdir.parent)) == 2
    assert "not inside the git repository" in capsys.readouterr().err
    (workdir / ".git").rename(workdir / "not-git")
    assert run_cli("diff", "--rev", "main") == 2
    assert "git rev-parse failed" in capsys.readouterr().err


def test_declared_directions_count(
    template: dict[str, Any], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert template["directions"]["log_loss"] == "lower"  # the example declares them
    git(workdir, "init", "-q", "-b", "main")
    write(workdir / "manifests", variant(template, 0, metrics={"log_loss": 0.2}))
    git(workdir, "add", ".")
    git(workdir, "commit", "-qm", "main")
    write(workdir / "manifests", variant(template, 1, metrics={"log_loss": 0.1}))
    code, summary = _json(capsys)
    assert code == 0 and summary["added"][0]["metrics"][1]["verdict"] == "better"
    write(workdir / "manifests", variant(template, 2, metrics={"log_loss": 0.3}))
    code, summary = _json(capsys)
    assert code == 1 and summary["added"][1]["metrics"][1]["verdict"] == "worse"
