"""The per-command exit codes that docs/reference/exit-codes.md documents are
the codes the commands return.

The page's table is read as documentation (a code is documented for a
command when its cell is not empty); each documented pair has a scenario
here that makes the command exit with that code through the CLI, and a
scenario for a code the page does not document fails too.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from runfactory import chdir, sweep

from conftest import REPO, git, run_cli, run_example
from manifest.core.canonical import digest_of, manifest_digest, pretty_bytes

PAGE = REPO / "docs" / "reference" / "exit-codes.md"
TINY = Path(__file__).resolve().parent / "verify_fixtures" / "tiny"


def documented() -> set[tuple[str, int]]:
    """(command, code) for every non-empty cell of the page's table."""
    found = set()
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        row = re.match(r"\| `manifest ([a-z]+)` \|(.*)\|$", line)
        if row:
            cells = [c.strip() for c in row.group(2).split("|")]
            found |= {(row.group(1), code) for code, c in zip((0, 1, 2), cells, strict=True) if c}
    return found


def record(root: Path) -> Path:
    """A manifest of the bundled example, under ``root/manifests``."""
    assert run_example(root) == 0
    (path,) = (root / "manifests").glob("*.json")
    return path


def tiny(root: Path, *overrides: str) -> Path:
    """A run of the verify fixture project copied into ``root``; its manifest."""
    shutil.copytree(TINY, root, dirs_exist_ok=True)
    for name in ("hm_verify_tiny", "hm_verify_evil"):
        sys.modules.pop(name, None)
    assert run_example(root, *overrides, config_dir=root / "conf") == 0
    (path,) = (root / "manifests").glob("*.json")
    return path


def groups(root: Path, base: float, cand: float) -> tuple[Path, Path]:
    a = sweep(root, "base", {"acc": [base, base + 0.01]}, directions={"acc": "higher"})
    b = sweep(root, "cand", {"acc": [cand, cand + 0.01]}, directions={"acc": "higher"})
    return a, b


def policy(root: Path, floor: float) -> str:
    path = root / f"policy-{floor}.yaml"
    path.write_text(f"min_runs: 2\nrules:\n  - metric: acc\n    min: {floor}\n")
    return str(path)


def tampered(root: Path) -> str:
    path = record(root)
    document = json.loads(path.read_text())
    document["metrics"]["accuracy"] = 1.0
    path.write_bytes(pretty_bytes(document))
    return str(path)


def params_edited(root: Path) -> str:
    path = tiny(root)
    document = json.loads(path.read_text())
    document["params"]["seed"] = 99
    document["params_digest"] = digest_of(document["params"])
    document["digest"] = manifest_digest(document)
    path.write_bytes(pretty_bytes(document))
    return str(path)


def rev_changed(root: Path) -> int:
    path = record(root)
    git(root, "init", "-q")
    git(root, "add", "manifests")
    git(root, "commit", "-qm", "runs")
    path.write_text(path.read_text().replace('"status"', '"status" '))
    with chdir(root):
        return run_cli("diff", "--rev", "HEAD", "manifests")


def run_task_fails(root: Path) -> int:
    sweep_conf = root / "conf"
    from runfactory import project

    project(root)
    sys.modules.pop("hm_values_task", None)
    with chdir(root):
        return run_cli("run", "--config-dir", str(sweep_conf), "fail_seed=0", "+values.acc=[1]")


def promote(root: Path, floor: float) -> int:
    base, cand = groups(root, 0.9, 0.9)
    with chdir(root):
        return run_cli(
            "registry", "promote", "m", str(cand), "-b", str(base), "--policy", policy(root, floor)
        )


