"""Show the lineage of a run, or every run that wrote or read some bytes.

The graph is built from the manifests in --store (default: manifests/): an
input of run B whose sha256 equals an artifact of an earlier run A is an edge
A -> B; so is a run id in B's lineage.parents; an input with a declared
version (scheme://...) comes from a source node.

  manifest lineage RUN                 upstream and downstream of RUN (a run id,
                                       a unique prefix of one, or a manifest file)
  manifest lineage RUN --up --depth 1  only the runs RUN directly derives from
  manifest lineage --artifact X        the incident query: every run that wrote
                                       or read the bytes X (a file, or a sha256),
                                       and everything downstream of them

--format text|json|dot|mermaid (dot for Graphviz, mermaid for Markdown).
Exit 0; 2 for a usage error, a run that is not found, or a store that cannot
be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...errors import EXIT_OK, UsageError
from ..options import add_format, err, out


def _depth(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "run", nargs="?", metavar="RUN", help="a run id, a unique prefix of one, or a manifest"
    )
    parser.add_argument(
        "--artifact",
        metavar="SHA256|PATH",
        help="every run that wrote or read these bytes (a file, hashed now, or its sha256), "
        "and everything downstream",
    )
    parser.add_argument(
        "--store",
        action="append",
        type=Path,
        metavar="PATH",
        help="manifests to build the graph from: folders or files (repeatable; default: manifests)",
    )
    parser.add_argument("--up", action="store_true", help="only what RUN derives from")
    parser.add_argument("--down", action="store_true", help="only what derives from RUN")
    parser.add_argument(
        "--depth", type=_depth, metavar="N", help="at most N edges away (default: all)"
    )
    add_format(parser, ("text", "json", "dot", "mermaid"))


def run(args: argparse.Namespace) -> int:
    from ...lineage.graph import run_node
    from ...lineage.load import DEFAULT_STORE, load_graph
    from ...lineage.resolve import manifest_file, resolve_artifact, resolve_run
    from ...lineage.walk import around, incident
    from ...render.lineage import render

    if (args.run is None) == (args.artifact is None):
        raise UsageError(
            "give either RUN or --artifact SHA256|PATH",
            hint="manifest lineage RUN, or manifest lineage --artifact data/train.csv",
        )
    stores = args.store or [DEFAULT_STORE]
    named = manifest_file(args.run) if args.run is not None else None
    graph = load_graph(stores, extra=[named] if named is not None else [])
    for problem in graph.problems:
        err(f"manifest lineage: warning: {problem.message}")
    if not graph.runs and named is None:
        raise UsageError("no manifests found", file=", ".join(map(str, stores)))
    up, down = (args.up or not args.down), (args.down or not args.up)
    if args.artifact is not None:
        sha = resolve_artifact(graph, args.artifact)
        view = incident(graph, sha, up=args.up, down=down, depth=args.depth)
    else:
        run_id = resolve_run(args.run, stores)
        view = around(graph, [run_node(run_id)], up=up, down=down, depth=args.depth)
    out(render(view, args.format), args.format)
    return EXIT_OK
