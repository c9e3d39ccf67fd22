"""The lineage graph from slim records: its edge rules, the walks over it,
the replay order, and reading records from untrusted manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lineage_kit import rec, sha

from manifest.lineage.graph import CONTENT, DECLARED, FILE, MISSING, PARENT, SOURCE, build_graph
from manifest.lineage.records import Problem, RunRecord, read_record, read_records
from manifest.lineage.walk import LineageError, around, incident, replay_order


def edges_of(records: list[RunRecord]) -> set[tuple[str, str, str]]:
    graph = build_graph(records)
    return {(e.source, e.target, e.kind) for e in graph.edges}


# ------------------------------------------------------------- edge rules


def test_an_input_equal_to_an_earlier_artifact_is_a_content_edge() -> None:
    a = rec("a", "T01", writes=("data",))
    b = rec("b", "T02", reads=("data",))
    graph = build_graph([b, a])
    [edge] = graph.edges
    assert (edge.source, edge.target, edge.kind) == ("run:a", "run:b", CONTENT)
    assert edge.artifact is not None and edge.artifact.path == "data.bin"
    assert edge.input is not None and edge.input.key == "in.data"


def test_a_run_cannot_derive_from_a_run_that_started_after_it() -> None:
    later = rec("a", "T03", writes=("data",))
    reader = rec("b", "T02", reads=("data",))
    assert edges_of([later, reader]) == {(f"{FILE}:{sha('data')}", "run:b", DECLARED)}


def test_same_start_time_is_ordered_by_run_id() -> None:
    first, second = (
        rec("a", "T01", writes=("x",), reads=("y",)),
        rec("b", "T01", writes=("y",), reads=("x",)),
    )
    edges = edges_of([first, second])
    assert ("run:a", "run:b", CONTENT) in edges and ("run:b", "run:a", CONTENT) not in edges


def test_of_several_writers_of_the_same_bytes_the_latest_earlier_one_is_the_parent() -> None:
    old, new, after = (
        rec(r, t, writes=("data",)) for r, t in (("old", "T01"), ("new", "T02"), ("after", "T09"))
    )
    reader = rec("reader", "T05", reads=("data",))
    graph = build_graph([old, new, after, reader])
    assert [(e.source, e.target) for e in graph.edges] == [("run:new", "run:reader")]
    assert [r.run_id for r, _ in graph.producers[sha("data")]] == ["old", "new", "after"]


def test_a_run_reading_its_own_output_is_no_edge() -> None:
    assert edges_of([rec("a", "T01", writes=("x",), reads=("x",))]) == {
        (f"{FILE}:{sha('x')}", "run:a", DECLARED)
    }


def test_declared_parents_and_missing_ones() -> None:
    graph = build_graph([rec("a", "T01"), rec("b", "T02", parents=("a", "ghost"))])
    assert {(e.source, e.target, e.kind) for e in graph.edges} == {
        ("run:a", "run:b", PARENT),
        ("run:ghost", "run:b", PARENT),
    }
    assert graph.nodes["run:ghost"].kind == MISSING and "ghost" not in graph.runs


def test_declared_versions_are_source_nodes_and_unproduced_files_are_file_nodes() -> None:
    graph = build_graph([rec("a", "T01", reads=("raw",), versions=("s3://bucket/raw@v3",))])
    source, file = graph.nodes["source:s3://bucket/raw@v3"], graph.nodes[f"file:{sha('raw')}"]
    assert (source.kind, file.kind, file.path) == (SOURCE, FILE, "data/raw")
    assert {e.kind for e in graph.edges} == {DECLARED}


def test_a_run_id_cannot_pose_as_a_source() -> None:
    graph = build_graph([rec("source:s3://b/x", "T01"), rec("b", "T02", versions=("s3://b/x",))])
    assert graph.nodes["run:source:s3://b/x"].kind == "run"
    assert graph.nodes["source:s3://b/x"].kind == SOURCE


def test_a_run_id_claimed_by_two_different_files_keeps_the_first() -> None:
    first = rec("a", "T01", writes=("x",), digest="sha256:" + "1" * 64)
    copy = rec("a", "T01", writes=("x",), digest="sha256:" + "1" * 64)
    forged = rec("a", "T01", writes=("y",), digest="sha256:" + "2" * 64)
    graph = build_graph([first, copy, forged])
    assert graph.runs["a"] is first
    [problem] = graph.problems
    assert "run id a is also the run of manifests/a.json, with other content" in problem.message


# ------------------------------------------------------------------ walks


@pytest.fixture
def chain() -> list[RunRecord]:
    """a -> b -> c -> d, and b -> e (a sibling of c)."""
    return [
        rec("a", "T01", writes=("1",)),
        rec("b", "T02", reads=("1",), writes=("2",)),
        rec("c", "T03", reads=("2",), writes=("3",)),
        rec("d", "T04", reads=("3",)),
        rec("e", "T05", reads=("2",)),
    ]


def test_upstream_downstream_and_depth(chain: list[RunRecord]) -> None:
    graph = build_graph(chain)
    view = around(graph, ["run:c"])
    assert view.upstream == {"run:b": 1, "run:a": 2} and view.downstream == {"run:d": 1}
    assert around(graph, ["run:c"], down=False, depth=1).upstream == {"run:b": 1}
    assert around(graph, ["run:c"], up=False).upstream == {}
    assert around(graph, ["run:b"], up=False).downstream == {"run:c": 1, "run:e": 1, "run:d": 2}


def test_incident_lists_writers_readers_and_everything_downstream(chain: list[RunRecord]) -> None:
    graph = build_graph(chain)
    view = incident(graph, sha("2"))
    assert view.roots == ("run:b", "run:c", "run:e")
    assert view.downstream == {"run:d": 1} and view.upstream == {}
    assert incident(graph, sha("nothing")).roots == ()


def test_replay_order_is_topological_then_by_start(chain: list[RunRecord]) -> None:
    graph = build_graph(chain)
    assert [r.run_id for r in replay_order(graph, ["d"])] == ["a", "b", "c", "d"]
    assert [r.run_id for r in replay_order(graph, ["d", "e"])] == ["a", "b", "c", "d", "e"]


def test_replay_order_follows_declared_parents_against_the_clock() -> None:
    late_parent = rec("p", "T09")
    child = rec("c", "T01", parents=("p",))
    assert [r.run_id for r in replay_order(build_graph([late_parent, child]), ["c"])] == ["p", "c"]


def test_replay_refuses_a_missing_ancestor_and_a_cycle() -> None:
    with pytest.raises(LineageError, match="the parent run ghost has no manifest"):
        replay_order(build_graph([rec("a", "T01", parents=("ghost",))]), ["a"])
    loop = [
        rec("a", "T01", parents=("c",)),
        rec("b", "T02", parents=("a",)),
        rec("c", "T03", parents=("b",)),
    ]
    with pytest.raises(LineageError, match=r"declared parents form a cycle: a -> b -> c -> a"):
        replay_order(build_graph(loop), ["c"])


# ---------------------------------------------------------------- records


def test_records_keep_only_well_formed_values(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(
            {
                "run_id": "r1",
                "status": 7,
                "artifacts": [
                    {"path": "a", "sha256": "not-a-hash"},
                    "junk",
                    {"path": "b", "sha256": "f" * 64},
                ],
                "inputs": [
                    {"key": "k", "path": "p"},
                    {"key": "v", "path": "s3://x", "version": "x"},
                ],
                "lineage": {"parents": ["p1", 3, "p1", ""]},
            }
        )
    )
    found = read_record(path)
    assert isinstance(found, RunRecord)
    assert found.status == "unknown" and [a.path for a in found.artifacts] == ["b"]
    assert [(i.key, i.version, i.position) for i in found.inputs] == [("v", "x", 1)]
    assert found.parents == ("p1",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b'{"run_id": 1}', "/run_id: no run id", id="no-run-id"),
        pytest.param(b"[1, 2]", "not a JSON object", id="not-an-object"),
        pytest.param(
            b'{"run_id": "a", "run_id": "b"}', "duplicate key 'run_id'", id="duplicate-key"
        ),
        pytest.param(b'{"run_id": "a"', "truncated", id="truncated"),
    ],
)
def test_files_that_give_no_record_are_problems(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    found = read_record(path)
    assert isinstance(found, Problem) and message in found.message and str(path) in found.message
    loaded = read_records([tmp_path])
    assert loaded.records == () and loaded.files == 1 and len(loaded.problems) == 1


def test_a_chain_thousands_of_runs_long_is_drawn_in_every_format() -> None:
    from manifest.render.lineage import render

    count = 3000
    chain = [
        rec(f"r{i:05d}", f"T{i:05d}", writes=(str(i),), reads=(str(i - 1),) if i else ())
        for i in range(count)
    ]
    view = around(build_graph(chain), ["run:r01500"])
    assert len(view.upstream) == 1500 and len(view.downstream) == count - 1501
    text = render(view, "text")
    assert text.count("\n") == count + 2  # the root, two headings, one line per other run
    for fmt in ("json", "dot", "mermaid"):
        assert "r00000" in render(view, fmt) and "r02999" in render(view, fmt)
