"""`manifest report`: one self-contained HTML page, checked as HTML and in a
real headless Chromium (tests skip only when no Chromium is installed)."""

from __future__ import annotations

import json
import os
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from browser import Browser, find_chromium
from conftest import CONF, run_cli, run_example
from runs_kit import example_template, variant, write

CHROMIUM = find_chromium()
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser tests: .ci/run installs Debian's chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (apt-get install chromium; .ci/run does)"
)
HOSTILE = '<script>window.__xss=1;alert(1)</script>"><img src=x onerror="window.__xss=2">'

CURVES_TASK = """
import json, math

def train(cfg):
    with open("metrics.jsonl", "w") as out:
        for step in range(0, 50, 5):
            out.write(json.dumps({"name": "loss", "value": math.exp(-step / 20) + cfg.seed / 100,
                                  "step": step}) + "\\n")
            out.write(json.dumps({"name": "acc", "value": 1 - math.exp(-step / 10), "step": step,
                                  "time": "2026-01-01T00:00:00Z"}) + "\\n")
        out.write("not json\\n")
        out.write(json.dumps({"name": "acc", "value": float("nan"), "step": 99}) + "\\n")
    return {"final_loss": math.exp(-45 / 20)}
"""
CURVES_CONFIG = """
defaults:
  - manifest_schema
  - _self_
seed: 0
manifest:
  task: hm_curves_task:train
"""


