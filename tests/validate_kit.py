"""A real manifest of the bundled example, and copies of it, for the tests of
``manifest validate`` with contracts (test_contracts, test_validate,
test_report).

:func:`example_run` runs the example once per test session through the CLI;
:func:`write_manifest` writes an edited copy, with its digest recomputed
(a legitimate edit) or left alone (tampering).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from manifest.cli import main
from manifest.core.canonical import manifest_digest, pretty_bytes

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


@dataclass(frozen=True)
class Example:
    """The manifest of one real run of the bundled example."""

    path: Path
    manifest: dict[str, Any]

    @property
    def finished(self) -> datetime:
        return datetime.fromisoformat(self.manifest["finished"].replace("Z", "+00:00"))

    def now(self, days: float = 1) -> str:
        """An ISO 8601 clock ``days`` after the run finished, for ``--now``."""
        return (self.finished + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def copy(self) -> dict[str, Any]:
        return copy.deepcopy(self.manifest)


_runs: dict[str, Example] = {}


def example_run(factory: pytest.TempPathFactory) -> Example:
    """Run the example once per session (``manifest run``, in a temporary
    folder, with its own hash cache) and return its manifest."""
    if "example" not in _runs:
        root = factory.mktemp("example-run")
        old = os.getcwd()
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("XDG_CACHE_HOME", str(root / "cache"))
            os.chdir(root)
            try:
                code = main(
                    [
                        "run",
                        "--config-dir",
                        str(REPO / "conf"),
                        f"manifest.store={root}/manifests",
                        f"hydra.run.dir={root}/out",
                    ]
                )
            finally:
                os.chdir(old)
        assert code == 0
        [path] = (root / "manifests").glob("*.json")
        _runs["example"] = Example(path, json.loads(path.read_text()))
    return _runs["example"]


Edit = Callable[[dict[str, Any]], None]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: ``patch`` applied to ``target`` (null deletes a key)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def write_manifest(path: Path, example: Example, edit: Edit | dict[str, Any] | None = None) -> Path:
    """The example's manifest, edited by ``edit`` (a function or a merge
    patch), with a recomputed digest, at ``path``."""
    manifest = example.copy()
    if callable(edit):
        edit(manifest)
    elif edit is not None:
        manifest = merge_patch(manifest, edit)
    manifest["digest"] = manifest_digest(manifest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pretty_bytes(manifest))
    return path


def tamper(path: Path, edit: Edit) -> None:
    """Edit the manifest at ``path`` by hand: the digest is left as it was."""
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def write_contracts(folder: Path, text: str, name: str = "contracts.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """``manifest ARGS...``: the exit code, stdout and stderr."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def json_report(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, Any]:
    """``manifest validate ARGS... --format json``: the exit code and the report."""
    code, out, err = run(capsys, "validate", *args, "--format", "json")
    assert out, err
    return code, json.loads(out)


def checks_of(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    """Every check row named ``check`` (a contract id, parse, schema, digest)."""
    return [c for s in report["subjects"] for c in s["checks"] if c["check"] == check]


def one_check(report: dict[str, Any], check: str) -> dict[str, Any]:
    [row] = checks_of(report, check)
    return row


def utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
