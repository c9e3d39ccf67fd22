"""The reports of `manifest validate`: text, JSON (against its schema), JUnit
XML (parsed back) and Markdown, through the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from validate_kit import Example, example_run, run, tamper, write_contracts, write_manifest

from manifest.core.results import FAIL, PASS, WARN, Check, Report
from manifest.core.schemas import load_schema
from manifest.render import report as reporters

CONTRACTS = """
contracts:
  - {id: accuracy-floor, kind: threshold, metric: accuracy, op: ">=", value: 0.9,
     severity: block, owner: ml-platform, action: retrain}
  - {id: loss-ceiling, kind: threshold, metric: log_loss, op: "<", value: 0.1,
     severity: warn, owner: research, action: warn}
  - {id: auditable, kind: lineage, require: [owner, seed], severity: block, owner: governance,
     action: escalate}
"""


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    return example_run(tmp_path_factory)


@pytest.fixture
def store(example: Example, tmp_path: Path) -> dict[str, Path]:
    """Four manifests (good, too weak, edited by hand, schema-broken) and contracts."""
    folder = tmp_path / "manifests"
    paths = {
        "good": write_manifest(folder / "a-good.json", example),
        "weak": write_manifest(folder / "b-weak.json", example, {"metrics": {"accuracy": 0.75}}),
        "edited": write_manifest(folder / "c-edited.json", example),
        "broken": write_manifest(
            folder / "d-broken.json", example, {"status": "done", "cost": {"wall_s": -1}}
        ),
    }
    tamper(paths["edited"], lambda m: m["metrics"].update(accuracy=0.99))
    paths["folder"] = folder
    paths["contracts"] = write_contracts(tmp_path, CONTRACTS)
    return paths


def validate(
    capsys: pytest.CaptureFixture[str], store: dict[str, Path], *extra: str
) -> tuple[int, str]:
    code, out, err = run(
        capsys, "validate", store["folder"], "--contracts", store["contracts"], *extra
    )
    assert not err
    return code, out


FORMATS = ["text", "json", "junit", "markdown"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_failure_names_what_a_responder_needs(
    fmt: str, store: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = validate(capsys, store, "--format", fmt)
    assert code == 1
    if fmt == "junit":  # what a CI system shows: attributes and texts, unescaped
        nodes = list(ET.fromstring(out).iter())
        out = "\n".join(
            [*(n.text or "" for n in nodes), *(v for n in nodes for v in n.attrib.values())]
        )
    for needle in (
        str(store["weak"]),
        "/metrics/accuracy",
        "accuracy-floor",
        "accuracy >= 0.9",
        "0.75",
        "ml-platform",
        "retrain",
        str(store["edited"]),
        "/digest",
        "loss-ceiling",  # a warning
        "research",
    ):
        assert needle in out, (fmt, needle)


def test_json_report_matches_its_schema(
    store: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    schema = jsonschema.Draft202012Validator(load_schema("report.schema.json"))
    code, out = validate(capsys, store, "--format", "json", "--strict")
    report = json.loads(out)
    schema.validate(report)
    assert code == 1 and report["strict"] is True and report["command"] == "validate"
    assert [s["ok"] for s in report["subjects"]] == [
        False,
        False,
        False,
        False,
    ]  # strict: warnings fail
    good = report["subjects"][0]["checks"]
    loss = next(c for c in good if c["check"] == "loss-ceiling")
    assert loss == {
        "subject": str(store["good"]),
        "check": "loss-ceiling",
        "status": FAIL,
        "message": "log_loss fails the threshold",
        "pointer": "/metrics/log_loss",
        "expected": "log_loss < 0.1",
        "found": loss["found"],
        "owner": "research",
        "action": "warn",
        "kind": "threshold",
        "severity": "warn",
    }
    for args in ([store["good"], "--no-contracts"], ["--contracts", store["contracts"]]):
        code, out, _ = run(capsys, "validate", *args, "--format", "json")
        assert code == 0
        schema.validate(json.loads(out))


def test_junit_has_one_case_per_manifest_and_check(
    store: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = validate(capsys, store, "--format", "junit")
    assert code == 1
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    names = [(Path(c.get("classname", "")).name, c.get("name")) for c in cases]
    contracts = ["accuracy-floor", "loss-ceiling", "auditable"]
    expected = [("a-good.json", n) for n in ["parse", "schema", "digest", *contracts]]
    expected += [("b-weak.json", n) for n in ["parse", "schema", "digest", *contracts]]
    expected += [("c-edited.json", n) for n in ["parse", "schema", "digest", *contracts]]
    # two schema errors are one case; a schema-broken manifest meets no contract
    expected += [("d-broken.json", n) for n in ["parse", "schema", "digest"]]
    assert names == expected
    assert suite.get("tests") == str(len(expected))
    failed = {(Path(c.get("classname", "")).name, c.get("name")): c.find("failure") for c in cases}
    failed = {k: v for k, v in failed.items() if v is not None}
    assert set(failed) == {
        ("b-weak.json", "accuracy-floor"),
        ("c-edited.json", "digest"),
        ("d-broken.json", "schema"),
    }
    assert suite.get("failures") == "3"
    floor = failed[("b-weak.json", "accuracy-floor")]
    assert floor.get("type") == "threshold"
    assert floor.get("message") == (
        "accuracy fails the threshold (expected accuracy >= 0.9, found 0.75) "
        "[owner ml-platform, action retrain]"
    )
    assert f"{store['weak']}: /metrics/accuracy: " in (floor.text or "")
    assert len((failed[("d-broken.json", "schema")].text or "").splitlines()) == 2
    warned = next(c for c in cases if c.get("name") == "loss-ceiling")
    out_text = warned.find("system-out")
    assert out_text is not None and (out_text.text or "").startswith("WARNING /metrics/log_loss:")


def test_markdown_for_a_step_summary(
    store: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = validate(capsys, store, "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        "### ❌ manifest validate: 4 checked, 3 failed, 3 warnings (3 contracts"
    )
    assert "|  | file | check | field | problem | expected | found | owner | action |" in lines
    assert (
        f"| ❌ | `{store['weak']}` | accuracy-floor | `/metrics/accuracy` | accuracy fails the "
        "threshold | accuracy >= 0.9 | 0.75 | ml-platform | retrain |"
    ) in lines
    assert "<details><summary>Contracts</summary>" in lines
    assert "| accuracy-floor | threshold | block | 2 | 0 | 1 | ml-platform | retrain |" in lines
    good = run(capsys, "validate", store["good"], "--no-contracts", "--format", "markdown")[1]
    assert (
        good == "### ✅ manifest validate: 1 checked, 0 failed, 0 warnings\n\nEvery check holds.\n"
    )


def test_markdown_rows_are_capped() -> None:
    checks = tuple(Check(f"m{i}.json", "c", FAIL, "x|y", "/a") for i in range(5))
    text = reporters.markdown(
        Report("validate", tuple(c.subject for c in checks), checks), max_rows=2
    )
    assert text.count("| ❌ |") == 2 and "... and 3 more (see `--format json`)." in text
    assert "x\\|y" in text  # a pipe cannot break the table


def test_text_is_compact_and_plain_off_a_terminal(
    store: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = validate(capsys, store)
    assert code == 1 and "\033[" not in out
    lines = out.splitlines()
    assert lines[-1] == (
        "validate: 4 manifests checked, 3 failed, 3 warnings: failed "
        f"(3 contracts from {store['contracts']})"
    )
    table = lines[lines.index(next(x for x in lines if x.startswith("contract "))) :]
    assert table[0].split() == [
        "contract",
        "kind",
        "severity",
        "pass",
        "warn",
        "fail",
        "owner",
        "action",
    ]
    assert table[1].split() == [
        "accuracy-floor",
        "threshold",
        "block",
        "2",
        "0",
        "1",
        "ml-platform",
        "retrain",
    ]
    assert table[2].split() == [
        "loss-ceiling",
        "threshold",
        "warn",
        "0",
        "3",
        "0",
        "research",
        "warn",
    ]
    findings = [x for x in lines if x.startswith(("FAIL ", "WARN "))]
    assert len(findings) == 3 + 2 + 2  # 3 warnings; floor and digest; 2 schema errors


def test_colour_only_on_a_terminal(
    store: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    out = validate(capsys, store)[1]
    assert "\033[31;1mFAIL\033[0m" in out and "\033[33;1mWARN\033[0m" in out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in validate(capsys, store)[1]


def test_reporters_keep_the_plain_report_shape() -> None:
    """Reports of other commands (no contracts) render as before."""
    checks = (Check("m.json", "parse", PASS), Check("m.json", "schema", WARN, "hmm", "/x"))
    report = Report("verify", ("m.json",), checks)
    data: dict[str, Any] = reporters.as_json(report)
    assert data == {
        "command": "verify",
        "ok": True,
        "counts": {"subjects": 1, "failed_subjects": 0, "checks": 2, "failures": 0, "warnings": 1},
        "subjects": [
            {
                "subject": "m.json",
                "ok": True,
                "checks": [
                    {"subject": "m.json", "check": "parse", "status": PASS},
                    {
                        "subject": "m.json",
                        "check": "schema",
                        "status": WARN,
                        "message": "hmm",
                        "pointer": "/x",
                    },
                ],
            }
        ],
    }
    assert (
        reporters.text(report)
        == "WARN m.json: /x: [schema] hmm\nverify: 1 manifest checked, 0 failed, 1 warnings: ok\n"
    )
