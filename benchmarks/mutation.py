"""Mutation testing of the modules that decide: would the tests notice a bug?

For each group of modules (below, with the test files that exercise them)
this copies the working tree (tracked and untracked, not ignored, files) to a
scratch folder, runs mutmut there on those modules only, and prints the
mutation score per module and every surviving mutant: file:line, the mutated
line and the original one. The working tree is never touched; the scratch
folder is removed afterwards, on Ctrl-C too (``--keep`` keeps it, e.g. for
``mutmut browse``).

mutmut imports the mutated copy in the test process (it puts the copy first
on ``sys.path``), so the installed package is never what is measured. Tests
that start ``python -m manifest`` in a subprocess run the unmutated code: a
mutant that only a subprocess reaches is reported as "no test", since mutmut
maps tests to functions in-process.

    python benchmarks/mutation.py                  # every group (hours on 2 cores)
    python benchmarks/mutation.py gate check       # some groups
    python benchmarks/mutation.py manifest/gating/rules.py   # one module, its group's tests
    python benchmarks/mutation.py --list           # the groups and their tests
    python benchmarks/mutation.py core --json scores.json

Not part of CI (too slow). Needs the ``dev`` extra (mutmut). Exit 0 when
every module scores at least ``--min-score`` (default 90), else 1.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# group -> (modules that decide, test files that exercise them)
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "core": (
        ["manifest/core/canonical.py", "manifest/core/atomic.py"],
        ["tests/test_canonical.py", "tests/test_atomic.py"],
    ),
    "check": (
        [
            "manifest/check/kinds.py",
            "manifest/check/lineage.py",
            "manifest/check/finding.py",
            "manifest/check/evaluate.py",
        ],
        ["tests/test_contracts.py", "tests/test_validate.py", "tests/test_lineage_contract.py"],
    ),
    "compare": (
        [
            "manifest/comparison/stats.py",
            "manifest/comparison/ttest.py",
            "manifest/comparison/ranktest.py",
            "manifest/comparison/bootstrap.py",
            "manifest/comparison/htest.py",
            "manifest/comparison/sample.py",
            "manifest/comparison/metric.py",
        ],
        # the direct tests of the statistics (seconds a mutant); the CLI tests
        # (test_compare, test_decisions, test_gate) reach them too, through
        # sweeps of runs, at about 7 s a mutant: too slow to run under each one
        [
            "tests/test_stats.py",
            "tests/test_htests.py",
            "tests/test_metric.py",
            "tests/test_effects.py",
            "tests/test_sample.py",
        ],
    ),
    # what the statistics issue added: effect sizes, shifts, sample sizes and
    # the distributions behind every test (stratify.py and directions.py are
    # measured apart, in compare3)
    "compare2": (
        [
            "manifest/comparison/effects.py",
            "manifest/comparison/shift.py",
            "manifest/comparison/power.py",
            "manifest/comparison/distributions.py",
        ],
        [
            "tests/test_cliff.py",
            "tests/test_shift.py",
            "tests/test_effects.py",
            "tests/test_distributions.py",
            "tests/test_htests.py",
            "tests/test_stats.py",
            "tests/test_metric.py",
        ],
    ),
    # what a comparison compares: each metric's direction, and strata by labels
    # (direct tests on hand-built groups, and recorded sweeps through the CLI)
    "compare3": (
        ["manifest/comparison/directions.py", "manifest/comparison/stratify.py"],
        ["tests/test_directions.py", "tests/test_stratify.py", "tests/test_stratify_units.py"],
    ),
    "gate": (
        [
            "manifest/gating/decision.py",
            "manifest/gating/evidence.py",
            "manifest/gating/rules.py",
            "manifest/gating/margins.py",
            "manifest/gating/rulecheck.py",
        ],
        ["tests/test_gate.py", "tests/test_decisions.py"],
    ),
    "registry": (
        [
            "manifest/registry/history.py",
            "manifest/registry/store.py",
            "manifest/registry/promotion.py",
            "manifest/registry/audit.py",
        ],
        [
            "tests/test_registry.py",
            "tests/test_registry_audit.py",
            "tests/test_hostile_registry.py",
        ],
    ),
    # what a run may store: the redaction of secrets from config, overrides and env
    "secrets": (
        ["manifest/record/secrets.py", "manifest/record/resolving.py"],
        ["tests/test_secrets.py", "tests/test_hostile_secrets.py"],
    ),
    "envelope": (
        ["manifest/verification/envelope.py", "manifest/verification/stochastic.py"],
        # test_verify.py reaches these only through re-runs (minutes per mutant)
        ["tests/test_envelope.py", "tests/test_stochastic.py"],
    ),
    "trust": (
        ["manifest/verification/trust.py", "manifest/verification/apps.py"],
        # test_verify.py and test_verify_apps.py reach these through the CLI and
        # re-runs (half a minute to minutes per surviving mutant)
        ["tests/test_trust.py"],
    ),
}

# groups whose modules take part in recording a run: their tests must record
# afresh under each mutant (the others reuse the sweeps of tests/runfactory.py)
RECORDING = {"core", "secrets"}

# mutmut's exit codes per mutant (mutmut/stats.py), folded into what they mean here
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
UNDETECTED = {"survived", "no tests", "suspicious"}
EXIT_STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests"}
EXIT_STATUS |= {34: "skipped", 35: "suspicious", 36: "timeout", 37: "caught by type check"}
EXIT_STATUS |= {-24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}
EXIT_STATUS |= {-11: "segfault", -9: "segfault", 2: "interrupted"}


def status_of(exit_code: int | None) -> str:
    if exit_code is None:
        return "not checked"
    return EXIT_STATUS.get(exit_code, "suspicious")


@dataclass
class Survivor:
    module: str
    line: int
    mutant: str
    status: str
    original: list[str]
    mutated: list[str]

    def render(self) -> str:
        head = f"{self.module}:{self.line}  {self.status}  [{self.mutant}]"
        was = [f"    - {text}" for text in self.original]
        now = [f"    + {text}" for text in self.mutated] or ["    + (line removed)"]
        return "\n".join([head, *was, *now])


@dataclass
class ModuleScore:
    module: str
    counts: Counter[str] = field(default_factory=Counter)
    survivors: list[Survivor] = field(default_factory=list)

    @property
    def detected(self) -> int:
        return sum(self.counts[s] for s in DETECTED)

    @property
    def judged(self) -> int:
        return self.detected + sum(self.counts[s] for s in UNDETECTED)

    @property
    def score(self) -> float:
        return 100.0 * self.detected / self.judged if self.judged else 100.0

    def as_json(self) -> dict[str, object]:
        return {
            "module": self.module,
            "mutants": sum(self.counts.values()),
            "counts": dict(sorted(self.counts.items())),
            "score": round(self.score, 1),
            "survivors": [s.__dict__ for s in self.survivors],
        }


def function_of(mutant_key: str) -> tuple[str | None, str]:
    """(class, function) from a mutmut key such as ``pkg.mod.xǁClassǁname__mutmut_3``."""
    mangled = mutant_key.rpartition(".")[2].rpartition("__mutmut_")[0]
    if mangled.startswith("xǁ"):
        _, cls, name = mangled.split("ǁ")
        return cls, name
    return None, mangled.removeprefix("x_")


def def_line(source: str, cls: str | None, name: str) -> int:
    """The 1-based line of ``def name`` (inside ``class cls``) in ``source``."""
    tree = ast.parse(source)
    scope: Iterable[ast.stmt] = tree.body
    if cls is not None:
        scope = next(n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
    for node in scope:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node.lineno
    raise LookupError(f"no function {cls + '.' if cls else ''}{name}")


def _def_index(lines: Sequence[str]) -> int:
    return next(
        i for i, text in enumerate(lines) if text.lstrip().startswith(("def ", "async def "))
    )


def _tree(lines: Sequence[str]) -> str:
    return ast.dump(ast.parse(textwrap.dedent("\n".join(lines))))


def locate(
    module: str, source: str, mutated_file: Sequence[str], spans: dict[str, list[int]], key: str
) -> Survivor:
    """Where mutant ``key`` differs from the original, as lines of ``source``.

    ``mutated_file`` is mutmut's copy of the module (original and mutated
    functions side by side) and ``spans`` its index: the 0-based, end-exclusive
    lines of each function in that copy. A mutant that parses to the same code
    as the original (``1e16`` written ``1e+16``) gets the status "equivalent".
    """
    name = key.rpartition(".")[2]
    orig_name = f"{name.rpartition('__mutmut_')[0]}__mutmut_orig"
    orig = mutated_file[slice(*spans[orig_name])]
    mutant = [t.replace(name, orig_name) for t in mutated_file[slice(*spans[name])]]
    cls, func = function_of(key)
    offset = def_line(source, cls, func) - _def_index(orig)  # source line of orig[0]
    matcher = difflib.SequenceMatcher(a=orig, b=mutant, autojunk=False)
    _, i1, i2, j1, j2 = next(op for op in matcher.get_opcodes() if op[0] != "equal")
    return Survivor(
        module=module,
        line=offset + i1,
        mutant=name,
        status="equivalent" if _tree(orig) == _tree(mutant) else "",
        original=[t.strip() for t in orig[i1:i2]],
        mutated=[t.strip() for t in mutant[j1:j2]],
    )


def read_scores(scratch: Path, modules: Sequence[str]) -> list[ModuleScore]:
    scores = []
    for module in modules:
        copy = scratch / "mutants" / module
        meta = json.loads(Path(f"{copy}.meta").read_text(encoding="utf-8"))
        spans = json.loads(Path(f"{copy}.spans").read_text(encoding="utf-8"))["spans"]
        lines = copy.read_text(encoding="utf-8").splitlines()
        source = (scratch / module).read_text(encoding="utf-8")
        result = ModuleScore(module)
        for key, code in meta["exit_code_by_key"].items():
            status = status_of(code)
            result.counts[status] += 1
            if status in UNDETECTED:
                survivor = locate(module, source, lines, spans, key)
                if survivor.status == "equivalent":
                    result.counts[status] -= 1
                    result.counts["equivalent"] += 1
                else:
                    survivor.status = status
                    result.survivors.append(survivor)
        result.survivors.sort(key=lambda s: (s.line, s.mutant))
        scores.append(result)
    return scores


def copy_tree(scratch: Path) -> None:
    """Copy the files git would commit (tracked or new, not ignored) to ``scratch``."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listing.split("\0")):
        source = REPO / name
        if source.is_file():
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def configure(scratch: Path, modules: Sequence[str], tests: Sequence[str]) -> None:
    """Point mutmut at ``modules`` and ``tests`` in the scratch copy's pyproject."""
    pyproject = scratch / "pyproject.toml"
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    # what tests read besides the package: conf/, schemas/, .pre-commit-hooks.yaml...
    others = sorted(
        p.name
        for p in scratch.iterdir()
        if p.name not in ("manifest", "mutants", "sweeps") and not p.name.startswith("mutmut-")
    )
    section = [
        "",
        "[tool.mutmut]",
        'source_paths = ["manifest"]',
        f"only_mutate = {json.dumps(list(modules))}",
        f"pytest_add_cli_args_test_selection = {json.dumps(list(tests))}",
        f"also_copy = {json.dumps(others)}",
        "",
    ]
    pyproject.write_text(text + "\n".join(section), encoding="utf-8")


