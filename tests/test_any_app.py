"""The whole loop on apps in each of Hydra's documented styles, unchanged:
record through the callback, list, verify, compare.

Config groups, a structured primary config in the ConfigStore, ``instantiate``
of ``_target_`` objects, an app started with ``python -m``, and a sweep
defined in the config (``hydra.sweeper.params``); each in a git repository of
its own, started in a subprocess as its user would start it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import apps
from conftest import manifests_in, run_cli

# per style: what makes the candidate differ from the baseline
CANDIDATE = {
    "groups": "optimizer=sgd",
    "structured": "optimizer.lr=0.3",
    "instantiate": "optimizer.lr=0.2",
    "module": "lr=0.3",
    "sweep": "lr=0.3",
}


def record_sweep(app: apps.App, store: str, *overrides: str) -> list[dict[str, Any]]:
    seeds = () if app.style == "sweep" else ("seed=0,1,2",)  # the sweep app's are in its config
    result = apps.run(app, "-m", *seeds, f"manifest.store={store}", *overrides)
    assert result.returncode == 0, result.stderr
    assert f"3 manifests recorded for this sweep in {app.root / store}" in result.stderr
    found = manifests_in(app.root / store)
    assert len(found) == 3
    return found


def json_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    capsys.readouterr()
    code = run_cli(*args, "--format", "json")
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.slow
@pytest.mark.usefixtures("app_imports")
@pytest.mark.parametrize("style", apps.STYLES)
def test_record_list_verify_compare(
    style: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = apps.make(tmp_path / style, style)
    baseline = record_sweep(app, "runs/base")
    candidate = record_sweep(app, "runs/cand", CANDIDATE[style])
    for manifest in baseline + candidate:
        assert manifest["status"] == "completed" and manifest["task"] == app.task
        assert [a["path"] for a in manifest["artifacts"]] == ["model.txt"]
    assert sorted(m["seeds"]["seed"] for m in baseline) == [0, 1, 2]
    monkeypatch.chdir(app.root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(app.root / ".cache"))

    capsys.readouterr()
    assert run_cli("ls", "runs/base") == 0
    listed = capsys.readouterr().out
    assert all(m["run_id"] in listed for m in baseline)

    code, report = json_of(capsys, "verify", "runs/base", "runs/cand")
    assert code == 0, [c for s in report["subjects"] for c in s["checks"] if c["status"] != "pass"]
    assert [m["verdict"] for m in report["manifests"]] == ["verified"] * 6
    tasks = [c for s in report["subjects"] for c in s["checks"] if c["check"] == "trust.task"]
    assert all("is an app the repository names" in c["message"] for c in tasks)

    directions = () if style == "groups" else ("--direction", "loss=lower")  # groups: in its config
    code, comparison = json_of(capsys, "compare", "runs/base", "runs/cand", *directions)
    assert code == 0
    compared = {m["metric"]: m for m in comparison["metrics"]}
    assert set(compared) == {"score", "loss"}
    assert compared["loss"]["direction"] == "lower"
    assert [compared["score"][side]["n"] for side in ("baseline", "candidate")] == [3, 3]
