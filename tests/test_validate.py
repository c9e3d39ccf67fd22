"""The validation pipeline (schema, digest, then contracts) through the CLI.

Each folder under ``tests/cases/positive`` and ``tests/cases/negative`` is a
test: its ``contracts.yaml`` is applied to the bundled example's manifest,
changed by ``patch.json`` (an RFC 7386 merge patch, digest recomputed) and,
for tampering, by ``case.json``'s ``tamper`` (digest left alone); a
``reference.json`` (the unchanged manifest) sits next to the contracts for
``drift``. ``case.json`` states the clock (``now_days`` after the run, or
``now``), ``strict``, the exit code and the checks expected.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from validate_kit import (
    CASES,
    REPO,
    Example,
    checks_of,
    example_run,
    json_report,
    merge_patch,
    one_check,
    run,
    tamper,
    write_contracts,
    write_manifest,
)

from manifest.check.contract_file import load_contracts
from manifest.check.validate import PARALLEL_MIN_FILES, validate
from manifest.core.results import FAIL, PASS, WARN


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    return example_run(tmp_path_factory)


def _cases(kind: str) -> list[Any]:
    return [pytest.param(p, id=p.name) for p in sorted((CASES / kind).iterdir()) if p.is_dir()]


def _run_case(
    folder: Path, example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, Any], int, str, str, dict[str, str]]:
    spec = json.loads((folder / "case.json").read_text()) if (folder / "case.json").exists() else {}
    work = tmp_path / folder.name
    shutil.copytree(folder, work)
    write_manifest(work / "reference.json", example)
    patch = (
        json.loads((work / "patch.json").read_text()) if (work / "patch.json").exists() else None
    )
    manifest = write_manifest(work / "manifests" / "run.json", example, patch)
    if "tamper" in spec:
        tamper(manifest, lambda m: m.update(merge_patch(m, spec["tamper"])))
    now = spec.get("now") or example.now(spec.get("now_days", 1))
    args = ["validate", work / "manifests", "--contracts", work / "contracts.yaml", "--now", now]
    args += ["--strict"] if spec.get("strict") else []
    code, out, err = run(capsys, *args, "--format", "json")
    names = {"contracts": str(work / "contracts.yaml"), "manifest": str(manifest)}
    return spec, code, out, err, names


def _assert_rows(report: dict[str, Any], spec: dict[str, Any]) -> None:
    """Each expected failure or warning is a row with those values (a
    ``message`` may be a part); ``passes`` passed; ``absent`` did not apply."""
    for wanted in spec.get("failures", []) + spec.get("warnings", []):
        rows = [
            row
            for row in checks_of(report, wanted["check"])
            if row["status"] != PASS
            and row.get("pointer") == wanted.get("pointer", row.get("pointer"))
        ]
        assert rows, (wanted, report)
        for key, value in wanted.items():
            assert rows[0].get(key) == value or (key == "message" and value in rows[0][key]), key
    for name in spec.get("passes", []):
        assert one_check(report, name)["status"] == PASS
    for name in spec.get("absent", []):
        assert not checks_of(report, name)


@pytest.mark.parametrize("folder", _cases("positive"))
def test_positive_case(
    folder: Path, example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, code, out, err, _ = _run_case(folder, example, tmp_path, capsys)
    assert code == 0, out + err
    report = json.loads(out)
    assert report["ok"] is True
    assert report["counts"]["warnings"] == len(spec.get("warnings", []))
    _assert_rows(report, spec)
    failed = [c for s in report["subjects"] for c in s["checks"] if c["status"] == FAIL]
    assert not failed


@pytest.mark.parametrize("folder", _cases("negative"))
def test_negative_case(
    folder: Path, example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, code, out, err, names = _run_case(folder, example, tmp_path, capsys)
    assert code == spec["exit"], out + err
    for needle in spec.get("stderr", []):
        assert needle.format(**names) in err
    if spec["exit"] == 2:
        assert not out and len(err.strip().splitlines()) == 1, err  # one line, no traceback
        assert err.startswith("manifest validate: error: ")
        return
    report = json.loads(out)
    assert report["ok"] is False
    _assert_rows(report, spec)
    for needle in spec.get("stdout", []):
        text = run(capsys, "validate", names["manifest"], "--contracts", names["contracts"])[1]
        assert needle.format(**names) in text


def test_the_cases_cover_every_kind() -> None:
    kinds = set()
    for path in CASES.glob("*/*/contracts.yaml"):
        kinds.update(
            line.split("kind:")[1].split(",")[0].strip()
            for line in path.read_text().splitlines()
            if "kind:" in line
        )
    assert {"threshold", "budget", "freshness", "lineage", "drift", "schema"} <= kinds


# ------------------------------------------------------------- the pipeline


def test_every_manifest_and_contract_is_reported(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "manifests"
    write_manifest(folder / "a-good.json", example)
    write_manifest(folder / "b-low.json", example, {"metrics": {"accuracy": 0.5}})
    tampered = write_manifest(folder / "c-tampered.json", example)
    tamper(tampered, lambda m: m["metrics"].update(log_loss=0.01))
    (folder / "d-broken.json").write_text("{")
    contracts = write_contracts(
        tmp_path,
        """
