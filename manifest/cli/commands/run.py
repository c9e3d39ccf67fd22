"""Compose a Hydra config, run its task and record one manifest per job.

The task is the config's manifest.task; or, with --app MODULE:FUNCTION, a
@hydra.main app run with its own configs (its config_path, the ConfigStore
entries its module registers), as `verify` re-runs an app. Overrides use
Hydra's grammar, unchanged (key=value, +key=value, ~key,
group=option, sweeps with -m). Exit 0 when every job completed and was
recorded, 1 when a task failed (its manifest says so) or a manifest could not
be recorded, 2 for a config error or a folder that cannot be written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ...errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ...render.escape import escape
from ..options import err, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config-dir",
        "-cd",
        type=Path,
        default=Path("conf"),
        help="folder of Hydra configs (default: ./conf)",
    )
    parser.add_argument(
        "--config-name",
        "-cn",
        default=None,
        help="primary config (default: config, or the app's with --app)",
    )
    parser.add_argument(
        "--app",
        metavar="MODULE:FUNCTION",
        help="run this @hydra.main app with its own configs instead of a config's manifest.task",
    )
    parser.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="write the manifests into DIR, whatever the config's manifest.store says",
    )
    parser.add_argument(
        "-m",
        "--multirun",
        action="store_true",
        help="Hydra multirun: one job (and manifest) per sweep point",
    )
    parser.add_argument("--json", action="store_true", help="print the job summaries as JSON")
    parser.add_argument(
        "overrides",
        nargs="*",
        metavar="OVERRIDE",
        help="Hydra overrides, e.g. seed=3 optimizer=sgd",
    )


def run(args: argparse.Namespace) -> int:
    from ...record.run import execute

    summaries = execute(
        args.config_dir,
        args.config_name,
        list(args.overrides),
        multirun=args.multirun,
        app=args.app,
        store=args.store,
    )
    if args.json:
        out(json.dumps([s.__dict__ for s in summaries], indent=2, default=list) + "\n", "json")
    for s in summaries:
        if s.path and not args.json:
            metrics = " ".join(
                f"{escape(k)}={v:.6g}" if isinstance(v, float) else f"{escape(k)}={v}"
                for k, v in s.metrics.items()
            )
            out(f"{s.status:<11} {s.run_id}  {escape(s.path)}\n")
            if metrics:
                out(f"            {metrics}\n")
        if s.error:
            label = s.status.replace("-", " ") if s.status.startswith("not-") else s.status
            job = s.run_id or " ".join(s.overrides) or "job"
            err(f"manifest run: {escape(job)}: {label}: {escape(s.error)}")
    if any(s.status in ("config-error", "not-written") for s in summaries):
        return EXIT_USAGE
    if not summaries or any(s.status != "completed" for s in summaries):
        return EXIT_FAILED
    return EXIT_OK
