"""Griffe extension: the docstrings' Sphinx roles as Markdown code.

The package's docstrings are reStructuredText-flavoured prose: ``code``,
:class:`~manifest.errors.UsageError`, a literal block after ``::``. Markdown
reads ``code`` as code already; this turns each role into a code span
(``~`` keeps the last name, as Sphinx does) and ``::`` into ``:``, so the API
reference reads as the source does.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj):`(~?)([^`]+)`")
LITERAL = re.compile(r"::$", re.MULTILINE)


def markdown(text: str) -> str:
    """``text`` with its Sphinx roles as code spans and ``::`` as ``:``."""

    def span(match: re.Match[str]) -> str:
        target = match.group(2)
        return f"`{target.rsplit('.', 1)[-1] if match.group(1) else target}`"

    return LITERAL.sub(":", ROLE.sub(span, text))


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
