"""MkDocs hook: the reference pages' generated parts, made from the code at
build time so they cannot drift from it.

A page asks for a part with a marker line, ``<!-- reference:NAME -->``:

- ``cli``: every command, subcommand and option of the CLI's own parser;
- ``schemas``: every JSON Schema in ``schemas/``;
- ``errors``: the exit codes and the error classes exiting with each;
- ``verify-verdicts``: verify's verdicts and their exit codes.

An unknown marker, or a part that no page asks for, fails the build.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cli_page
import errors_page
import schema_page
from markdown_text import slug
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- reference:([a-z-]+) -->$", re.MULTILINE)


def _cli() -> str:
    from manifest.cli.main import build_parser

    return cli_page.render(build_parser())


def _schemas() -> str:
    files = sorted((ROOT / "schemas").glob("*.schema.json"))
    if not files:
        raise PluginError(f"no schemas in {ROOT / 'schemas'}")
    index = ["| schema | title |", "|---|---|"]
    sections = []
    for path in files:
        schema = json.loads(path.read_text(encoding="utf-8"))
        title = schema.get("title", "")
        index.append(f"| [`{path.name}`](#{slug(path.name)}) | {title} |")
        sections.append(schema_page.render(path.name, schema))
    return "\n".join(index) + "\n\n" + "\n\n".join(sections)


PARTS: dict[str, Callable[[], str]] = {
    "cli": _cli,
    "schemas": _schemas,
    "errors": errors_page.errors,
    "verify-verdicts": errors_page.verdicts,
}
_used: dict[str, str] = {}


def on_pre_build(config: Any) -> None:
    _used.clear()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    def generate(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PARTS:
            raise PluginError(f"{page.file.src_uri}: unknown reference part {name!r}")
        if name in _used:
            raise PluginError(f"{page.file.src_uri}: {name!r} already in {_used[name]}")
        _used[name] = page.file.src_uri
        return PARTS[name]()

    return MARKER.sub(generate, markdown)


def on_post_build(config: Any) -> None:
    missing = sorted(set(PARTS) - set(_used))
    if missing:
        raise PluginError(f"no page holds the reference parts {missing}")
