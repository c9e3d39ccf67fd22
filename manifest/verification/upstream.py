"""Replay a pipeline: verify a run's ancestors in topological order, then the run.

Each stage is verified as ``manifest verify`` verifies one manifest (in a
fresh folder, inside the trust boundary); it re-reads its recorded inputs,
which the stages before it wrote. So when every stage reproduces its
artifacts byte for byte and every edge's bytes are what the next stage read,
the whole chain replays. The chain stops at the first stage that does not
reproduce, or whose artifact that a later stage reads is not reproduced byte
for byte (outside the envelope's ``identical`` globs, say); the stages after
it are reported as not run, naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..core.results import FAIL, PASS, Check, Report
from ..lineage.graph import CONTENT, Graph, run_node
from ..lineage.load import load_graph
from ..lineage.records import RunRecord
from ..lineage.resolve import manifest_file, resolve_run
from ..lineage.walk import replay_order
from .options import VERDICTS, Progress, VerifyOptions
from .verifier import verify


def _consumed(graph: Graph, stage: RunRecord, later: set[str], report: Report) -> list[Check]:
    """A failing check for each artifact of ``stage`` that a later stage
    reads and that the re-run did not reproduce byte for byte."""
    problems = []
    for edge in graph.children_of(run_node(stage.run_id)):
        if edge.kind != CONTENT or edge.target not in later or edge.artifact is None:
            continue
        sha = edge.artifact.sha256
        if any(c.check == "artifact" and c.expected == sha == c.found for c in report.checks):
            continue
        reader = graph.nodes[edge.target].record
        assert reader is not None and edge.input is not None
        problems.append(
            Check(
                stage.path,
                "upstream",
                FAIL,
                f"{edge.artifact.path} was not reproduced byte for byte, and "
                f"{reader.run_id} ({reader.label}) reads it as {edge.input.key}: "
                "the chain cannot be replayed past this stage",
                "/artifacts",
                expected=sha,
                found="other bytes, or no file",
            )
        )
    return problems


def _not_run(record: RunRecord, stopped: RunRecord) -> tuple[Check, dict[str, Any]]:
    check = Check(
        record.path,
        "upstream",
        FAIL,
        f"not verified: it derives from {stopped.run_id} ({stopped.label}), "
        "which did not reproduce",
        "/lineage",
    )
    entry: dict[str, Any] = {
        "subject": record.path,
        "run_id": record.run_id,
        "digest": record.digest,
        "task": record.task,
        "config_name": record.config_name,
        "verdict": "not-run",
        "overrides": [],
        "reruns": 0,
        "rerun_wall_s": 0.0,
        "stochastic": None,
    }
    return check, entry


def _stage_entry(record: RunRecord, verdict: str) -> dict[str, Any]:
    return {
        "run_id": record.run_id,
        "subject": record.path,
        "config_name": record.config_name,
        "verdict": verdict,
    }


def _chain_report(
    order: Sequence[RunRecord], stages: list[Report], stopped: RunRecord | None, runs: list[str]
) -> Report:
    """One report of the stages verified and of those left out."""
    checks = [c for report in stages for c in report.checks]
    extra: dict[str, Any] = dict(stages[0].extra)
    entries = [m for report in stages for m in report.extra.get("manifests", [])]
    verdicts = [str(r.extra.get("verdict")) for r in stages]
    if stopped is not None and verdicts[-1] == "verified":  # an artifact read later differs
        verdicts[-1] = entries[-1]["verdict"] = "not-reproduced"
    summary = [_stage_entry(r, v) for r, v in zip(order, verdicts, strict=False)]
    if stopped is not None:
        for record in order[len(stages) :]:
            check, entry = _not_run(record, stopped)
            checks.append(check)
            entries.append(entry)
            summary.append(_stage_entry(record, "not-run"))
    extra["manifests"] = entries
    extra["seconds"] = round(sum(float(r.extra.get("seconds", 0)) for r in stages), 3)
    extra["verdict"] = min(verdicts, key=VERDICTS.index)
    extra["interrupted"] = any(r.extra.get("interrupted") for r in stages)
    extra["upstream"] = {
        "runs": runs,
        "stages": summary,
        "stopped_at": stopped.run_id if stopped is not None else None,
    }
    return Report("verify", tuple(r.path for r in order), tuple(checks), extra)


def verify_upstream(
    runs: Sequence[str],
    stores: Sequence[Path],
    options: VerifyOptions | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
) -> Report:
    """Verify the ancestors of ``runs`` (run ids, unique prefixes or manifest
    files; ancestors from the manifests in ``stores``) in topological order,
    then ``runs``; stop at the first stage that does not reproduce.

    Raises :class:`~manifest.errors.UsageError` for a run that is not found
    and :class:`~manifest.lineage.walk.LineageError` for an ancestor with no
    manifest or a cycle of declared parents.
    """
    options = options if options is not None else VerifyOptions()
    notify = progress or (lambda event: None)
    named = [path for path in map(manifest_file, runs) if path is not None]
    graph = load_graph(stores, extra=named)
    ids = list(dict.fromkeys(resolve_run(run, stores) for run in runs))
    order = replay_order(graph, ids)
    stages: list[Report] = []
    stopped: RunRecord | None = None
    for number, record in enumerate(order, 1):
        detail = f"stage {number}/{len(order)}: {record.label} {record.run_id}"
        notify(Progress("stage", record.path, detail))
        report = verify([Path(record.path)], options, progress=progress)
        verified = report.extra.get("verdict") == "verified"
        later = {run_node(r.run_id) for r in order[number:]}
        broken = _consumed(graph, record, later, report) if verified else []
        if broken:
            report = Report(
                report.command, report.subjects, report.checks + tuple(broken), report.extra
            )
        stages.append(report)
        if not verified or broken:
            stopped = record
            break
    if stopped is None and stages:
        last = order[-1]
        stages[-1] = Report(
            "verify",
            stages[-1].subjects,
            (
                *stages[-1].checks,
                Check(last.path, "upstream", PASS, f"{len(order)} stages reproduced in order"),
            ),
            stages[-1].extra,
        )
    return _chain_report(order, stages, stopped, ids)