class Collector(HTMLParser):
    """Every tag and attribute name, and the text of script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return example_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def example(workdir: Path) -> Path:
    """A real comparison: 5 seeds of gd and of sgd, and a verification report."""
    for name, store in (("config", "gd"), ("sgd", "sgd")):
        code = run_example(
            workdir, "seed=0,1,2,3,4", f"manifest.store={workdir}/manifests/{store}",
            config_name=name, multirun=True,
        )  # fmt: skip
        assert code == 0
    first = sorted((workdir / "manifests" / "gd").glob("*.json"))[0]
    assert run_cli(
        "verify", "--config-dir", str(CONF), "--no-diagnose", str(first),
        "--write-report", str(workdir / "verify.json"),
    ) == 0  # fmt: skip
    return workdir / "manifests"


def _report(workdir: Path, *args: str) -> str:
    out = workdir / "report.html"
    assert run_cli("report", *args, "-o", str(out)) == 0
    return out.read_text(encoding="utf-8")


def test_report_sections(example: Path, workdir: Path) -> None:
    page = _report(
        workdir, str(example), "-b", str(example / "gd"), "-c", str(example / "sgd"),
        "--policy", str(CONF / "policy.yaml"), "--verify-report", str(workdir / "verify.json"),
    )  # fmt: skip
    for anchor in ("runs", "comparison", "gate", "verification"):
        assert f'<section id="{anchor}">' in page
    assert '<section id="curves">' not in page  # the example logs no steps
    assert page.count("<tr title=") == 10 and "candidate worse" in page
    assert 'decision: <span class="badge bad">BLOCK</span>' in page
    assert "accuracy.non_inferiority" in page and "verified" in page
    parsed = Collector()
    parsed.feed(page)
    assert not {"link", "img", "iframe", "object", "embed"} & set(parsed.tags)
    assert "src" not in parsed.attrs and "href" not in {a for a in parsed.attrs if a != "href"}
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page
    assert "default-src 'none'" in page and parsed.tags.count("script") == 1


def test_report_refuses_bad_input(
    example: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run_cli("report", str(example), "-o", str(example / "gd" / "x.json")) == 2
    assert "expected a .html file" in capsys.readouterr().err
    assert (
        run_cli(
            "report",
            str(example),
            "-o",
            "r.html",
            "--verify-report",
            str(next((example / "gd").glob("*.json"))),
        )
        == 2
    )
    assert "not a verification report" in capsys.readouterr().err
    assert run_cli("report", str(example), "-o", "r.html", "--policy", "p.yaml") == 2
    assert run_cli("report", "nowhere", "-o", "r.html") == 2
    assert not (workdir / "r.html").exists()
    (workdir / "notes.html").write_text("my notes, not a report")
    assert run_cli("report", str(example), "-o", "notes.html") == 2
    assert "notes.html" in capsys.readouterr().err
    assert (workdir / "notes.html").read_text() == "my notes, not a report"
    assert run_cli("report", str(example), "-o", "r.html") == 0
    assert run_cli("report", str(example), "-o", "r.html") == 0  # a report over a report


def test_hostile_manifest_stays_text(template: dict[str, Any], workdir: Path) -> None:
    hostile = variant(
        template, 1, owner=HOSTILE, config_name=HOSTILE, overrides=[HOSTILE],
        params={"x": HOSTILE}, metrics={HOSTILE: 1.0},
    )  # fmt: skip
    write(workdir / "manifests", hostile)
    write(workdir / "manifests", variant(template, 2, params={"x": "plain"}))
    page = _report(workdir, "manifests", "--title", HOSTILE)
    parsed = Collector()
    parsed.feed(page)
    assert parsed.tags.count("script") == 1 and "img" not in parsed.tags
    assert "onerror" not in parsed.attrs and "__xss" not in "".join(parsed.scripts)
    assert "&lt;script&gt;window.__xss=1" in page


def _curves_project(root: Path) -> Path:
    conf = root / "conf"
    conf.mkdir()
    (conf / "config.yaml").write_text(CURVES_CONFIG)
    (root / "hm_curves_task.py").write_text(CURVES_TASK)
    return conf


def test_curves_from_metrics_jsonl(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _curves_project(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    sys.modules.pop("hm_curves_task", None)
    for seed in (0, 1):
        code = run_cli("run", "--config-dir", str(conf), f"seed={seed}",
                       f"hydra.run.dir={workdir}/outputs/{seed}")  # fmt: skip
        assert code == 0
    manifests = sorted((workdir / "manifests").glob("*.json"))
    artifacts = json.loads(manifests[0].read_text())["artifacts"]
    assert [a["path"] for a in artifacts] == ["metrics.jsonl"]
    page = _report(workdir, "manifests")
    assert '<section id="curves">' in page
    assert page.count("<polyline") == 4  # two metrics, two runs each
    assert "<figcaption>acc</figcaption>" in page and "<figcaption>loss</figcaption>" in page
    assert "2 malformed line(s) of metrics.jsonl skipped" in page
    (workdir / "outputs" / "1" / "metrics.jsonl").write_text("{}\n")
    page = _report(workdir, "manifests")
    assert page.count("<polyline") == 2 and "changed since the run (sha256 differs)" in page


@needs_chromium
def test_report_in_chromium(example: Path, workdir: Path, template: dict[str, Any]) -> None:
    write(example / "hostile", variant(template, 7, owner=HOSTILE, metrics={HOSTILE: 2.0}))
    _report(
        workdir, str(example), "-b", str(example / "gd"), "-c", str(example / "sgd"),
        "--policy", str(CONF / "policy.yaml"), "--verify-report", str(workdir / "verify.json"),
    )  # fmt: skip
    assert CHROMIUM is not None
    with Browser(CHROMIUM) as browser:
        browser.open(workdir / "report.html")
        assert browser.problems() == []
        assert browser.js("window.__xss === undefined") is True
        shot = workdir / "report.png"
        browser.screenshot(shot)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
        rows = "Array.from(document.querySelectorAll('#runs-table tbody tr'))"
        column = "Array.from(document.querySelectorAll('#runs-table thead th')).findIndex(" \
                 "th => th.title === 'metrics.log_loss')"  # fmt: skip
        index = browser.js(column)
        assert index > 0
        values = f"{rows}.filter(r => !r.hidden).map(r => r.cells[{index}].getAttribute('data-v'))"
        browser.js(f"document.querySelectorAll('#runs-table thead th')[{index}].click()")
        ascending = [float(v) for v in browser.js(values) if v is not None]
        assert ascending == sorted(ascending) and len(ascending) == 11
        browser.js(f"document.querySelectorAll('#runs-table thead th')[{index}].click()")
        assert [float(v) for v in browser.js(values) if v is not None] == ascending[::-1]
        browser.js(
            "const f = document.getElementById('runs-filter');"
            "f.value = 'manifests/sgd sgd'; f.dispatchEvent(new Event('input'))"
        )
        assert browser.js(f"{rows}.filter(r => !r.hidden).length") == 5
        assert browser.js("document.getElementById('runs-count').textContent") == "5 of 11 runs"
        assert browser.problems() == []


@needs_chromium
def test_report_reads_without_javascript(example: Path, workdir: Path) -> None:
    _report(workdir, str(example), "-b", str(example / "gd"), "-c", str(example / "sgd"))
    assert CHROMIUM is not None
    with Browser(CHROMIUM) as browser:
        browser.call("Emulation.setScriptExecutionDisabled", session=True, value=True)
        browser.open(workdir / "report.html")
        browser.call("Emulation.setScriptExecutionDisabled", session=True, value=False)
        assert browser.js("document.querySelectorAll('#runs-table tbody tr').length") == 10
        assert browser.js("document.getElementById('runs-filter').hidden") is True
        assert browser.js("document.querySelector('th.sortable')") is None  # no script ran
        assert browser.js("document.querySelectorAll('#comparison svg').length") >= 4
        browser.screenshot(workdir / "nojs.png")
        assert browser.problems() == []


def test_curves_from_the_python_api(workdir: Path) -> None:
    """`run.log_metric(name, value, step)` writes the metrics.jsonl the report draws."""
    import manifest

    for lr in (0.1, 0.3):
        with manifest.start_run({"lr": lr}, run_dir=workdir / f"run-{lr}") as run:
            for step in range(0, 100, 10):
                run.log_metric("loss", 1 / (1 + lr * step), step=step)
            run.log_metric("accuracy", 0.8 + lr)
    page = _report(workdir, "manifests")
    assert page.count("<polyline") == 2 and "<figcaption>loss</figcaption>" in page
    assert "malformed" not in page and "not found" not in page
