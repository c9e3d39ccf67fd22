"""The command reference, walked from the argparse parser the CLI itself uses.

Every command, subcommand and argument ``manifest.cli.main.build_parser``
defines is listed with its usage, help, choices, default and whether it is
required; an argument whose help is ``argparse.SUPPRESS`` is hidden from
users and left out here too.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from markdown_text import cell, code, slug

_NO_DEFAULT: tuple[object, ...] = (None, False, [], (), argparse.SUPPRESS)


Parser = argparse.ArgumentParser


def subcommands(parser: Parser) -> Iterator[tuple[str, str, Parser]]:
    """(name, one-line help, parser) of each subcommand of ``parser``, in order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, helps.get(name, ""), sub


def documented(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The arguments of ``parser`` a user is shown (not subcommands, not hidden)."""
    return [
        a
        for a in parser._actions
        if a.help != argparse.SUPPRESS and not isinstance(a, argparse._SubParsersAction)
    ]


def _help(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    if not action.help:
        return ""
    formatter = parser._get_formatter()
    return " ".join(formatter._expand_help(action).split())


def _name(action: argparse.Action) -> str:
    if not action.option_strings:
        return code(str(action.metavar or action.dest))
    names = sorted(action.option_strings, key=lambda s: (not s.startswith("--"), s))
    shown = ", ".join(code(n) for n in names)
    if action.nargs == 0:
        return shown
    metavar = action.metavar or (action.dest.upper() if not action.choices else None)
    if metavar is None:
        return shown
    if isinstance(metavar, tuple):  # nargs=N with a name per value
        metavar = " ".join(metavar)
    return f"{shown} {code(f'{metavar} ...' if action.nargs in ('+', '*') else metavar)}"


def _default(action: argparse.Action) -> str:
    default = action.default
    if action.nargs == 0 or any(default is d or default == d for d in _NO_DEFAULT):
        return ""
    return code(str(default))


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    actions = documented(parser)
    if not actions:
        return []
    lines = ["| argument | required | help | choices | default |", "|---|---|---|---|---|"]
    for action in actions:
        positional = not action.option_strings
        required = action.nargs not in ("?", "*") if positional else action.required
        choices = ", ".join(code(str(c)) for c in action.choices or ())
        row = [
            _name(action),
            "yes" if required else "",
            cell(_help(parser, action)),
            choices,
            _default(action),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _commands(path: list[str], parser: Parser) -> list[str]:
    lines = ["| command | what it does |", "|---|---|"]
    for name, help_text, _ in subcommands(parser):
        title = " ".join([*path, name])
        lines.append(f"| [{code(title)}](#{slug(title)}) | {cell(help_text)} |")
    return [*lines, ""] if len(lines) > 2 else []


def _section(path: list[str], summary: str, parser: Parser, depth: int) -> Iterator[str]:
    title = " ".join(path)
    yield f"{'#' * depth} `{title}` {{ #{slug(title)} }}"
    yield ""
    if summary:
        yield cell(summary[0].upper() + summary[1:]) + "."
        yield ""
    yield "```text"
    yield parser.format_usage().strip()
    yield "```"
    yield ""
    if parser.description and depth > 2:
        yield "```text"
        yield parser.description.strip()
        yield "```"
        yield ""
    yield from _commands(path, parser)
    yield from _arguments(parser)
    yield ""
    for name, help_text, sub in subcommands(parser):
        yield from _section([*path, name], help_text, sub, min(depth + 1, 4))


def render(parser: Parser) -> str:
    """The Markdown of the command ``parser`` and of each of its subcommands."""
    return "\n".join(_section([parser.prog], "", parser, 2))
