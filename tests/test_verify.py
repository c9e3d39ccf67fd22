"""``manifest verify``: re-run manifests and check the reproducibility envelope.

End to end through the CLI on the bundled example (``conf/``) and on a tiny
project (``tests/verify_fixtures/tiny``) whose task misbehaves on request:
a timestamp in an artifact, an unseeded RNG, a peek at a secret, a
dependence on the time zone, a Ctrl-C.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import CONF, REPO, run_cli, run_example
from manifest.core.canonical import digest_of, manifest_digest, pretty_bytes

FIXTURES = Path(__file__).resolve().parent / "verify_fixtures"
REPORT_SCHEMA = json.loads((REPO / "schemas" / "verify-report.schema.json").read_text())
TINY_MODULES = ("hm_verify_tiny", "hm_verify_evil")


# -- helpers -----------------------------------------------------------------


def record(
    workdir: Path, *overrides: str, config_dir: Path = CONF, config_name: str = "config"
) -> Path:
    """Run a config once with ``manifest run``; the path of its new manifest."""
    store = workdir / "manifests"
    before = set(store.glob("*.json"))
    assert run_example(workdir, *overrides, config_dir=config_dir, config_name=config_name) == 0
    (new,) = set(store.glob("*.json")) - before
    return new


def edited(path: Path, change: Callable[[dict[str, Any]], None], name: str) -> Path:
    """A copy of the manifest at ``path`` changed by ``change`` and resealed
    (params digest and digest recomputed), so that it is intact."""
    manifest = json.loads(path.read_text())
    change(manifest)
    manifest["params_digest"] = digest_of(manifest["params"])
    manifest["digest"] = manifest_digest(manifest)
    target = path.parent.parent / "edited" / name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(pretty_bytes(manifest))
    return target


def verify(*args: str) -> int:
    return run_cli("verify", *args)


def verify_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()  # what recording the manifests printed
    code = verify(*args, "--format", "json")
    out = capsys.readouterr().out
    document = json.loads(out)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    return code, document


def checks_of(document: dict[str, Any], status: str | None = None) -> list[dict[str, Any]]:
    found = [c for s in document["subjects"] for c in s["checks"]]
    return [c for c in found if status is None or c["status"] == status]


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def tiny(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The tiny project copied into the working folder; its config folder."""
    for item in (FIXTURES / "tiny").iterdir():
        target = workdir / item.name
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy(item, target)
    for name in TINY_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield workdir / "conf"


# -- the bundled example -----------------------------------------------------


