"""Every ```console block of README.md and docs/ is real output.

Each page is one session: a fresh copy of the example project (``conf/`` and
``examples/``) in a temporary folder, with its own HOME, caches and git
identity. Each ``$ `` command of the page's console blocks runs there in
order (``bash -c``, ``$?`` is the previous command's status), and its stdout
and stderr together must match the lines under it once run ids, times,
digests, absolute paths, durations, sizes and versions are normalised. A line
``...`` in the documented output stands for any number of lines.

``DOCS_REGENERATE=1 python -m pytest tests/test_docs_examples.py`` rewrites
the blocks with what the commands print now (the session folder shown as
``/home/me/project``); elide long outputs with ``...`` afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROJECT = "/home/me/project"  # where the documented sessions pretend to run
FENCE = re.compile(r"^(?P<indent>[ \t]*)```console[ \t]*$")
REGENERATE = os.environ.get("DOCS_REGENERATE") == "1"


@dataclass
class Command:
    text: str  # the command, continuation lines joined with newlines
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    start: int  # index of the first line inside the fence
    end: int  # index of the closing fence
    indent: str
    commands: list[Command]


def pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def parse_blocks(lines: list[str]) -> list[Block]:
    """The console blocks of a page: commands (``$ ``, ``\\`` continues) and their output."""
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, start = match["indent"], i + 1
        end = start
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        commands: list[Command] = []
        body = [x[len(indent) :] if x.startswith(indent) else x for x in lines[start:end]]
        j = 0
        while j < len(body):
            line = body[j]
            if line.startswith("$ "):
                text = line[2:]
                while text.endswith("\\") and j + 1 < len(body):
                    j += 1
                    text += "\n" + body[j]
                commands.append(Command(text))
            elif commands:
                commands[-1].expected.append(line)
            else:
                raise AssertionError(f"console block at line {start} has output before any '$ '")
            j += 1
        blocks.append(Block(start, end, indent, commands))
        i = end + 1
    return blocks


RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b\d{8}T\d{6}Z-[0-9a-f]{8}\b"), "RUNID"),
    (re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:\d\d)?"), "TIME"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}/\d{2}-\d{2}-\d{2}(?:\.\d+)?"), "TIME"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "DATE"),
    (re.compile(r"\b(?=[0-9a-f]*[a-f])[0-9a-f]{12,64}\b"), "HEX"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:B|KiB|MiB|GiB|kB|KB|MB|GB)\b"), "SIZE"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s)\b"), "DURATION"),
    (re.compile(r"\bv?\d+\.\d+\.\d+(?:[.+-]?[0-9A-Za-z]+)*\b"), "VERSION"),
]
VERDICT_ROW = re.compile(
    r"^(.*\b(?:verified|not-reproduced|refused|not-run|interrupted)(?: +\d+){3}) +\d+\.\d+$"
)


def normalise(text: str, project: str = PROJECT) -> list[str]:
    """Lines with what differs between two honest runs replaced by placeholders."""
    text = text.replace(project, PROJECT)
    out = []
    for line in text.splitlines():
        line = VERDICT_ROW.sub(r"\1 DURATION", line.rstrip())
        for pattern, replacement in RULES:
            line = pattern.sub(replacement, line)
        out.append(re.sub(r"[ \t]+", " ", line).rstrip())
    while out and not out[-1]:
        out.pop()
    return out


def matches(expected: list[str], found: list[str]) -> bool:
    """Whether ``found`` matches ``expected``, a line ``...`` matching any lines."""
    if not expected:
        return not found
    if expected[0] == "...":
        return any(matches(expected[1:], found[k:]) for k in range(len(found) + 1))
    return bool(found) and expected[0] == found[0] and matches(expected[1:], found[1:])


def session(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A fresh copy of the example project and an environment of its own."""
    project = tmp / "project"
    project.mkdir()
    for name in ("conf", "examples"):
        shutil.copytree(REPO / name, project / name)
    home = tmp / "home"
    (home / ".config").mkdir(parents=True)
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n")
    keep = ("PATH", "LANG", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CEILING_DIRECTORIES=str(tmp),
        TZ="UTC",
        LC_ALL="C.UTF-8",
        PYTHONHASHSEED="0",
        COLUMNS="200",
        NO_COLOR="1",
    )
    return project, env


