"""The layered layout of a lineage and its inline SVG drawing."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from lineage_kit import Chdir, copy_of, rec, recorded_pipeline, stage_ids

from browser import Browser, find_chromium
from manifest.cli import main
from manifest.lineage.graph import build_graph
from manifest.lineage.layout import layout
from manifest.lineage.records import RunRecord
from manifest.lineage.walk import among, around
from manifest.render.html.lineage import svg
from manifest.render.lineage_graph import merged_edges

SVG = "{http://www.w3.org/2000/svg}"
CHROMIUM = find_chromium()
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser tests: .ci/run installs Debian's chromium")


@pytest.fixture
def runs() -> list[RunRecord]:
    """prepare feeds three trainings (one failed); each is evaluated; a
    report derives from one evaluation by content and from another by a
    declared parent; one evaluation names a parent with no manifest."""
    return [
        rec("prep", "T01", writes=("d",), versions=("s3://bucket/raw@v3",)),
        rec("train-a", "T02", reads=("d",), writes=("ma",)),
        rec("train-b", "T03", reads=("d",), writes=("mb",), status="failed"),
        rec("train-c", "T04", reads=("d", "x"), writes=("mc",)),
        rec("eval-a", "T05", reads=("ma", "d"), writes=("ra",)),
        rec("eval-b", "T06", reads=("mb",)),
        rec("eval-c", "T07", reads=("mc",), parents=("ghost",)),
        rec("report", "T08", reads=("ra",), parents=("eval-c",)),
    ]


def test_every_edge_points_right_and_rows_do_not_collide(runs: list[RunRecord]) -> None:
    graph = build_graph(runs)
    view = around(graph, ["run:train-c"])
    pairs = [(s, t) for s, t, _ in merged_edges(view)]
    placed = layout(graph, view.nodes, pairs)
    assert all(placed.layer[s] < placed.layer[t] for s, t in pairs)
    cells = [(placed.layer[n], placed.row[n]) for n in view.nodes]
    assert len(set(cells)) == len(cells)
    assert placed.width == 1 + max(placed.layer.values())
    # a source sits just before the run that reads it
    assert placed.layer["source:s3://bucket/raw@v3"] == placed.layer["run:prep"] - 1
    assert placed.layer[f"file:{runs[3].inputs[1].sha256}"] == placed.layer["run:train-c"] - 1


def test_a_cycle_of_declared_parents_is_laid_out_too() -> None:
    graph = build_graph(
        [
            rec("a", "T01", parents=("c",)),
            rec("b", "T02", parents=("a",)),
            rec("c", "T03", parents=("b",)),
        ]
    )
    view = around(graph, ["run:a"])
    placed = layout(graph, view.nodes, [(e.source, e.target) for e in view.edges])
    assert sorted(placed.layer.values()) == [0, 1, 2]


def test_the_drawing_is_one_svg_element_with_every_node_and_edge(runs: list[RunRecord]) -> None:
    graph = build_graph(runs)
    view = among(graph, [r.run_id for r in runs])
    assert len(view.nodes) == len(graph.nodes) and len(view.edges) == len(graph.edges)
    drawn = svg(view)
    root = ET.fromstring(drawn)
    assert root.tag == f"{SVG}svg"
    nodes = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("node")]
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    assert len(nodes) == len(view.nodes) and len(edges) == len(merged_edges(view))
    assert {g.get("class") for g in nodes} >= {"node completed", "node failed", "node source"}
    tips = {g.find(f"{SVG}title").text for g in nodes}  # type: ignore[union-attr]
    assert "train-b: cfg-train-b, failed (manifests/train-b.json)" in tips
    assert "style=" not in drawn and "<script" not in drawn


def test_hostile_names_stay_text(runs: list[RunRecord]) -> None:
    evil = rec('x"><script>alert(1)</script>\x1b[2J', "T09", reads=("ra",))
    drawn = svg(around(build_graph([*runs, evil]), [f"run:{evil.run_id}"]))
    root = ET.fromstring(drawn)  # still well-formed
    assert "<script" not in drawn and "\x1b" not in drawn
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}tspan"))
    assert 'x"><script>alert(1)</scri' in texts


def test_among_leaves_out_runs_joined_to_nothing_and_runs_not_asked_for(
    runs: list[RunRecord],
) -> None:
    lonely = rec("lonely", "T10")
    graph = build_graph([*runs, lonely])
    view = among(graph, ["train-a", "eval-a", "lonely"])
    assert set(view.nodes) == {"run:train-a", "run:eval-a"}  # prep is not asked for
    assert [(e.source, e.target) for e in view.edges] == [("run:train-a", "run:eval-a")]


def test_the_report_draws_the_pipelines_lineage(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`manifest report` on the example pipeline: a lineage section with the
    three stages and their source, which a real browser shows with no
    console error or policy violation."""
    project = copy_of(recorded_pipeline(tmp_path_factory), tmp_path / "project")
    monkeypatch.setenv("HYDRA_MANIFEST_INDEX_DIR", str(tmp_path / "index"))
    ids = stage_ids(project)
    with Chdir(project):
        assert main(["report", "manifests", "-o", "report.html"]) == 0
    page = (project / "report.html").read_text()
    section = page.split('id="lineage"', 1)[1]
    drawing = ET.fromstring(section[section.index("<svg") : section.index("</svg>") + 6])
    names = [t.text for t in drawing.iter(f"{SVG}tspan")]
    assert [ids["prepare"], ids["train"], ids["evaluate"]] == [
        n for n in names if n in ids.values()
    ]
    assert "synthetic://logreg/v1" in names and "3 of the 3 runs, joined by 4 edge(s)" in section
    if CHROMIUM is None:
        pytest.skip("no Chromium installed (apt-get install chromium; .ci/run does)")
    with Browser(CHROMIUM) as browser:
        browser.open(project / "report.html")
        assert browser.problems() == []
        assert browser.js("document.querySelectorAll('#lineage svg g.node').length") == 4
        width = browser.js("document.querySelector('#lineage svg').getBoundingClientRect().width")
        assert width > 900  # drawn at its size, four layers wide
        browser.screenshot(tmp_path / "lineage.png")
