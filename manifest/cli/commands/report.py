"""Write one self-contained HTML page about runs, to open from a CI artifact:
the runs table (sortable and filterable), metric curves from the runs'
metrics.jsonl, and on request the comparison of --candidate against
--baseline, the gate decision of --policy, and a verification report
(manifest verify --write-report FILE). No network, no CDN: CSS, script and
SVG charts are inline, and the page reads fine without JavaScript.

  manifest report manifests/ -o report.html
  manifest report manifests/ -o report.html -b manifests/gd -c manifests/sgd \\
      --policy conf/policy.yaml --verify-report verify.json

Exit 0; 2 for a usage error or unreadable input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...errors import UsageError
from ..options import add_baseline, add_candidate, err


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="folders of manifests and files"
    )
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.html")
    parser.add_argument("--where", "-w", metavar="EXPR", help="only the runs where EXPR holds")
    parser.add_argument("--title", help="the page title (default: Runs report)")
    add_baseline(parser, "baseline manifests for the comparison (a folder, glob or list)")
    add_candidate(parser, "candidate manifests for the comparison")
    parser.add_argument("--policy", type=Path, help="also decide the gate with this policy")
    parser.add_argument(
        "--verify-report", type=Path, metavar="FILE", help="a manifest verify JSON report"
    )


def run(args: argparse.Namespace) -> int:
    from ...core.outputs import check_output, html_page, write_output
    from ...render.html.page import render
    from ...report.build import build

    output: Path = args.output
    if output.suffix.lower() not in (".html", ".htm"):
        raise UsageError(
            "the report is HTML", file=str(output), expected="a .html file", found=output.suffix
        )
    inputs = [p for p in (args.policy, args.verify_report) if p is not None]
    check_output(output, kind="HTML report", recognise=html_page, inputs=inputs)
    paths = args.paths or [p for p in (*args.baseline, *args.candidate) if Path(p).exists()]
    data = build(
        paths or [Path("manifests")],
        where=args.where,
        baseline=args.baseline,
        candidate=args.candidate,
        policy=args.policy,
        verification=args.verify_report,
        title=args.title,
    )
    page = render(data).encode("utf-8")
    write_output(output, page, kind="HTML report", recognise=html_page, inputs=inputs)
    err(f"report: {len(data.runs)} run(s) written to {output}")
    return 0
