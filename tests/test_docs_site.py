"""The documentation site builds in strict mode, and its reference pages list
everything the code defines: every command and option of the parser, every
schema and its fields, every name of the public API.

The site is built once per session (``python -m mkdocs build --strict``, as
CI and a contributor run it); the checks read the built HTML, and walk the
parser and the schemas themselves, not the generator's own helpers.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import manifest
import manifest.api
from manifest.cli.main import build_parser

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = sorted((REPO / "schemas").glob("*.schema.json"))

pytestmark = pytest.mark.slow


def build(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of the project at ``root`` into ``out``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    result = build(REPO, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def page(site: Path, name: str) -> str:
    """The text of a built page: tags dropped, entities decoded."""
    raw = (site / name / "index.html").read_text(encoding="utf-8")
    article = raw[raw.index("<article") : raw.index("</article>")]
    return html.unescape(re.sub(r"<[^>]+>", "", article))


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ("manifest",)
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command path of the CLI and its parser, the root first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))


def test_the_strict_build_passes(site: Path) -> None:
    for name in ("cli", "exit-codes", "schemas", "api"):
        assert (site / "reference" / name / "index.html").is_file()


def test_every_command_and_option_is_in_the_command_reference(site: Path) -> None:
    raw = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    found = list(commands(build_parser()))
    anchors = ["-".join(path) for path, _ in found]
    starts = []
    for anchor in anchors:
        assert f'id="{anchor}"' in raw, f"no section for {anchor}"
        starts.append(raw.index(f'id="{anchor}"'))
    order = sorted(starts)
    for (path, parser), start in zip(found, starts, strict=True):
        following = [s for s in order if s > start]
        section = html.unescape(raw[start : following[0] if following else len(raw)])
        section = re.sub(r"<[^>]+>", "", section)
        assert f"usage: {' '.join(path)}" in section, f"no usage of {' '.join(path)}"
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:
                continue
            if isinstance(action, argparse._SubParsersAction):
                for name in action.choices:
                    assert f"{' '.join(path)} {name}" in section, (path, name)
                continue
            for option in action.option_strings or [str(action.metavar or action.dest)]:
                assert option in section, f"{' '.join(path)}: {option} is not documented"
            for choice in action.choices or ():
                assert str(choice) in section, f"{' '.join(path)}: choice {choice}"


def fields(node: object, path: str = "") -> Iterator[str]:
    """The dotted path of every property a schema declares, ``$defs`` too."""
    if not isinstance(node, dict):
        return
    for name, child in node.get("properties", {}).items():
        yield f"{path}.{name}" if path else name
        yield from fields(child, f"{path}.{name}" if path else name)
    if isinstance(node.get("items"), dict):
        yield from fields(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from fields(node["additionalProperties"], f"{path}.*" if path else "*")
    for key in ("oneOf", "anyOf"):  # a field's alternative forms
        for option in node.get(key, []):
            yield from fields(option, path)
    for definition in node.get("$defs", {}).values():
        yield from fields(definition)


def test_every_schema_and_field_is_in_the_schema_reference(site: Path) -> None:
    raw = (site / "reference" / "schemas" / "index.html").read_text(encoding="utf-8")
    text = page(site, "reference/schemas")
    assert SCHEMAS, "no schemas found"
    for path in SCHEMAS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        anchor = re.sub(r"[^a-z0-9]+", "-", path.name.lower()).strip("-")
        assert f'id="{anchor}"' in raw, f"{path.name} is not rendered"
        for name in schema.get("$defs", {}):
            assert f'id="{anchor}-{name.lower().replace("_", "-")}"' in raw, (path.name, name)
        for field in fields(schema):
            assert field in text, f"{path.name}: {field} is not rendered"


def test_every_public_name_is_in_the_api_reference(site: Path) -> None:
    raw = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for name in manifest.__all__:
        obj = getattr(manifest, name)
        if type(obj).__name__ == "CallableModule":  # manifest.compare, .gate, .verify
            obj = getattr(manifest.api, name)
        assert f'id="{obj.__module__}.{obj.__qualname__}"' in raw, f"manifest.{name}"
    assert ":class:" not in raw and ":func:" not in raw, "a Sphinx role reached the page"


def test_verify_verdicts_are_in_the_exit_code_reference(site: Path) -> None:
    from manifest.verification.options import EXIT_CODES

    text = page(site, "reference/exit-codes")
    for verdict, code in EXIT_CODES.items():
        assert re.search(rf"{re.escape(verdict)}\s+{code}\b", text), verdict


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("See [gone](no-such-page.md).", "no-such-page.md"),
        ("See [gone](cli.md#no-such-anchor).", "no-such-anchor"),
        ("<!-- reference:no-such-part -->", "no-such-part"),
    ],
)
def test_a_broken_reference_fails_the_strict_build(
    tmp_path: Path, line: str, complaint: str
) -> None:
    root = tmp_path / "project"
    for part in ("docs", "schemas"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    exit_codes = root / "docs" / "reference" / "exit-codes.md"
    exit_codes.write_text(exit_codes.read_text(encoding="utf-8") + f"\n{line}\n")
    result = build(root, tmp_path / "site")
    assert result.returncode != 0
    assert complaint in result.stderr + result.stdout
