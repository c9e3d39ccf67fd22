"""The pre-commit snippets of docs/how-to/ci.md work with the hook this
repository ships: the id exists, a local hook runs the same entry on the same
files, and no snippet pins a tag that does not exist."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "how-to" / "ci.md"


def yaml_blocks(page: Path) -> list[Any]:
    text = page.read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"^```yaml\n(.*?)^```$", text, re.M | re.S)]


def snippets() -> list[dict[str, Any]]:
    found = [b["repos"][0] for b in yaml_blocks(PAGE) if isinstance(b, dict) and "repos" in b]
    assert len(found) == 2, found
    return found


def shipped() -> dict[str, dict[str, Any]]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in hooks}


def test_every_documented_hook_id_is_shipped() -> None:
    hooks = shipped()
    for repo in snippets():
        for hook in repo["hooks"]:
            assert hook["id"] in hooks


def test_the_remote_snippet_pins_a_commit_or_an_existing_tag() -> None:
    (remote,) = [r for r in snippets() if r["repo"] != "local"]
    rev = str(remote["rev"])
    tags = subprocess.run(
        ["git", "tag", "--list"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert re.fullmatch(r"[0-9a-f]{40}", rev) or rev in tags, rev


def test_the_local_snippet_runs_the_shipped_hook_on_the_same_files() -> None:
    (local,) = [r for r in snippets() if r["repo"] == "local"]
    (hook,) = local["hooks"]
    original = shipped()[hook["id"]]
    for key in ("entry", "types", "files", "pass_filenames"):
        assert hook[key] == original[key], key
    assert re.search(original["files"], "runs/manifests/x.json")
    assert not re.search(original["files"], "conf/config.json")


def test_no_page_pins_a_tag_that_does_not_exist() -> None:
    tags = set(
        subprocess.run(
            ["git", "tag", "--list"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.split()
    )
    pages = [REPO / "README.md", REPO / ".pre-commit-hooks.yaml", *(REPO / "docs").rglob("*.md")]
    for page in pages:
        for rev in re.findall(r"\brev:\s*(v\d[\w.]*)", page.read_text(encoding="utf-8")):
            assert rev in tags, f"{page}: rev {rev} is not a tag of this repository"