contracts:
  - {id: floor, kind: threshold, metric: accuracy, op: ">=", value: 0.9,
     severity: block, owner: ml-platform, action: retrain}
  - {id: loss, kind: threshold, metric: log_loss, op: "<", value: 0.1,
     severity: warn, owner: ml-platform, action: warn}
""",
    )
    code, report = json_report(capsys, folder, "--contracts", contracts, "--now", example.now())
    assert code == 1
    by_file = {Path(s["subject"]).name: s for s in report["subjects"]}
    assert {k: v["ok"] for k, v in by_file.items()} == {
        "a-good.json": True,
        "b-low.json": False,
        "c-tampered.json": False,
        "d-broken.json": False,
    }
    statuses = {name: {c["check"]: c["status"] for c in s["checks"]} for name, s in by_file.items()}
    assert statuses["a-good.json"] == {
        "parse": PASS,
        "schema": PASS,
        "digest": PASS,
        "floor": PASS,
        "loss": WARN,
    }
    assert statuses["b-low.json"]["floor"] == FAIL
    # an edited manifest is still held to its contracts: both verdicts are shown
    assert statuses["c-tampered.json"] == {
        "parse": PASS,
        "schema": PASS,
        "digest": FAIL,
        "floor": PASS,
        "loss": PASS,
    }
    assert statuses["d-broken.json"] == {"parse": FAIL}
    assert report["counts"] == {
        "subjects": 4,
        "failed_subjects": 3,
        "checks": 16,
        "failures": 3,
        "warnings": 2,
    }


def test_tampered_manifest_names_the_file(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_manifest(tmp_path / "run.json", example)
    assert run(capsys, "validate", path, "--no-contracts")[0] == 0
    tamper(path, lambda m: m["metrics"].update(accuracy=0.999))
    code, out, _ = run(capsys, "validate", path, "--no-contracts")
    assert code == 1
    assert f"FAIL {path}: /digest: [digest] the digest does not match the content" in out


def test_warnings_pass_unless_strict(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_manifest(tmp_path / "run.json", example)
    contracts = write_contracts(
        tmp_path,
        "contracts:\n  - {id: hi, kind: threshold, metric: accuracy, op: '>', value: 0.99,\n"
        "     severity: warn, owner: research, action: warn}\n",
    )
    code, out, _ = run(capsys, "validate", path, "--contracts", contracts)
    assert code == 0
    assert f"WARN {path}: /metrics/accuracy: [hi] accuracy fails the threshold" in out
    assert "1 manifest checked, 0 failed, 1 warnings: ok" in out
    code, out, _ = run(capsys, "validate", path, "--contracts", contracts, "--strict")
    assert code == 1
    assert f"FAIL {path}: /metrics/accuracy: [hi]" in out and "strict)" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="deep"),
        pytest.param(
            b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply", id="deep-obj"
        ),
    ],
)
def test_deep_manifest_is_refused(
    content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(content)
    code, out, err = run(capsys, "validate", path, "--no-contracts")
    assert code == 1
    assert f"FAIL {path}: [parse] {message}" in out
    assert "Traceback" not in out + err and "RecursionError" not in out + err


def test_huge_manifest_is_refused_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:  # sparse: 300 MB that take no disk
        handle.truncate(300 * 1024 * 1024)
    code, out, _ = run(capsys, "validate", path, "--no-contracts")
    assert code == 1
    # refused by its size on disk, before a byte of it is read
    assert f"FAIL {path}: [parse] file too large (expected at most" in out
    assert "found 314572800 bytes)" in out


def test_unreadable_inputs_exit_2(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_manifest(tmp_path / "run.json", example)
    code, _, err = run(capsys, "validate", tmp_path / "missing")
    assert code == 2 and "no such file or folder" in err
    code, _, err = run(capsys, "validate", path, "--contracts", tmp_path / "nope.yaml")
    assert (code, err) == (2, f"manifest validate: error: {tmp_path / 'nope.yaml'}: no such file\n")
    code, _, err = run(capsys, "validate", path, "--contracts", tmp_path)
    assert code == 2 and "is a folder, not a regular file" in err
    (tmp_path / "store" / "odd.json").mkdir(parents=True)  # a folder, not a manifest: skipped
    write_manifest(tmp_path / "store" / "run.json", example)
    code, out, _ = run(capsys, "validate", tmp_path / "store", "--no-contracts")
    assert code == 0 and "1 manifest checked" in out


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="no-paths"),
        pytest.param(["x.json", "--contracts", "c.yaml", "--no-contracts"], id="both"),
        pytest.param(["x.json", "--now", "yesterday"], id="bad-now"),
        pytest.param(["x.json", "--format", "yaml"], id="bad-format"),
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", *args)
    assert code == 2 and not out
    assert "Traceback" not in err


def test_huge_and_deep_contracts_files_are_refused(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_manifest(tmp_path / "run.json", example)
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as handle:
        handle.truncate(500 * 1024 * 1024)
    deep = write_contracts(
        tmp_path, "contracts: " + "[" * 50_000 + "]" * 50_000 + "\n", "deep.yaml"
    )
    code, _, err = run(capsys, "validate", path, "--contracts", huge)
    # refused by its size on disk, before a byte of it is read
    assert code == 2
    assert f"{huge}: file too large (expected at most 1048576 bytes, found 524288000 bytes)" in err
    code, _, err = run(capsys, "validate", path, "--contracts", deep)
    assert code == 2 and f"{deep}: nested too deeply" in err
    assert "RecursionError" not in err


def test_default_contracts_file(
    example: Example,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_manifest(tmp_path / "run.json", example)
    monkeypatch.chdir(tmp_path)
    write_contracts(
        tmp_path / "conf",
        "contracts:\n  - {id: impossible, kind: threshold, metric: accuracy, op: '>', value: 1,\n"
        "     severity: block, owner: o, action: retrain}\n",
    )
    code, out, _ = run(capsys, "validate", path)
    assert code == 1 and "[impossible]" in out and "contracts from conf/contracts.yaml" in out
    code, out, _ = run(capsys, "validate", path, "--no-contracts")
    assert code == 0 and "contracts" not in out


def test_checking_only_the_contracts_file(capsys: pytest.CaptureFixture[str]) -> None:
    contracts = Path(__file__).resolve().parent.parent / "conf" / "contracts.yaml"
    code, report = json_report(capsys, "--contracts", contracts)
    assert code == 0
    assert report["subjects"][0]["checks"][0]["message"] == "6 contracts, each can be applied"


# ------------------------------------------------------------ the Python API


def test_validate_api_and_parallel_workers(example: Example, tmp_path: Path) -> None:
    """Above PARALLEL_MIN_FILES, the workers evaluate contracts too, and the
    report is the one a single process gives."""
    folder = tmp_path / "many"
    for i in range(PARALLEL_MIN_FILES + 8):
        low = {"metrics": {"accuracy": 0.5}} if i % 7 == 0 else None
        write_manifest(folder / f"{i:04d}.json", example, low)
    contracts = load_contracts(
        write_contracts(
            tmp_path,
            """
