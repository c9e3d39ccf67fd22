"""``manifest registry``: promote, refusal, rollback, tampered history and
concurrent promotions, on manifests recorded by real runs."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from runfactory import sweep

from manifest.cli import main
from manifest.core.canonical import digest_of, pretty_bytes
from manifest.core.locking import LockTimeout, file_lock
from manifest.core.reading import read_json
from manifest.gating.policy import load_policy
from manifest.registry import history as history_mod
from manifest.registry import promotion
from manifest.registry.store import ConflictError, load

POLICY = """
rules:
  - {metric: accuracy, direction: higher, threshold: 0.8, non_inferiority_margin: 0.02}
  - {metric: latency_ms, direction: lower, max: 50}
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("registry")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return {
        "base": sweep(
            root,
            "base",
            {"accuracy": [0.80, 0.81, 0.82, 0.81, 0.80], "latency_ms": [40, 41, 42, 40, 41]},
        ),
        "good": sweep(
            root,
            "good",
            {"accuracy": [0.85, 0.86, 0.84, 0.86, 0.85], "latency_ms": [41, 42, 43, 41, 40]},
        ),
        "better": sweep(
            root,
            "better",
            {"accuracy": [0.88, 0.87, 0.89, 0.88, 0.86], "latency_ms": [39, 40, 41, 40, 39]},
        ),
        "bad": sweep(
            root,
            "bad",
            {"accuracy": [0.70, 0.72, 0.71, 0.69, 0.70], "latency_ms": [60, 61, 59, 62, 60]},
        ),
        "policy": root / "policy.yaml",
    }


@pytest.fixture(autouse=True)
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)


def registry(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["registry", *args])
    out, err = capsys.readouterr()
    return code, out, err


def promote(
    runs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    model: str,
    candidate: str,
    *extra: str,
) -> tuple[int, str, str]:
    return registry(
        capsys, "promote", model, str(runs[candidate]), "--policy", str(runs["policy"]), *extra
    )


