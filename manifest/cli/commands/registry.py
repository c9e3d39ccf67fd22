"""A model registry kept as plain files in git (default folder: registry/):

  registry promote MODEL CANDIDATE... --policy FILE [--baseline PATH...]
      gate the candidate runs against the baseline (default: the production
      version's runs) and record them as the next production version; exit 1
      and no change when the gate blocks
  registry show MODEL        the production version and its rollback candidate
  registry history MODEL     every promotion and rollback, chain verified
  registry rollback MODEL    make the rollback candidate production again

Exit 0; 1 when the gate refuses, a concurrent promotion won (conflict), the
history was edited, or there is nothing to roll back to; 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ...errors import EXIT_FAILED, EXIT_OK, UsageError
from ...render.escape import escape as e
from ..options import add_baseline, add_evidence, add_format, add_policy, err, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    promote = actions.add_parser("promote", help="gate a candidate and make it production")
    promote.add_argument("model", metavar="MODEL")
    promote.add_argument(
        "candidate",
        nargs="+",
        metavar="CANDIDATE",
        help="candidate manifests: folders, globs, lists or @LIST",
    )
    add_baseline(promote, "baseline manifests (default: production's)")
    add_policy(promote)
    add_evidence(promote)
    promote.add_argument("--note", help="a note recorded with the promotion")
    add_format(promote, ("text", "json", "junit", "markdown"))
    for name, summary in (
        ("show", "the production version"),
        ("history", "every promotion and rollback"),
        ("rollback", "restore the rollback candidate"),
    ):
        sub = actions.add_parser(name, help=summary)
        sub.add_argument("model", metavar="MODEL")
        if name == "rollback":
            sub.add_argument("--note", help="why (recorded)")
        add_format(sub, ("text", "json"))
    for sub in actions.choices.values():
        sub.add_argument(
            "--registry",
            type=Path,
            default=Path("registry"),
            help="the registry folder (default: registry)",
        )
        sub.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)


def _version(number: int | None) -> str:
    return f"v{number}" if number else "none"


def _entry_line(entry: dict[str, Any]) -> str:
    if entry["action"] == "promote":
        gate = entry["gate"]["decision"]
        what = f"promote v{entry['version']} ({len(entry['manifests'])} runs, gate {gate})"
    else:
        what = f"rollback to v{entry['version']} (v{entry['retired']} retired)"
    note = f'  "{e(entry["note"])}"' if entry.get("note") else ""
    return (
        f"#{entry['seq']:<3} {e(entry['when'])}  {what}  by {e(entry['who'])}{note}  "
        f"{entry['digest'][:19]}"
    )


def _show_text(record: Any) -> str:
    doc = record.document
    lines = [f"model {e(doc['model'])} ({e(record.path)})"]
    if record.production is None:
        lines.append("production: none")
    else:
        entry = record.promotion(record.production)
        last = record.history[-1]
        lines.append(
            f"production: v{record.production} (promoted {e(entry['when'])} by "
            f"{e(entry['who'])}, gate {entry['gate']['decision']}, "
            f"report {e(record.path.parent / entry['gate']['report'])})"
        )
        if last["action"] == "rollback":
            lines.append(f"  restored by rollback {e(last['when'])} by {e(last['who'])}")
        lines.extend(
            f"  {e(m['run_id'])}  {e(m['digest'])}  {e(m['path'])}" for m in entry["manifests"]
        )
    lines.append(f"rollback candidate: {_version(record.rollback_candidate)}")
    lines.append(f"history: {len(record.history)} entries, head {record.head}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from ...registry.store import load, model_path, report_status, who_am_i

    root: Path = args.registry
    if args.action == "promote":
        return _promote(args, root)
    if args.action == "rollback":
        from ...registry.promotion import rollback

        rolled = rollback(root, args.model, who=who_am_i(Path.cwd()), note=args.note)
        last = rolled.history[-1]
        if args.format == "json":
            out(json.dumps(last, indent=2, sort_keys=True) + "\n", "json")
        else:
            out(
                f"{args.model}: rolled back to v{last['version']} (v{last['retired']} "
                f"retired); rollback candidate now {_version(last['rollback_candidate'])}\n"
            )
        return EXIT_OK
    record = load(root, args.model)
    if record is None:
        raise UsageError(
            f"the registry has no model {args.model!r}", file=str(model_path(root, args.model))
        )
    if args.format == "json":
        document = (
            record.document
            if args.action == "history"
            else {k: v for k, v in record.document.items() if k != "history"}
        )
        if args.action == "show" and record.production is not None:
            document["production_entry"] = record.promotion(record.production)
        out(json.dumps(document, indent=2, sort_keys=True) + "\n", "json")
    elif args.action == "show":
        out(_show_text(record))
    else:
        edited = 0
        for entry in record.history:
            line = _entry_line(entry)
            if entry["action"] == "promote":
                status = report_status(record, entry)
                edited += status == "edited"
                line += f"  report {status}"
            out(line + "\n")
        out(f"chain verified: {len(record.history)} entries, head {record.head}\n")
        if edited:
            err(
                f"registry: {edited} gate report(s) do not match the digest recorded "
                "in the history: restore them from git"
            )
            return EXIT_FAILED
    return EXIT_OK


def _promote(args: argparse.Namespace, root: Path) -> int:
    from ...gate.evidence import read_evidence
    from ...gate.policy import load_policy
    from ...registry.promotion import promote
    from ...registry.store import who_am_i
    from ...render.decision import render

    policy = load_policy(args.policy)
    outcome = promote(
        root,
        args.model,
        args.candidate,
        policy,
        baseline_specs=args.baseline,
        evidence=read_evidence(args.evidence),
        who=who_am_i(Path.cwd()),
        note=args.note,
    )
    out(render(outcome.gate, args.format), args.format)
    if not outcome.promoted:
        err(f"registry: {args.model} not promoted: the gate blocks")
        return EXIT_FAILED
    assert outcome.entry is not None
    err(
        f"registry: {args.model} v{outcome.entry['version']} is production (rollback "
        f"candidate: {_version(outcome.entry['rollback_candidate'])}); gate report "
        f"{e(outcome.report_path)}"
    )
    return EXIT_OK