contracts:
  - {id: floor, kind: threshold, metric: accuracy, op: ">=", value: 0.9,
     severity: block, owner: o, action: retrain}
  - {id: shape, kind: schema, schema: {required: [metrics]}, severity: block, owner: o,
     action: block}
""",
        )
    )
    plain = validate([folder])
    assert plain.ok and plain.extra == {} and len(plain.checks) == 3 * len(plain.subjects)
    serial = validate([folder], jobs=1, contracts=contracts, now=example.finished)
    parallel = validate([folder], jobs=2, contracts=contracts, now=example.finished)
    assert serial == parallel
    failing = {Path(c.subject).name for c in serial.failures}
    assert failing == {f"{i:04d}.json" for i in range(0, PARALLEL_MIN_FILES + 8, 7)}
    assert {c.check for c in serial.checks} == {"parse", "schema", "digest", "floor", "shape"}
    assert serial.extra["now"] == example.finished.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_validate_path_stays_light(example: Example, tmp_path: Path) -> None:
    """With contracts, `manifest validate` imports neither Hydra, NumPy, SciPy
    nor the pure-Python jsonschema."""
    import subprocess

    repo_contracts = Path(__file__).resolve().parent.parent / "conf" / "contracts.yaml"
    path = write_manifest(tmp_path / "run.json", example)
    code = (
        "import sys\n"
        "from manifest.cli import main\n"
        f"code = main(['validate', {str(path)!r}, '--contracts', {str(repo_contracts)!r},"
        f" '--now', {example.now()!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'scipy', 'numpy', 'hydra', 'omegaconf', 'jsonschema'})\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_pre_commit_hook_runs_manifest_validate(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
    command, *args = hook["entry"].split()
    assert command == "manifest"  # the console script of pyproject.toml
    staged = [write_manifest(tmp_path / "manifests" / f"{i}.json", example) for i in range(2)]
    assert run(capsys, *args, *staged, "--no-contracts")[0] == 0