def run_page(page: Path, tmp: Path) -> list[str]:
    """Run the page's commands in order; the mismatches (or rewrite the page)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks = parse_blocks(lines)
    project, env = session(tmp)
    status, problems = 0, []
    for block in blocks:
        for command in block.commands:
            result = subprocess.run(
                ["bash", "-c", f"(exit {status}); {command.text}"],
                cwd=project,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=300,
            )
            status = result.returncode
            found = normalise(result.stdout, str(project))
            if REGENERATE:
                command.expected = result.stdout.replace(str(project), PROJECT).splitlines()
            elif not matches(normalise("\n".join(command.expected)), found):
                problems.append(
                    f"{page.relative_to(REPO)}:{block.start}: $ {command.text}\n"
                    + "--- documented\n"
                    + "\n".join(command.expected)
                    + "\n--- found\n"
                    + result.stdout
                )
    if REGENERATE:
        for block in reversed(blocks):
            body = []
            for command in block.commands:
                body.append(f"{block.indent}$ {command.text}")
                body.extend(f"{block.indent}{x}".rstrip() for x in command.expected)
            lines[block.start : block.end] = body
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return problems


PAGES = [p for p in pages() if any(FENCE.match(x) for x in p.read_text().splitlines())]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_console_blocks_print_what_they_show(page: Path, tmp_path: Path) -> None:
    problems = run_page(page, tmp_path)
    assert not problems, "\n\n".join(problems)


def test_every_page_with_commands_is_checked() -> None:
    """README.md and the tutorial must hold console blocks, so this test covers them."""
    names = {str(p.relative_to(REPO)) for p in PAGES}
    assert {"README.md", "docs/tutorial.md"} <= names


# The normaliser and the matcher, on their own.


def test_normalise_replaces_what_differs_between_honest_runs() -> None:
    text = (
        "completed   20261126T200633Z-312056b3  /tmp/x/p/manifests/20261126T200633Z-312056b3.json\n"
        "#1   2026-11-29T21:38:15.650233Z  promote v1  sha256:b3d7697a1621  report ok\n"
        "[2026-11-29 22:24:03,700][HYDRA] sweep output dir : multirun/2026-11-29/22-24-02.123\n"
        "manifests/a.json  verified        6       0         0      0.03\n"
        "python 3.11.4 -> 3.12.0; took 1.5 s, peak 91 MB\n"
        "            accuracy=0.916 log_loss=0.199944\n\n"
    )
    assert normalise(text, "/tmp/x/p") == [
        "completed RUNID /home/me/project/manifests/RUNID.json",
        "#1 TIME promote v1 sha256:HEX report ok",
        "[TIME][HYDRA] sweep output dir : multirun/TIME",
        "manifests/a.json verified 6 0 0 DURATION",
        "python VERSION -> VERSION; took DURATION, peak SIZE",
        " accuracy=0.916 log_loss=0.199944",
    ]


def test_normalise_keeps_metrics_counts_and_words() -> None:
    line = "accuracy 0.9096 n = 5 / 5; decimal 12345678901234 and face 0.002"
    assert normalise(line) == [line]


def test_matches_elides_with_dots_and_nothing_else() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert matches(["..."], [])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert not matches(["a", "c"], ["a", "b"])


def test_parse_blocks_reads_continuations_and_indented_fences() -> None:
    lines = [
        "text",
        "   ```console",
        "   $ manifest ls --where 'x' \\",
        "         --sort=-y",
        "   row 1",
        "   $ echo $?",
        "   0",
        "   ```",
    ]
    (block,) = parse_blocks(lines)
    assert block.indent == "   " and (block.start, block.end) == (2, 7)
    continued = "manifest ls --where 'x' \\\n      --sort=-y"
    assert [c.text for c in block.commands] == [continued, "echo $?"]
    assert [c.expected for c in block.commands] == [["row 1"], ["0"]]
