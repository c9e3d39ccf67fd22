"""A model registry kept as plain files in git (default folder: registry/):

  registry promote MODEL CANDIDATE... --policy FILE [--baseline PATH...]
      gate the candidate runs against the baseline (default: the production
      version's runs) and record them as the next production version; exit 1
      and no change when the gate blocks
  registry show MODEL        the production version and its rollback candidate
  registry history MODEL     every promotion and rollback, chain verified
  registry verify [MODEL...] every promotion against its gate report and the
                             manifests it promoted (default: every model)
  registry rollback MODEL    make the rollback candidate production again

show, history and verify check every promotion against its gate report (there,
unedited, judging the same manifests, baseline and policy) and the promoted
manifests (their digests). Exit 0; 1 when the gate refuses, a concurrent
promotion won (conflict), the history was edited, a promotion does not match
its evidence, or there is nothing to roll back to; 2 for usage errors.
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
    check = actions.add_parser("verify", help="check every promotion against its evidence")
    check.add_argument("models", nargs="*", metavar="MODEL", help="default: every model")
    add_format(check)
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
    from ...core.results import FAIL
    from ...registry.audit import audit
    from ...registry.store import load, model_path, who_am_i

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
    if args.action == "verify":
        return _verify(args, root)
    record = load(root, args.model)
    if record is None:
        raise UsageError(
            f"the registry has no model {args.model!r}", file=str(model_path(root, args.model))
        )
    failures = [c for c in audit(record) if c.status == FAIL]
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
        for entry in record.history:
            out(_entry_line(entry) + "\n")
        out(f"chain verified: {len(record.history)} entries, head {record.head}\n")
    for failure in failures:
        err(f"registry: {failure.subject}: {failure.message}")
    if failures:
        err("registry: run manifest registry verify for every check; restore the files from git")
        return EXIT_FAILED
    return EXIT_OK


def _verify(args: argparse.Namespace, root: Path) -> int:
    """``registry verify``: every promotion of the models named (or all)."""
    from ...registry.audit import audit_report
    from ...registry.store import load, model_path
    from ..options import emit

    names = args.models or sorted(p.stem for p in root.glob("*.json"))
    if not names:
        raise UsageError("the registry holds no model", file=str(root))
    records = []
    for name in names:
        record = load(root, name)
        if record is None:
            raise UsageError(
                f"the registry has no model {name!r}", file=str(model_path(root, name))
            )
        records.append(record)
    report = audit_report(records)
    emit(report, args.format)
    return EXIT_OK if report.ok else EXIT_FAILED


def _promote(args: argparse.Namespace, root: Path) -> int:
    from ...gating.evidence import read_evidence
    from ...gating.policy import load_policy
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