def test_promote_records_digests_gate_report_who_and_when(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = promote(runs, capsys, "demo", "good")
    assert code == 2 and "the first promotion needs --baseline" in err
    code, out, err = promote(runs, capsys, "demo", "good", "--baseline", str(runs["base"]))
    assert code == 0, err
    assert "gate: ACCEPT" in out and "demo v1 is production" in err
    record = load(Path("registry"), "demo")
    assert record is not None and record.production == 1 and record.rollback_candidate is None
    entry = record.history[0]
    assert entry["who"] == "Ada Lovelace <ada@example.org>" and entry["when"].endswith("Z")
    assert sorted(m["digest"] for m in entry["manifests"]) == sorted(
        read_json(p)["digest"] for p in runs["good"].glob("*.json")
    )
    report = read_json(Path("registry") / entry["gate"]["report"])
    assert digest_of(report) == entry["gate"]["report_digest"] and report["decision"] == "accept"
    assert entry["gate"]["policy_digest"] == load_policy(runs["policy"]).digest

    # the next promotion compares against production's own runs by default
    code, out, err = promote(runs, capsys, "demo", "better")
    assert code == 0, err
    record = load(Path("registry"), "demo")
    assert record is not None and (record.production, record.rollback_candidate) == (2, 1)
    assert {m["digest"] for m in record.history[1]["baseline"]} == {
        m["digest"] for m in entry["manifests"]
    }
    assert record.history[1]["previous"] == entry["digest"]

    code, out, _ = registry(capsys, "show", "demo")
    assert code == 0 and "production: v2" in out and "rollback candidate: v1" in out
    code, out, _ = registry(capsys, "history", "demo", "--format", "json")
    assert code == 0 and [e["version"] for e in json.loads(out)["history"]] == [1, 2]


def test_a_blocked_candidate_is_refused_and_nothing_changes(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert promote(runs, capsys, "m", "good", "--baseline", str(runs["base"]))[0] == 0
    before = Path("registry/m.json").read_bytes()
    code, out, err = promote(runs, capsys, "m", "bad")
    assert code == 1
    assert "gate: BLOCK" in out and "m not promoted: the gate blocks" in err
    assert Path("registry/m.json").read_bytes() == before
    assert not Path("registry/reports/m/v2.gate.json").exists()
    # what the Python API returns for it: the model, not promoted, the record as it was
    blocked = promotion.promote(
        Path("registry"), "m", [str(runs["bad"])], load_policy(runs["policy"]), who="me"
    )
    assert (blocked.model, blocked.promoted, blocked.gate.decision) == ("m", False, "block")
    assert blocked.record is not None and blocked.record.production == 1
    assert (blocked.entry, blocked.report_path) == (None, None)
    assert Path("registry/m.json").read_bytes() == before
    code, _, err = promote(runs, capsys, "m", "good")
    assert code == 1 and "already production version 1" in err


def test_rollback(runs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert promote(runs, capsys, "m", "good", "--baseline", str(runs["base"]))[0] == 0
    code, _, err = registry(capsys, "rollback", "m")
    assert code == 1 and "m has no rollback candidate" in err
    assert promote(runs, capsys, "m", "better")[0] == 0
    code, out, _ = registry(capsys, "rollback", "m", "--note", "latency alert")
    assert code == 0 and "rolled back to v1 (v2 retired)" in out
    record = load(Path("registry"), "m")
    assert record is not None and (record.production, record.rollback_candidate) == (1, None)
    last = record.history[-1]
    assert (last["action"], last["version"], last["retired"], last["note"]) == (
        "rollback",
        1,
        2,
        "latency alert",
    )
    code, out, _ = registry(capsys, "history", "m")
    assert code == 0 and "rollback to v1 (v2 retired)" in out and "chain verified: 3" in out
    # a new promotion after a rollback gets the next version number
    assert promote(runs, capsys, "m", "better")[0] == 0
    record = load(Path("registry"), "m")
    assert record is not None and (record.production, record.rollback_candidate) == (3, 1)


def _edit(change: Any) -> None:
    path = Path("registry/m.json")
    document = json.loads(path.read_text())
    change(document)
    path.write_bytes(pretty_bytes(document))


def two_versions_then(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], change: Any
) -> None:
    """Promote two versions of ``m``, then edit its registry file by ``change``."""
    assert promote(runs, capsys, "m", "good", "--baseline", str(runs["base"]))[0] == 0
    assert promote(runs, capsys, "m", "better")[0] == 0
    _edit(change)


def _rehash(entry: dict[str, Any]) -> None:
    entry["digest"] = digest_of({k: v for k, v in entry.items() if k != "digest"})


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        pytest.param(
            lambda d: d["history"][0].update(who="Mallory"), "/history/0/digest", id="edited-entry"
        ),
        pytest.param(
            lambda d: (d["history"][0].update(who="Mallory"), _rehash(d["history"][0])),
            "/history/1/previous",
            id="edited-and-rehashed",
        ),
        pytest.param(lambda d: d["history"].pop(), "/head", id="entry-removed"),
        pytest.param(lambda d: d.update(production=1), "/production", id="summary-edited"),
        pytest.param(lambda d: d["history"].pop(0), "/history/0/previous", id="first-removed"),
        pytest.param(lambda d: d.update(extra=1), "/", id="unknown-key"),
    ],
)
def test_tampered_history_is_detected(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], change: Any, pointer: str
) -> None:
    two_versions_then(runs, capsys, change)
    for action in (["show", "m"], ["history", "m"], ["rollback", "m"]):
        code, _, err = registry(capsys, *action)
        assert code == 1, action
        assert f"registry/m.json: {pointer}" in err and "Traceback" not in err
    code, _, err = promote(runs, capsys, "m", "bad")
    assert code == 1 and "registry/m.json" in err


