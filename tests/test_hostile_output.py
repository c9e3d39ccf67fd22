"""Hostile input: a manifest from a pull request cannot forge terminal or CI output.

Every string of a manifest (overrides, owner, error, metric names, paths)
is the author's choice. Printed raw, a newline starts a line of the author's
making (``::error::`` is a GitHub Actions command), an escape sequence
rewrites the screen, a right-to-left override reverses what is read. Each
command that shows a manifest must print such strings escaped, in every
format, and leave the manifest as it was.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from validate_kit import Example, example_run, run, write_manifest

from manifest.render.escape import escape, json_text, terminal_text, xml_text
from manifest.render.table import md_cell, md_code

# What a terminal or a CI runner acts on: controls (but our own line breaks
# and tabs), bidi overrides, and a CI command at the start of a line.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CI_COMMAND = re.compile(r"^\s*::|##vso\[", re.MULTILINE)
FORGED = "x\n::error file=app.py,line=1::forged by the manifest\x1b[2J\u202egnp.exe"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    return example_run(tmp_path_factory)


def assert_safe(text: str) -> None:
    assert not RAW_CONTROL.search(text), repr(text)
    assert not CI_COMMAND.search(text), repr(text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        pytest.param("a\nb", "a\\nb", id="newline"),
        pytest.param("\x1b[31mred", "\\x1b[31mred", id="escape-sequence"),
        pytest.param("\x9b2J", "\\x9b2J", id="c1-csi"),
        pytest.param("abc\u202edcb", "abc\\u202edcb", id="bidi-override"),
        pytest.param("\ud800", "\\ud800", id="lone-surrogate"),
        pytest.param("::error::x", "\\x3a:error::x", id="github-command"),
        pytest.param("  ::warning::x", "  \\x3a:warning::x", id="github-command-indented"),
        pytest.param("ok ##vso[task.complete]", "ok \\x23#vso[task.complete]", id="azure-command"),
        pytest.param("précision ✓ 精度", "précision ✓ 精度", id="printable-unchanged"),
        pytest.param("module:function", "module:function", id="single-colon-unchanged"),
    ],
)
def test_escape(raw: str, shown: str) -> None:
    assert escape(raw) == shown
    assert escape(shown) == shown  # escaping twice changes nothing more


def test_terminal_text_keeps_our_own_layout_and_colour() -> None:
    ours = "\x1b[31;1mFAIL\x1b[0m a.json:\tbad\n::error::injected\n"
    assert terminal_text(ours) == "\x1b[31;1mFAIL\x1b[0m a.json:\tbad\n\\x3a:error::injected\n"
    assert terminal_text("a\x1b]0;title\x07b\r") == "a\\x1b]0;title\\x07b\\r"


def test_json_and_xml_encodings_keep_the_data() -> None:
    document = {"owner": "a\x9b\u202e\ud800b"}
    text = json_text(json.dumps(document, ensure_ascii=False))
    assert_safe(text)
    assert json.loads(text) == document
    element = ET.Element("t", name=xml_text("a\x1b\x00b"))
    assert ET.fromstring(ET.tostring(element)).get("name") == "a\\x1b\\x00b"


def test_markdown_cannot_be_broken_out_of() -> None:
    assert md_cell("a|b <img src=x> [l](u) &#x202e; `c`") == (
        "a\\|b \\<img src=x> \\[l\\](u) \\&#x202e; \\`c\\`"
    )
    assert md_code("a`b|c") == "``a`b\\|c``"
    assert md_code("`x") == "`` `x ``"
    assert md_cell("x\ny") == "x\\\\ny"


def forged(example: Example, folder: Path) -> Path:
    """A failed manifest whose strings try to forge output, digest recomputed."""

    def edit(m: dict[str, object]) -> None:
        m["overrides"] = [f"note={FORGED}", "\x1b]0;title\x07"]
        m["status"] = "failed"
        m["error"] = {"type": "RuntimeError", "message": FORGED}

    return write_manifest(folder / "forged.json", example, edit)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["show"], id="show"),
        pytest.param(["show", "--format", "json"], id="show-json"),
        pytest.param(["ls"], id="ls"),
        pytest.param(["diff"], id="diff"),
    ],
)
def test_views_escape_what_a_manifest_says(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = forged(example, tmp_path / "store")
    before = path.read_bytes()
    args: list[str | Path] = [*command]
    args += [path.parent] if command == ["ls"] else [path]
    if command == ["diff"]:
        args.append(example.path)
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert_safe(out + err)
    if "json" in command:
        assert json.loads(out)["error"]["message"] == FORGED  # the data itself is unchanged
    elif command == ["show"]:
        assert "\\x1b" in out  # shown, not acted on
    assert path.read_bytes() == before


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "markdown"])
def test_validate_report_escapes_bad_values(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    def edit(m: dict[str, object]) -> None:
        m["metrics"] = {FORGED: 1.0}
        m["run_id"] = FORGED

    path = write_manifest(tmp_path / f"::error::{fmt}.json", example, edit)
    code, out, err = run(capsys, "validate", path, "--no-contracts", "--format", fmt)
    assert code == 1
    assert_safe(out + err)
    if fmt == "json":
        subject = json.loads(out)["subjects"][0]
        assert subject["subject"] == str(path) and not subject["ok"]
    if fmt == "junit":
        assert ET.fromstring(out).find("testsuite") is not None


def test_error_messages_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad\n::error::x\x1b[2J.json"
    code, out, err = run(capsys, "show", bad)
    assert code == 2
    assert "no such file" in err and "\\n" in err
    assert_safe(out + err)


def test_a_name_with_control_characters_is_refused_and_shown_escaped(
    example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(m: dict[str, object]) -> None:
        m["owner"] = FORGED  # names and paths may not hold control characters

    path = write_manifest(tmp_path / "owner.json", example, edit)
    code, out, err = run(capsys, "show", path)
    assert code == 2 and out == ""  # input show cannot use
    assert "does not match the manifest schema" in err and "/owner" in err
    assert_safe(out + err)