def selection(name: str) -> tuple[str, list[str], list[str]]:
    """(group, modules, tests) of a group's name, or of one module of a group."""
    if name in GROUPS:
        return (name, *GROUPS[name])
    for group, (modules, tests) in GROUPS.items():
        if name in modules:
            return group, [name], tests
    raise KeyError(name)


def run_group(scratch: Path, name: str, max_children: int, quiet: bool) -> list[ModuleScore]:
    name, modules, tests = selection(name)
    shutil.rmtree(scratch / "mutants", ignore_errors=True)
    configure(scratch, modules, tests)
    env = dict(os.environ)
    if name not in RECORDING:
        env["MANIFEST_TEST_SWEEP_CACHE"] = str(scratch / "sweeps")
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    print(f"== {name}: {', '.join(modules)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    log = (scratch / f"mutmut-{name}.log").open("wb")
    with log:
        done = subprocess.run(
            command,
            cwd=scratch,
            env=env,
            stdout=log if quiet else None,
            stderr=subprocess.STDOUT if quiet else None,
            check=False,
        )
    if done.returncode != 0:
        tail = (scratch / f"mutmut-{name}.log").read_bytes()[-3000:].decode(errors="replace")
        raise SystemExit(f"{tail}\nmutmut failed on group {name} (exit {done.returncode})")
    scores = read_scores(scratch, modules)
    mutants = sum(sum(s.counts.values()) for s in scores)
    minutes = (time.monotonic() - started) / 60
    print(f"== {name}: {mutants} mutants in {minutes:.1f} min", file=sys.stderr, flush=True)
    return scores


def render(scores: Sequence[ModuleScore]) -> str:
    width = max(len(s.module) for s in scores)
    head = f"{'module':<{width}}  mutants  killed  survived  no test  equivalent  score"
    rows = [head, "-" * len(head)]
    for s in scores:
        rows.append(
            f"{s.module:<{width}}  {sum(s.counts.values()):>7}  {s.detected:>6}  "
            f"{s.counts['survived'] + s.counts['suspicious']:>8}  {s.counts['no tests']:>7}  "
            f"{s.counts['equivalent']:>10}  {s.score:>4.1f}%"
        )
    survivors = [v.render() for s in scores for v in s.survivors]
    if survivors:
        rows += ["", f"{len(survivors)} undetected mutant(s):", "", *survivors]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "groups", nargs="*", metavar="GROUP", help=f"{', '.join(GROUPS)}, or one module of them"
    )
    parser.add_argument("--list", action="store_true", help="print the groups and exit")
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    parser.add_argument("--quiet", action="store_true", help="mutmut's progress to a log")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--min-score", type=float, default=90.0)
    args = parser.parse_args(argv)
    if args.list:
        for name, (modules, tests) in GROUPS.items():
            print(f"{name}: {' '.join(modules)}\n    tests: {' '.join(tests)}")
        return 0
    modules = {m for group_modules, _ in GROUPS.values() for m in group_modules}
    unknown = [g for g in args.groups if g not in GROUPS and g not in modules]
    if unknown:
        parser.error(f"unknown group {unknown[0]!r}; choose from {', '.join(GROUPS)}")
    # a plain kill too unwinds through the cleanup below (and ends mutmut)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="manifest-mutation-"))
    scores: list[ModuleScore] = []
    try:
        copy_tree(scratch)
        for name in args.groups or list(GROUPS):
            scores += run_group(scratch, name, args.max_children, args.quiet)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"scratch copy kept in {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(render(scores))
    if args.json:
        args.json.write_text(json.dumps([s.as_json() for s in scores], indent=2) + "\n")
    return 0 if all(s.score >= args.min_score for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