def test_two_concurrent_promotions_one_wins_one_conflicts(
    runs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Generous: a loaded machine can take long to import the statistics; a
    # broken barrier then shows as the thread's outcome, not a silent death.
    barrier = threading.Barrier(2, timeout=300)
    real_gate = promotion.gate

    def gate_then_wait(*args: Any, **kwargs: Any) -> Any:
        result = real_gate(*args, **kwargs)
        barrier.wait()  # both have read the registry and passed the gate
        return result

    monkeypatch.setattr(promotion, "gate", gate_then_wait)
    policy = load_policy(runs["policy"])
    outcomes: dict[str, Any] = {}

    def attempt(name: str) -> None:
        try:
            outcomes[name] = promotion.promote(
                Path("registry"),
                "race",
                [str(runs[name])],
                policy,
                baseline_specs=[str(runs["base"])],
                who=name,
            )
        except ConflictError as exc:
            outcomes[name] = exc
        except BaseException as exc:  # reported by the assertion below
            outcomes[name] = exc
            barrier.abort()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("good", "better")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    conflicts = [v for v in outcomes.values() if isinstance(v, ConflictError)]
    winners = [v for v in outcomes.values() if isinstance(v, promotion.Promotion)]
    assert len(conflicts) == 1 and len(winners) == 1, outcomes
    won = winners[0].entry
    assert won is not None
    assert conflicts[0].describe() == (
        "registry/race.json: /head: another promotion or rollback changed the registry while "
        f"this one ran (expected no history yet, found {won['digest']}); entry {won['seq']} "
        f"(promote by {won['who']} at {won['when']}) won; rerun against the new production "
        "version"
    )
    record = load(Path("registry"), "race")
    assert record is not None and len(record.history) == 1 and record.production == 1
    assert record.history[0]["who"] == winners[0].entry["who"]
    assert not list(Path("registry").glob(".*.lock"))


HOLD = """
import sys, time
from pathlib import Path
from manifest.core.locking import file_lock
with file_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_held_lock_waits_and_a_dead_holder_frees_it(tmp_path: Path) -> None:
    lock = tmp_path / ".m.json.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), "60"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        started = time.monotonic()
        with (
            pytest.raises(LockTimeout, match="locked by another process"),
            file_lock(lock, timeout=0.3),
        ):
            pass
        assert time.monotonic() - started < 2
    finally:
        holder.kill()  # no release, no clean-up: the kernel drops the lock
        holder.communicate()
    with file_lock(lock, timeout=1):
        assert lock.exists()
    assert not lock.exists()


CONTEND = """
import os, sys
from pathlib import Path
from manifest.core.locking import file_lock
lock, inside = Path(sys.argv[1]), Path(sys.argv[2])
for _ in range(int(sys.argv[3])):
    with file_lock(lock, timeout=60):
        fd = os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # fails if shared
        os.close(fd)
        os.unlink(inside)
"""


def test_three_contenders_never_hold_the_lock_together(tmp_path: Path) -> None:
    lock, inside = tmp_path / ".m.json.lock", tmp_path / "inside"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONTEND, str(lock), str(inside), "150"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert not lock.exists() and not inside.exists()


@pytest.mark.parametrize("name", ["../evil", "a/b", "", ".hidden"])
def test_bad_model_names_exit_2(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, _, err = registry(capsys, "show", name)
    assert code == 2 and "bad model name" in err


def test_unknown_model_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = registry(capsys, "show", "nothing")
    assert code == 2 and "the registry has no model 'nothing'" in err


def test_an_edited_gate_report_is_reported(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert promote(runs, capsys, "m", "good", "--baseline", str(runs["base"]))[0] == 0
    code, out, err = registry(capsys, "history", "m")
    assert code == 0 and "chain verified" in out and err == ""
    report_path = Path("registry/reports/m/v1.gate.json")
    report = json.loads(report_path.read_text())
    report["decision"] = "accept (edited)"
    report_path.write_bytes(pretty_bytes(report))
    code, out, err = registry(capsys, "history", "m")
    assert code == 1 and "chain verified" in out
    assert "m v1: " in err and "was edited: it is not the gate report that was recorded" in err
    report_path.unlink()
    code, out, err = registry(capsys, "history", "m")
    assert code == 1 and "the gate report cannot be read" in err and "no such file" in err


# ---------------------------------------------------------------- the history


def _history(*steps: tuple[str, int]) -> list[dict[str, Any]]:
    """A valid history of (action, version) steps."""
    history: list[dict[str, Any]] = []
    for action, version in steps:
        history.append(
            history_mod.new_entry(
                history, action=action, version=version, who="ada", when="t", details={}
            )
        )
    return history


def test_replay_follows_promotions_and_rollbacks() -> None:
    steps = [("promote", 1), ("promote", 2), ("promote", 3), ("rollback", 2), ("promote", 4)]
    history = _history(*steps)
    states = [(e["production"], e["rollback_candidate"]) for e in history]
    assert states == [(1, None), (2, 1), (3, 2), (2, 1), (4, 2)]
    assert [e["seq"] for e in history] == [1, 2, 3, 4, 5]
    assert history[0]["previous"] is None
    assert all(e["previous"] == p["digest"] for p, e in itertools.pairwise(history))
    assert history_mod.replay(history, file="m.json") == (4, 2)
    assert history_mod.replay(history[:4], file="m.json") == (2, 1)
    assert history_mod.replay([], file="m.json") == (None, None)


def _rehashed(entry: dict[str, Any], **change: Any) -> dict[str, Any]:
    edited = {**entry, **change}
    edited["digest"] = digest_of({k: v for k, v in edited.items() if k != "digest"})
    return edited


@pytest.mark.parametrize(
    ("tamper", "pointer", "expected", "found", "why"),
    [
        pytest.param(
            lambda h: [h[0], {**h[1], "who": "mallory"}, *h[2:]],
            "/history/1/digest",
            None,
            None,
            "an entry does not match its digest",
            id="edited",
        ),
        pytest.param(
            lambda h: [h[0], _rehashed(h[1], previous=None), *h[2:]],
            "/history/1/previous",
            "h0",
            "None",
            "an entry does not link the one before it",
            id="unlinked",
        ),
        pytest.param(
            lambda h: [h[0], _rehashed(h[1], seq=5)],
            "/history/1/seq",
            "2",
            "5",
            "entries are missing or reordered",
            id="seq",
        ),
        pytest.param(
            lambda h: [h[0], _rehashed(h[1], version=3)],
            "/history/1/version",
            "2",
            "3",
            "version numbers skip",
            id="version-skip",
        ),
        pytest.param(
            lambda h: [*h[:3], _rehashed(h[3], version=1)],
            "/history/3/version",
            "2",
            "1",
            "a rollback restores a version that was not the candidate",
            id="rollback-to-another",
        ),
        pytest.param(
            lambda h: [_rehashed(h[0], action="rollback")],
            "/history/0/version",
            "None",
            "1",
            "a rollback restores a version that was not the candidate",
            id="rollback-first",
        ),
        pytest.param(
            lambda h: [h[0], _rehashed(h[1], production=1)],
            "/history/1/production",
            "2",
            "1",
            "the recorded state does not follow from the history",
            id="state",
        ),
        pytest.param(
            lambda h: [h[0], _rehashed(h[1], rollback_candidate=None)],
            "/history/1/production",
            "2",
            "2",
            "the recorded state does not follow from the history",
            id="candidate",
        ),
    ],
)
def test_replay_names_the_first_break(
    tamper: Any, pointer: str, expected: str | None, found: str | None, why: str
) -> None:
    history = _history(("promote", 1), ("promote", 2), ("promote", 3), ("rollback", 2))
    edited = tamper(history)
    with pytest.raises(history_mod.TamperedError) as info:
        history_mod.replay(edited, file="registry/m.json")
    error = info.value
    assert (error.file, error.pointer) == ("registry/m.json", pointer)
    assert error.message == f"the history was edited: {why}"
    assert error.hint == "restore the file from git"
    assert error.exit_code == 1
    if expected == "h0":
        expected = history[0]["digest"]
    if expected is not None:
        assert (error.expected, error.found) == (expected, found)
    else:
        assert error.found == history[1]["digest"] and error.expected != error.found


def gated(name: str) -> list[str]:
    """The digests of a promotion's gate report's baseline runs."""
    report = read_json(Path(f"registry/reports/m/{name}.gate.json"))
    return sorted(r["digest"] for r in report["baseline"]["runs"])


def digests(folder: Path) -> list[str]:
    return sorted(read_json(p)["digest"] for p in folder.glob("*.json"))


def test_without_a_baseline_the_production_version_is_the_baseline(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert promote(runs, capsys, "m", "good", "--baseline", str(runs["base"]))[0] == 0
    assert promote(runs, capsys, "m", "better", "--note", "faster")[0] == 0
    assert gated("v2") == digests(runs["good"])
    loosened = Path("loose.yaml")
    loosened.write_text("rules:\n  - {metric: accuracy, direction: higher, threshold: 0.8}\n")
    code, _, err = registry(
        capsys, "promote", "m", str(runs["base"]), "--policy", str(loosened), "--note", "x"
    )
    assert code == 0, err
    assert gated("v3") == digests(runs["better"])  # the newest version, not the first
    record = load(Path("registry"), "m")
    assert record is not None
    assert [e.get("note") for e in record.history] == [None, "faster", "x"]


def test_production_runs_that_moved_or_changed_are_not_a_baseline(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import shutil

    copy = Path(shutil.copytree(runs["good"], tmp_path / "good"))
    assert promote(runs, capsys, "m", "base", "--baseline", str(runs["bad"]))[0] == 0
    code = registry(
        capsys,
        "promote",
        "m",
        str(copy),
        "--policy",
        str(runs["policy"]),
        "--baseline",
        str(runs["base"]),
    )[0]
    assert code == 0
    first, second = sorted(copy.glob("*.json"))[:2]
    saved = first.read_bytes()
    first.unlink()
    code, _, err = promote(runs, capsys, "m", "better")
    assert code == 2
    assert err.strip() == (
        f"manifest registry: error: {first}: the manifests of production version 2 are not "
        "here; pass --baseline with the runs to compare against"
    )
    first.write_bytes(saved)
    manifest = read_json(second)
    recorded = manifest["digest"]
    manifest["metrics"]["accuracy"] = 0.99
    manifest["digest"] = digest_of({k: v for k, v in manifest.items() if k != "digest"})
    second.write_bytes(pretty_bytes(manifest))
    code, _, err = promote(runs, capsys, "m", "better")
    assert code == 2
    assert err.strip() == (
        f"manifest registry: error: {second}: a manifest of production version 2 changed "
        f"since it was promoted (expected {recorded}, found {manifest['digest']}); "
        "pass --baseline explicitly"
    )


def test_what_a_refused_rollback_says(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = registry(capsys, "rollback", "m")
    assert code == 2
    assert err.strip() == (
        "manifest registry: error: registry/m.json: the registry has no model 'm'"
    )
    assert promote(runs, capsys, "m", "good", "--baseline", str(runs["base"]))[0] == 0
    code, _, err = registry(capsys, "rollback", "m")
    assert code == 1
    assert err.strip() == (
        "manifest registry: error: registry/m.json: /rollback_candidate: m has no rollback "
        "candidate (expected a previous production version, found none)"
    )


def test_the_python_api_returns_the_promotion(runs: dict[str, Path]) -> None:
    import manifest

    done = manifest.promote("m", runs["good"], runs["policy"], baseline=runs["base"])
    assert (done.model, done.promoted) == ("m", True)
    assert done.record is not None and done.record.production == 1
    assert done.record.path == Path("registry/m.json")
    assert done.report_path == Path("registry/reports/m/v1.gate.json")
    assert done.report_path.is_file()
    assert done.entry is not None and done.record.promotion(1) == done.entry


def test_a_registry_change_is_all_or_nothing(tmp_path: Path) -> None:
    from manifest.errors import OutputError
    from manifest.registry.store import _write_all

    (tmp_path / "blocker").write_text("a file, not a folder")
    report = tmp_path / "reports" / "m" / "v1.gate.json"
    with pytest.raises(OutputError) as raised:
        _write_all([(report, b"{}"), (tmp_path / "blocker" / "m.json", b"{}")])
    assert raised.value.file == str(tmp_path / "blocker" / "m.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "gitconfig"]
    with pytest.raises(OutputError):  # the first file fails: nothing written either
        _write_all([(tmp_path / "blocker" / "r.json", b"{}"), (report, b"{}")])
    assert not (tmp_path / "reports").exists()


def test_a_registry_folder_that_cannot_be_made_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from manifest.errors import OutputError
    from manifest.registry.store import _write_all

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    target = tmp_path / "registry" / "m.json"
    with pytest.raises(OutputError) as raised:
        _write_all([(target, b"{}")])
    assert raised.value.describe() == (
        f"{target}: cannot write the file: Read-only file system ({tmp_path / 'registry'}); "
        "the file system is read-only: choose a writable folder"
    )


def test_evidence_reaches_the_promotions_gate(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    policy = Path("verified.yaml")
    policy.write_text(runs["policy"].read_text() + "require: [verified]\n")
    candidate = sorted(str(p) for p in runs["good"].glob("*.json"))
    report = {
        "command": "verify",
        "ok": True,
        "subjects": [{"subject": p, "ok": True, "checks": []} for p in candidate],
    }
    Path("verify.json").write_text(json.dumps(report))
    args = ["promote", "m", str(runs["good"]), "--baseline", str(runs["base"])]
    code, _, err = registry(capsys, *args, "--policy", str(policy))
    assert code == 1 and "m not promoted: the gate blocks" in err
    code, _, err = registry(capsys, *args, "--policy", str(policy), "--evidence", "verify.json")
    assert code == 0, err
    gate = read_json(Path("registry/reports/m/v1.gate.json"))
    [verified] = [c for c in gate["checks"] if c["id"] == "require.verified"]
    assert verified["status"] == "pass"


def test_the_first_promotion_needs_a_baseline(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = promote(runs, capsys, "m", "good")
    assert code == 2
    assert err.strip() == (
        "manifest registry: error: --baseline: m has no production version to compare with; "
        "the first promotion needs --baseline"
    )
    (tmp_path / "empty").mkdir()
    code, _, err = promote(runs, capsys, "m", "good", "--baseline", str(tmp_path / "empty"))
    assert code == 2 and "the baseline" in err
    assert not Path("registry").exists()


def test_utc_now_is_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timezone

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: no overlap with UTC's date-hour
    time.tzset()
    try:
        stamp = datetime.strptime(promotion.utc_now(), "%Y-%m-%dT%H:%M:%S.%fZ")
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        assert abs((now - stamp).total_seconds()) < 600
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


NAME_RULE = "letters, digits, '.', '_', '-' (at most 100)"


@pytest.mark.parametrize("name", ["../evil", "a..b", "x" * 101, "_hidden"])
def test_what_a_bad_model_name_says(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, _, err = registry(capsys, "show", name)
    assert code == 2
    assert err.strip() == (
        f"manifest registry: error: MODEL: bad model name (expected {NAME_RULE}, found {name!r})"
    )


def test_the_longest_and_dotted_names_are_models() -> None:
    from manifest.registry.store import model_path

    for name in ("x" * 100, "a.b_c-1", "9"):
        assert model_path(Path("registry"), name) == Path("registry") / f"{name}.json"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        pytest.param(
            lambda d: d.update(production=1),
            "/production: the history was edited: the summary does not match it "
            "(expected 2, found 1); restore the file from git",
            id="summary",
        ),
        pytest.param(
            lambda d: d.update(rollback_candidate=None),
            "/rollback_candidate: the history was edited: the summary does not match it "
            "(expected 1, found None); restore the file from git",
            id="candidate",
        ),
        pytest.param(
            lambda d: d.update(model="other"),
            "/model: the file is for another model (expected m, found other)",
            id="another-model",
        ),
        pytest.param(
            lambda d: d.update(extra=1),
            "/: not a valid registry file: Additional properties are not allowed ('extra' was "
            "unexpected); restore the file from git",
            id="not-valid",
        ),
    ],
)
def test_what_a_tampered_registry_file_says(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str], change: Any, said: str
) -> None:
    two_versions_then(runs, capsys, change)
    code, _, err = registry(capsys, "show", "m")
    assert code == 1
    assert err.strip() == f"manifest registry: error: registry/m.json: {said}"


def test_the_head_must_be_the_last_entry(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert promote(runs, capsys, "m", "good", "--baseline", str(runs["base"]))[0] == 0
    record = load(Path("registry"), "m")
    assert record is not None and record.head == record.history[-1]["digest"]
    _edit(lambda d: d.update(head="sha256:" + "0" * 64))
    code, _, err = registry(capsys, "show", "m")
    assert code == 1
    assert (
        f"/head: the history was edited: the summary does not match it (expected {record.head}"
        in err
    )


def test_a_registry_file_removed_meanwhile_is_a_conflict(tmp_path: Path) -> None:
    from manifest.registry.store import append

    with pytest.raises(ConflictError) as raised:
        append(tmp_path, "m", {"digest": "sha256:new"}, expected_head="sha256:old")
    assert raised.value.describe() == (
        f"{tmp_path / 'm.json'}: /head: another promotion or rollback changed the registry "
        "while this one ran (expected sha256:old, found no history); the file was removed "
        "meanwhile; rerun"
    )
    assert not (tmp_path / "m.json").exists()


def test_an_entry_the_schema_refuses_is_never_written(tmp_path: Path) -> None:
    from manifest.errors import ManifestError
    from manifest.registry.store import append

    entry = history_mod.new_entry(
        [],
        action="promote",
        version=1,
        who="a",
        when="2026-01-01T00:00:00.000000Z",
        details={"manifests": [], "baseline": []},  # no gate: the schema requires one
    )
    with pytest.raises(ManifestError) as raised:
        append(tmp_path, "m", entry, expected_head=None)
    said = raised.value.describe()
    assert said.startswith(f"{tmp_path / 'm.json'}: internal: the new registry file is not valid: ")
    assert "gate" in said
    assert not (tmp_path / "m.json").exists()


def test_who_promotes_is_taken_from_git_where_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from manifest.registry.store import who_am_i

    assert who_am_i(tmp_path) == "Ada Lovelace <ada@example.org>"
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "Local"], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.email", ""], check=True)
    assert who_am_i(repo) == "Local"  # the repository's own name, and no empty <>
    assert who_am_i(tmp_path) == "Ada Lovelace <ada@example.org>"


@pytest.mark.parametrize("git", ["no-identity", "no-git"])
def test_without_a_git_identity_the_login_name_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git: str
) -> None:
    import getpass

    from manifest.registry.store import who_am_i

    if git == "no-git":
        monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    else:
        (tmp_path / "gitconfig").write_text("[user]\n\temail = only@example.org\n")
    monkeypatch.setattr(getpass, "getuser", lambda: "login")
    assert who_am_i(tmp_path) == "login"

    def nobody() -> str:
        raise KeyError("no such user")

    monkeypatch.setattr(getpass, "getuser", nobody)
    assert who_am_i(tmp_path) == "unknown"