Scenario = Callable[[Path], int]
SCENARIOS: dict[tuple[str, int], Scenario] = {
    ("run", 0): lambda r: run_example(r),
    ("run", 1): run_task_fails,
    ("run", 2): lambda r: run_cli("run", "--config-dir", str(r / "missing")),
    ("validate", 0): lambda r: run_cli("validate", "--no-contracts", str(record(r))),
    ("validate", 1): lambda r: run_cli("validate", "--no-contracts", tampered(r)),
    ("validate", 2): lambda r: run_cli("validate", str(r / "missing")),
    ("show", 0): lambda r: run_cli("show", str(record(r))),
    ("show", 2): lambda r: run_cli("show", "nosuchrun", "--store", str(r)),
    ("ls", 0): lambda r: run_cli("ls", str(record(r).parent)),
    ("ls", 2): lambda r: run_cli("ls", "--where", "((", str(record(r).parent)),
    ("diff", 0): lambda r: (lambda p: run_cli("diff", p, p))(str(record(r))),
    ("diff", 1): rev_changed,
    ("diff", 2): lambda r: run_cli("diff", "nosuch1", "nosuch2", "--store", str(r)),
    ("report", 0): lambda r: run_cli("report", str(record(r).parent), "-o", str(r / "r.html")),
    ("report", 2): lambda r: run_cli("report", str(r / "missing"), "-o", str(r / "r.html")),
    ("verify", 0): lambda r: run_cli("verify", "--config-dir", str(r / "conf"), str(tiny(r))),
    ("verify", 1): lambda r: run_cli(
        "verify", "--config-dir", str(r / "conf"), str(tiny(r, "mode=unseeded"))
    ),
    ("verify", 2): lambda r: run_cli("verify", "--config-dir", str(r / "conf"), params_edited(r)),
    ("lineage", 0): lambda r: run_cli("lineage", str(record(r)), "--store", str(r / "manifests")),
    ("lineage", 2): lambda r: run_cli("lineage", "nosuchrun", "--store", str(r)),
    ("compare", 0): lambda r: run_cli("compare", *map(str, groups(r, 0.8, 0.9))),
    ("compare", 2): lambda r: run_cli("compare", str(r / "no1"), str(r / "no2")),
    ("gate", 0): lambda r: run_cli(
        "gate", *map(str, groups(r, 0.8, 0.9)), "--policy", policy(r, 0.5)
    ),
    ("gate", 1): lambda r: run_cli(
        "gate", *map(str, groups(r, 0.8, 0.9)), "--policy", policy(r, 0.99)
    ),
    ("gate", 2): lambda r: run_cli(
        "gate", *map(str, groups(r, 0.8, 0.9)), "--policy", str(r / "no.yaml")
    ),
    ("registry", 0): lambda r: promote(r, 0.5),
    ("registry", 1): lambda r: promote(r, 0.99),
    ("registry", 2): lambda r: run_cli(
        "registry", "promote", "m", str(r), "--policy", str(r / "no.yaml")
    ),
}


def test_every_documented_code_has_a_scenario_and_no_other() -> None:
    assert documented() == set(SCENARIOS)


@pytest.mark.slow
@pytest.mark.parametrize(("command", "code"), sorted(SCENARIOS))
def test_the_command_exits_with_the_documented_code(
    workdir: Path, capsys: pytest.CaptureFixture[str], command: str, code: int
) -> None:
    assert SCENARIOS[command, code](workdir) == code, capsys.readouterr().err


def malformed(root: Path) -> str:
    path = root / "malformed.json"
    path.write_text('{"run_id": "r", "run_id": "s"}')
    return str(path)


def off_schema(root: Path) -> str:
    path = record(root)
    document = json.loads(path.read_text())
    document["status"] = 5
    path.write_bytes(pretty_bytes(document))
    return str(path)


# Input that cannot be used is exit 2 wherever it is given; only validate,
# whose check it is, reports it as a failure (1).
UNUSABLE: dict[str, Scenario] = {
    "show malformed": lambda r: run_cli("show", malformed(r)),
    "show off-schema": lambda r: run_cli("show", off_schema(r)),
    "diff malformed": lambda r: run_cli("diff", malformed(r), malformed(r)),
    "diff off-schema": lambda r: (lambda p: run_cli("diff", p, p))(off_schema(r)),
    "gate evidence": lambda r: run_cli(
        "gate",
        *map(str, groups(r, 0.8, 0.9)),
        "--policy",
        policy(r, 0.5),
        "--evidence",
        malformed(r),
    ),
}


@pytest.mark.parametrize("case", sorted(UNUSABLE))
def test_an_unusable_manifest_is_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    code = UNUSABLE[case](workdir)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and ("duplicate key" in err or "manifest schema" in err)


def test_validate_reports_an_unusable_manifest_as_a_failed_check(workdir: Path) -> None:
    assert run_cli("validate", "--no-contracts", malformed(workdir)) == 1
    assert run_cli("validate", "--no-contracts", off_schema(workdir)) == 1