def test_fresh_example_manifest_verifies_and_nothing_original_is_touched(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(workdir)
    run_dir = workdir / json.loads(path.read_text())["hydra"]["run_dir"]
    before = tree_digest(workdir)

    code, document = verify_json(capsys, "--config-dir", str(CONF), str(path))

    assert code == 0, checks_of(document, "fail")
    assert document["verdict"] == "verified" and document["ok"]
    assert tree_digest(workdir) == before and (run_dir / "model.npz").exists()
    entry = document["manifests"][0]
    assert entry["digest"] == json.loads(path.read_text())["digest"]
    by_check = {c["check"]: c for c in checks_of(document)}
    assert by_check["params"]["status"] == "pass"
    # run_example records manifest.store=...: where a manifest goes is not refused, only ignored
    assert "ignored (bookkeeping): manifest.store=" in by_check["trust.overrides"]["message"]
    artifacts = [c for c in checks_of(document) if c["check"] == "artifact"]
    assert {c["message"].split(":")[0] for c in artifacts} == {"model.npz", "predictions.csv"}
    assert all(c["status"] == "pass" and c["expected"] == c["found"] for c in artifacts)
    assert {c["pointer"] for c in checks_of(document) if c["check"] == "metric"} == {
        f"/metrics/{m}" for m in ("accuracy", "log_loss", "precision", "recall", "weight_norm")
    }


def test_text_output_has_a_summary_table_and_progress_on_stderr(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(workdir)
    capsys.readouterr()
    assert verify("--config-dir", str(CONF), str(path)) == 0
    out, err = capsys.readouterr()
    assert "verify: 1 manifest checked, 0 failed" in out
    assert "verdict" in out and "verified" in out.splitlines()[-1]
    assert "[1/1]" in err and "same-seed: completed" in err


def test_jobs_2_runs_the_reruns_through_the_joblib_launcher(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(record(workdir, f"seed={s}")) for s in (0, 1, 2)]
    keep = workdir / "kept"

    code, document = verify_json(
        capsys, "--config-dir", str(CONF), "--jobs", "2", "--work-dir", str(keep), *paths
    )

    assert code == 0, checks_of(document, "fail")
    assert [m["verdict"] for m in document["manifests"]] == ["verified"] * 3
    launchers = {
        p.read_text().split("launcher:", 1)[1].split("_target_:", 1)[1].split()[0]
        for p in keep.rglob(".hydra/hydra.yaml")
    }
    assert launchers == {"hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"}


def test_stochastic_variant_passes_5_seeds_when_honest(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(workdir, config_name="sgd")

    code, document = verify_json(capsys, "--config-dir", str(CONF), "--seeds", "5", str(path))

    assert code == 0, checks_of(document, "fail")
    evidence = document["manifests"][0]["stochastic"]
    assert evidence["seeds"] == [1, 2, 3, 4, 5] and evidence["seed_key"] == "seed"
    assert "prediction interval" in evidence["method"]
    accuracy = evidence["metrics"]["accuracy"]
    assert accuracy["n"] == 5 and accuracy["lower"] <= accuracy["recorded"] <= accuracy["upper"]
    assert document["manifests"][0]["reruns"] == 6


def test_stochastic_variant_fails_when_its_metric_is_an_outlier(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    honest = record(workdir, config_name="sgd")

    def lucky(manifest: dict[str, Any]) -> None:
        # 15 steps of the accuracy's resolution (atol 0.002), far outside the seeds' spread
        manifest["metrics"]["accuracy"] = round(manifest["metrics"]["accuracy"] + 0.03, 6)

    path = edited(honest, lucky, "lucky.json")

    code, document = verify_json(capsys, "--config-dir", str(CONF), "--seeds", "5", str(path))

    assert code == 1
    failures = checks_of(document, "fail")
    assert [(c["check"], c["pointer"]) for c in failures] == [
        ("metric", "/metrics/accuracy"),  # the same seed gives back its own value
        ("envelope", "/metrics/accuracy"),
    ]
    assert "outside" in failures[1]["message"] and "prediction interval" in failures[1]["message"]


def test_missing_and_extra_artifacts_are_named(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def rename(manifest: dict[str, Any]) -> None:
        manifest["artifacts"][1]["path"] = "preds.csv"

    path = edited(record(workdir), rename, "renamed.json")

    code, document = verify_json(capsys, "--config-dir", str(CONF), str(path))

    assert code == 1
    messages = [c["message"] for c in checks_of(document, "fail")]
    assert "preds.csv: missing from the re-run" in messages
    assert "predictions.csv: extra file in the re-run, not in the record" in messages


# -- what fails, and why -----------------------------------------------------


def test_timestamp_in_an_artifact_fails_naming_it(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(tiny.parent, "mode=stamp", config_dir=tiny)

    code, document = verify_json(capsys, "--config-dir", str(tiny), str(path))

    assert code == 1
    failures = checks_of(document, "fail")
    assert [(c["check"], c["message"].split(":")[0]) for c in failures] == [
        ("artifact", "result.txt")
    ]
    assert failures[0]["expected"] != failures[0]["found"]
    diagnosis = [c["message"] for c in checks_of(document) if c["check"] == "diagnosis"]
    assert any(m.startswith("timestamp in artifact result.txt (line 2") for m in diagnosis)


def test_unseeded_rng_fails_naming_the_metric_and_the_cause(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(tiny.parent, "mode=unseeded", config_dir=tiny)

    code, document = verify_json(capsys, "--config-dir", str(tiny), str(path))

    assert code == 1
    failing = {c["pointer"] for c in checks_of(document, "fail")}
    assert "/metrics/noise" in failing
    diagnosis = [c["message"] for c in checks_of(document) if c["check"] == "diagnosis"]
    assert any(m.startswith("unseeded RNG") and "noise" in m for m in diagnosis)


def test_clock_values_are_taken_from_the_record(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(tiny.parent, config_dir=tiny)
    assert json.loads(path.read_text())["params"]["label"].startswith("run-20")

    code, document = verify_json(capsys, "--config-dir", str(tiny), str(path))

    assert code == 0, checks_of(document, "fail")
    params = next(c for c in checks_of(document) if c["check"] == "params")
    assert params["message"].endswith("from the record (clock/runtime): label, started")


def test_a_changed_input_fails_with_both_hashes(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(tiny.parent, config_dir=tiny)
    recorded = json.loads(path.read_text())["inputs"][0]["sha256"]
    (tiny.parent / "data.csv").write_text("x,y\n1,2\n3,5\n")

    code, document = verify_json(capsys, "--config-dir", str(tiny), str(path))

    assert code == 1
    (failure,) = [c for c in checks_of(document, "fail") if c["check"] == "input"]
    assert failure["pointer"] == "/inputs/0/sha256" and failure["expected"] == recorded
    assert failure["found"] == hashlib.sha256(b"x,y\n1,2\n3,5\n").hexdigest()


def test_reruns_get_no_secrets_unless_passed(
    tiny: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HM_VERIFY_SECRET", raising=False)
    path = record(tiny.parent, "mode=secret", config_dir=tiny)  # secret_visible = 0
    monkeypatch.setenv("HM_VERIFY_SECRET", "hunter2")

    assert verify("--config-dir", str(tiny), str(path)) == 0
    assert verify("--config-dir", str(tiny), "--pass-env", "HM_VERIFY_SECRET", str(path)) == 1
    assert "secret_visible" in capsys.readouterr().out


def test_ctrl_c_exits_130_with_a_partial_report(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = record(tiny.parent, config_dir=tiny)
    second = record(tiny.parent, "mode=interrupt", config_dir=tiny)
    (tiny.parent / "interrupt-now").write_text("")
    capsys.readouterr()

    code = verify("--config-dir", str(tiny), str(first), str(second))

    out, err = capsys.readouterr()
    assert code == 130
    assert "interrupted; the report above is partial" in err
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()[-2:]}
    assert rows == {str(first): "verified", str(second): "interrupted"}


@pytest.mark.slow
def test_perturb_names_the_condition_a_result_depends_on(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(tiny.parent, "mode=tz", config_dir=tiny)

    code, document = verify_json(
        capsys, "--config-dir", str(tiny), "--perturb", "--jobs", "2", str(path)
    )

    assert code == 1
    perturbed = {c["check"]: c for c in checks_of(document) if c["check"].startswith("perturb:")}
    assert set(perturbed) == {
        f"perturb:{n}" for n in ("hash-seed", "threads", "workdir", "locale", "timezone")
    }
    assert {k for k, c in perturbed.items() if c["status"] == "fail"} == {"perturb:timezone"}
    assert "depends on timezone" in perturbed["perturb:timezone"]["message"]
    assert "utc_offset_s" in perturbed["perturb:timezone"]["message"]


# -- the trust boundary ------------------------------------------------------


def test_edited_params_are_refused_and_with_trust_fail_the_param_check(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def faster(manifest: dict[str, Any]) -> None:
        manifest["params"]["optimizer"]["lr"] = 0.9

    path = edited(record(workdir), faster, "faster.json")

    code, document = verify_json(capsys, "--config-dir", str(CONF), str(path))
    assert code == 2 and document["verdict"] == "refused"
    failures = checks_of(document, "fail")
    assert failures[0]["message"].startswith("refused (pass --trust")
    assert ("/params/optimizer/lr", "0.5", "0.9") in {
        (c["pointer"], c.get("expected"), c.get("found")) for c in failures
    }
    assert document["manifests"][0]["reruns"] == 0

    code, document = verify_json(capsys, "--config-dir", str(CONF), "--trust", str(path))
    assert code == 1 and document["verdict"] == "not-reproduced"
    assert {c["check"] for c in checks_of(document, "fail")} == {"params"}
    assert document["manifests"][0]["reruns"] == 1


def test_undeclared_task_is_refused_without_importing_it(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def swap(manifest: dict[str, Any]) -> None:
        manifest["task"] = "hm_verify_evil:run"

    path = edited(record(tiny.parent, config_dir=tiny), swap, "evil.json")

    code, document = verify_json(capsys, "--config-dir", str(tiny), str(path))

    assert code == 2
    (failure,) = checks_of(document, "fail")
    assert failure["check"] == "trust.task" and failure["found"] == "hm_verify_evil:run"
    assert failure["expected"] == "hm_verify_tiny:run" and "not imported" in failure["message"]
    assert "hm_verify_evil" not in sys.modules
    assert not (tiny.parent / "EVIL-MODULE-IMPORTED").exists()


@pytest.mark.parametrize(
    "override",
    [
        pytest.param("manifest.task=hm_verify_evil:run", id="task"),
        pytest.param("+manifest.envelope.default.atol=1", id="widened-tolerance"),
        pytest.param("++manifest.envelope.identical=[]", id="force-add"),
        pytest.param("~manifest.inputs", id="delete"),
        pytest.param("++hydra.run.dir=/tmp/outside", id="run-dir"),
        pytest.param("+hydra.callbacks.x._target_=os.system", id="callback"),
        pytest.param("hydra/launcher=joblib", id="hydra-group"),
        pytest.param("+hydra.searchpath=[file:///tmp]", id="search-path"),
        pytest.param("+model._target_=os.system", id="target"),
        pytest.param("seed=1,2", id="sweep"),
    ],
)
def test_recorded_overrides_crossing_the_boundary_are_refused(
    tiny: Path, capsys: pytest.CaptureFixture[str], override: str
) -> None:
    def add(manifest: dict[str, Any]) -> None:
        manifest["overrides"].append(override)

    path = edited(record(tiny.parent, config_dir=tiny), add, "crossing.json")

    code, document = verify_json(capsys, "--config-dir", str(tiny), str(path))

    assert code == 2
    (failure,) = checks_of(document, "fail")
    assert failure["check"] == "trust.overrides" and failure["found"] == override
    assert failure["pointer"] == "/overrides/1" and failure["message"].startswith("refused: ")
    assert not (tiny.parent / "EVIL-MODULE-IMPORTED").exists()


def test_a_tampered_manifest_is_refused(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = record(workdir)
    manifest = json.loads(path.read_text())
    manifest["metrics"]["accuracy"] = 0.99  # digest not recomputed
    path.write_bytes(pretty_bytes(manifest))

    code, document = verify_json(capsys, "--config-dir", str(CONF), str(path))

    assert code == 2
    assert [c["check"] for c in checks_of(document, "fail")] == ["digest", "integrity"]


# -- reports -----------------------------------------------------------------


def test_write_report_saves_the_verification_record(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(workdir)
    report = workdir / "reports" / "verify.json"

    assert verify("--config-dir", str(CONF), "--write-report", str(report), str(path)) == 0

    document = json.loads(report.read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    assert document["manifests"][0]["digest"] == json.loads(path.read_text())["digest"]
    assert document["verdict"] == "verified" and document["schema_version"] == "1.0"


@pytest.mark.parametrize("fmt", ["junit", "markdown"])
def test_ci_formats(workdir: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    def rename(manifest: dict[str, Any]) -> None:
        manifest["artifacts"][1]["path"] = "preds.csv"

    path = edited(record(workdir), rename, "renamed.json")
    capsys.readouterr()

    assert verify("--config-dir", str(CONF), "--format", fmt, str(path)) == 1

    out = capsys.readouterr().out
    if fmt == "junit":
        suite = ET.fromstring(out).find("testsuite")
        assert suite is not None and int(suite.get("failures", "0")) >= 1
        assert "preds.csv: missing" in out
    else:
        assert out.startswith("### ❌ manifest verify") and "preds.csv: missing" in out


def test_a_launcher_that_is_not_installed_means_not_run(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(workdir)

    code, document = verify_json(
        capsys, "--config-dir", str(CONF), "--hydra", "hydra/launcher=no_such_launcher", str(path)
    )

    assert code == 2 and document["verdict"] == "not-run"
    (failure,) = checks_of(document, "fail")
    assert failure["check"] == "rerun" and "cannot launch the re-runs" in failure["message"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--hydra", "seed=3"], "hydra.* or hydra/ groups only", id="hydra-option"),
        pytest.param(["--seeds", "1"], "must be at least 2", id="one-seed"),
        pytest.param(["--config-dir", "nowhere"], "config folder not found", id="config-dir"),
    ],
)
def test_usage_errors_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert verify(*args, "missing.json") == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("config_name", "message"),
    [
        pytest.param(None, "the manifest names no config", id="none"),
        pytest.param("../../etc/passwd", "is not a plain config name", id="path"),
        pytest.param("other", "the repository has no config other.yaml", id="unknown"),
    ],
)
def test_a_config_the_repository_does_not_have_is_refused(
    tiny: Path, capsys: pytest.CaptureFixture[str], config_name: str | None, message: str
) -> None:
    def rename(manifest: dict[str, Any]) -> None:
        manifest["config_name"] = config_name

    path = edited(record(tiny.parent, config_dir=tiny), rename, "config.json")

    code, document = verify_json(capsys, "--config-dir", str(tiny), str(path))

    assert code == 2
    (failure,) = checks_of(document, "fail")
    assert failure["pointer"] == "/config_name" and message in failure["message"]


# -- the parts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "outcome"),
    [
        pytest.param("seed=3", "kept", id="value"),
        pytest.param("optimizer=sgd", "kept", id="group"),
        pytest.param("+extra.key=1", "kept", id="add"),
        pytest.param("manifest.store=elsewhere", "ignored", id="store"),
        pytest.param("++manifest.owner=bob", "ignored", id="owner"),
        pytest.param("manifest.envelope.seeds=2", "refused", id="envelope"),
        pytest.param("optimizer@manifest=sgd", "refused", id="package"),
        pytest.param("+optimizer@_global_.hydra=sgd", "refused", id="global-package"),
        pytest.param("~manifest_schema", "refused", id="schema"),
        pytest.param("model={_target_: os.system}", "refused", id="target-value"),
        pytest.param("key=[unclosed", "refused", id="unparseable"),
    ],
)
def test_screen_overrides(override: str, outcome: str) -> None:
    from manifest.verification.trust import screen_overrides

    screened = screen_overrides([override])
    found = {
        "kept": list(screened.kept),
        "ignored": list(screened.ignored),
        "refused": [text for _, text, _ in screened.refused],
    }
    assert found[outcome] == [override]
    assert sum(len(v) for v in found.values()) == 1


@pytest.mark.parametrize(
    ("found", "recorded", "atol", "rtol", "holds"),
    [
        pytest.param(1.0, 1.0, 0.0, 0.0, True, id="exact"),
        pytest.param(1.0 + 1e-12, 1.0, 0.0, 0.0, False, id="exact-by-default"),
        pytest.param(1.04, 1.0, 0.05, 0.0, True, id="atol"),
        pytest.param(1.09, 1.0, 0.0, 0.1, True, id="rtol"),
        pytest.param(-1.2, -1.0, 0.1, 0.1, True, id="negative"),
        pytest.param(1.3, 1.0, 0.1, 0.1, False, id="outside"),
    ],
)
def test_metric_tolerance(
    found: float, recorded: float, atol: float, rtol: float, holds: bool
) -> None:
    from manifest.verification.envelope import within

    assert within(found, recorded, atol, rtol) is holds


def test_a_metric_tolerance_falls_back_to_the_default_field_by_field() -> None:
    from manifest.verification.envelope import tolerance

    envelope = {"default": {"atol": 0.1, "rtol": 0.01}, "metrics": {"loss": {"atol": 0.5}}}
    assert tolerance(envelope, "loss") == (0.5, 0.01)
    assert tolerance(envelope, "accuracy") == (0.1, 0.01)
    assert tolerance({}, "accuracy") == (0.0, 0.0)


def test_prediction_interval_is_the_textbook_one() -> None:
    from manifest.verification.stochastic import prediction_interval

    interval = prediction_interval([1.0, 2.0, 3.0, 4.0, 5.0], 7.0, level=0.95)

    # mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764451051977987 (R: qt(0.975, 4))
    half = 2.7764451051977987 * 2.5**0.5 * (1 + 1 / 5) ** 0.5
    assert interval.mean == 3.0 and interval.t == pytest.approx(2.7764451051977987)
    assert (interval.lower, interval.upper) == pytest.approx((3 - half, 3 + half))
    assert interval.holds is (3 - half <= 7.0 <= 3 + half)
    same = prediction_interval([0.1, 0.1, 0.1], 0.1, level=0.95)
    assert (same.lower, same.upper, same.holds) == (0.1, 0.1, True)


def test_the_sandbox_passes_no_secrets_and_points_proxies_at_a_closed_port() -> None:
    from manifest.verification.sandbox import minimal_env

    source = {
        "PATH": "/bin",
        "HOME": "/home/me",
        "LC_NUMERIC": "de_DE.UTF-8",
        "OMP_NUM_THREADS": "4",
        "AWS_SECRET_ACCESS_KEY": "x",
        "GITHUB_TOKEN": "y",
        "MY_DATA_DIR": "/data",
    }
    env = minimal_env(source, pass_env=["MY_DATA_DIR"])
    assert {"PATH", "HOME", "LC_NUMERIC", "OMP_NUM_THREADS", "MY_DATA_DIR"} <= set(env)
    assert "AWS_SECRET_ACCESS_KEY" not in env and "GITHUB_TOKEN" not in env
    assert env["https_proxy"] == "http://127.0.0.1:9" and env["HF_HUB_OFFLINE"] == "1"
    assert "https_proxy" not in minimal_env(source, allow_network=True)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        pytest.param("/tmp/a/b", "/tmp/a/b", id="plain"),
        pytest.param("/tmp/wörk dir/x", "'/tmp/wörk dir/x'", id="space"),
        pytest.param("/tmp/it's", '"/tmp/it\'s"', id="quote"),
    ],
)
def test_paths_are_quoted_for_hydra_overrides(value: str, written: str) -> None:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from manifest.verification.rerun import quoted

    assert quoted(value) == written
    parsed = OverridesParser.create().parse_override(f"hydra.run.dir={written}")
    assert parsed.value() == value


def test_recorded_overrides_that_do_not_compose_are_refused(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def add(manifest: dict[str, Any]) -> None:
        manifest["overrides"].append("no_such_key=1")

    path = edited(record(tiny.parent, config_dir=tiny), add, "uncomposable.json")

    code, document = verify_json(capsys, "--config-dir", str(tiny), str(path))

    assert code == 2 and document["verdict"] == "refused"
    assert document["manifests"][0]["reruns"] == 0
    (failure,) = checks_of(document, "fail")
    assert failure["check"] == "trust.task" and failure["pointer"] == "/task"
    assert failure["message"].startswith(
        f"refused: {tiny / 'config.yaml'}: the repository's config does not compose with the "
        "recorded overrides: Could not override 'no_such_key'."
    )
    assert failure["message"].endswith("; it was not imported")
