"""Read and parse manifest files for the index: the strict reader's answer, faster.

:func:`manifest.core.reading.parse_json` refuses duplicate keys with an
``object_pairs_hook``, which builds a list of pairs and a dict per object in
Python. The index parses every manifest of a folder, so :class:`Parser`
gives the same answer by a shorter way: the C decoder builds the objects
(merging a duplicate key silently) while a light hook adds up their sizes,
and two counts then prove that nothing was merged:

- ``members``: the ``name: value`` members written in the text. In valid
  JSON a colon outside a string literal only ever ends a member's name, and
  when the text has no backslash every ``"`` delimits a string literal, so
  ``members`` is the number of colons at an even count of quotes before them.
- ``kept``: the number of keys of all the objects the decoder built
  (those inside a value that a duplicate later replaced included).

Every member is one key of its object, unless a later member of the same
object has the same name (the decoder keeps the last): each such member
loses exactly one key. So ``kept == members`` exactly when the text has no
duplicate key, and the tree is then the one the strict reader builds.

Anything else (a backslash, a document the decoder refuses,
a count that differs, a top level that is not an object) goes to the strict
reader itself, which parses it again and raises its own error; and so does
a text with many brackets, which could be nested close to the recursion
limit (where whether a parse fails depends on the caller's stack). The test
``tests/test_index_parse.py`` checks this against the strict reader on
generated documents.

Half of a manifest's bytes are its ``environment`` (the packages
installed), the same from one run to the next on a machine. In a manifest
written as the package writes it (two spaces of indentation), the
environment's text is found by its first and last lines (a newline is never
inside a JSON string), and its tree is reused from the second manifest that
holds the same bytes on (see :meth:`Parser._by_members`). The cut is only used
when each of its three pieces parses alone as members of an object;
otherwise, and for every error, the whole text is parsed as above.

Files are read with one ``open``/``fstat``/``read``: the ``fstat`` gives the
stamp of what was read (so a new folder needs no ``stat`` walk) and refuses
what is not a regular file; anything unusual (an error, a file that is not
regular, too large, or changes size while read) is read again by
:func:`manifest.core.reading.read_bytes`, which raises the error it deserves.
"""

from __future__ import annotations

import json
import json.scanner
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.reading import (
    MAX_MANIFEST_BYTES,
    finite_float,
    no_constants,
    parse_json,
    read_bytes,
)
from ..errors import ManifestError

Stamp = tuple[int, int, int, int]

# At most this many brackets, so at most this deep: the decoders then never
# come near the recursion limit, where the outcome would depend on the caller.
SHALLOW = 256
_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
# bytes.translate deletes every byte but the quote and the colon; or but
# what the fast path counts first (one pass over the text for all counts)
_NOT_QUOTE_OR_COLON = bytes(b for b in range(256) if b not in b'":')
_NOT_COUNTED = bytes(b for b in range(256) if b not in b":{[\\")
# The environment as the package writes manifests (json.dumps, indent=2):
# where it starts, and what is before the first brace that can end it.
_ENVIRONMENT = b'\n  "environment": '
_CLOSING = b"\n  "
_SPACES = b" \t\n\r"  # JSON's whitespace (bytes.strip would take more)
_SPACES_TEXT = _SPACES.decode()
_KEEP = 64  # environments kept (see Parser._by_members)


def read_stamped(file: str) -> tuple[Stamp, bytes | ManifestError]:
    """The stamp of ``file`` (size, mtime, inode, ctime) and its bytes as they
    were then, or the error (:class:`InputError`, :class:`ManifestFormatError`)
    that says why it cannot be read. Raises ``OSError`` when it is gone."""
    try:
        fd = os.open(file, _OPEN)
    except OSError:
        return _careful(file, os.stat(file))
    try:
        st = os.fstat(fd)
        size = st.st_size
        if stat.S_ISREG(st.st_mode) and size <= MAX_MANIFEST_BYTES:
            data = os.read(fd, size + 1)
            if len(data) == size:
                return _stamp(st), data
    finally:
        os.close(fd)
    return _careful(file, st)


def _careful(file: str, st: os.stat_result) -> tuple[Stamp, bytes | ManifestError]:
    # Not a regular file, too large, changed while read, or not readable: the
    # careful reader names what is wrong (or reads the file as it now is).
    try:
        return _stamp(st), read_bytes(Path(file))
    except ManifestError as exc:
        return _stamp(st), exc


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def members(data: bytes) -> int:
    """The number of ``name: value`` members in the valid JSON text ``data``,
    which has no backslash (so every quote opens or closes a string)."""
    marks = data.translate(None, _NOT_QUOTE_OR_COLON)  # quotes and colons, in order
    # Two adjacent quotes enclose no colon: dropping them changes no colon's
    # count of quotes before it, and most strings go at once.
    marks = marks.replace(b'""', b"")
    # between the quotes: colons in strings; the even pieces are outside
    return len(b"".join(marks.split(b'"')[::2]))


class Parser:
    """Parses manifest texts as :func:`parse_json` does (equal trees, the
    same errors), faster. Holds the count of one parse: use one per thread.
    Trees may share their ``environment`` (see :meth:`_by_members`): they
    are read, never changed."""

    def __init__(self) -> None:
        self._kept = 0
        decoder = json.JSONDecoder(
            object_hook=self._count, parse_constant=no_constants, parse_float=finite_float
        )
        # the decoder's own scanner: json.loads less its wrapper in Python
        # (typeshed types the scanner's context as a scanner, not a decoder)
        self._scan: Callable[[str, int], tuple[Any, int]]
        self._scan = json.scanner.make_scanner(decoder)  # type: ignore[arg-type]
        # environments by their text: their tree, or None when seen once
        self._environments: dict[bytes, dict[str, Any] | None] = {}
        self._last: bytes | None = None  # the environment read last

    def _count(self, obj: dict[str, Any]) -> dict[str, Any]:
        self._kept += len(obj)
        return obj

    def parse(self, data: bytes, *, file: str) -> Any:
        """The document in ``data``; raises :class:`ManifestFormatError` as
        :func:`parse_json` does."""
        document = self._by_members(data)
        if document is None:
            document = self._proven(data)
        return parse_json(data, file=file) if document is None else document

    def _proven(self, data: bytes) -> dict[str, Any] | None:
        """The object in ``data`` when the fast decoder's tree is provably
        the strict reader's; None when only the strict reader can tell."""
        marks = data.translate(None, _NOT_COUNTED)  # colons, brackets, backslashes
        if b"\\" in marks or marks.count(b"{") + marks.count(b"[") > SHALLOW:
            return None
        self._kept = 0
        try:
            text = data.decode("utf-8")
            start = 0 if text[:1] == "{" else len(text) - len(text.lstrip(_SPACES_TEXT))
            document, end = self._scan(text, start)
        except (ValueError, StopIteration, RecursionError):
            return None  # no value first, or an error: the strict reader says why
        if end != len(text) and text[end:].strip(_SPACES_TEXT):
            return None  # more than spaces after it
        if type(document) is dict and self._all_kept(data, marks, document):
            return document
        return None

    def _all_kept(self, data: bytes, marks: bytes, document: dict[str, Any]) -> bool:
        kept = self._kept
        # Cheap first: every colon of the text, less those inside the top
        # level's string values, is at least the number of members (other
        # strings may hold colons too), so equality settles it. Manifests
        # keep their colons in timestamps, digests and the task.
        inside = "".join([v for v in document.values() if type(v) is str]).count(":")
        return marks.count(b":") - inside == kept or members(data) == kept

    def _by_members(self, data: bytes) -> dict[str, Any] | None:
        """The object in ``data`` read in three runs of members: those before
        the environment, the environment (its tree reused when the same bytes
        were read before) and those after it; None unless the text is an
        object with an environment written as the package writes it.

        With the text cut as ``head``, ``\\n  `` + ``member``, ``tail``: when
        ``head`` less its final comma, ``member``, and ``tail`` less its
        first comma each parse alone as the members of an object (a run cut
        at a comma is not empty), the text is exactly those members in
        order: its object is their union, with no name repeated when its
        size is the sum of theirs."""
        at = data.find(_ENVIRONMENT)
        if at < 0 or b"\\" in data:
            return None
        start = at + 3  # the member, after the newline and two spaces
        member = self._last
        if member is None or not data.startswith(member, start):
            end = data.find(b"}", start)  # memchr: faster than finding _CLOSING + "}"
            while end >= 0 and data[end - 3 : end] != _CLOSING:
                end = data.find(b"}", end + 1)
            if end < 0:
                return None
            member = data[start : end + 1]
        if member not in self._environments:
            # seen once: only remembered, and the whole text parsed, so that a
            # folder whose every manifest holds another one is read as before
            self._keep(member, None)
            return None
        environment = self._environments[member]
        if environment is None:
            environment = self._proven(b"".join((b"{", member, b"}")))
            if environment is None:
                return None
            self._keep(member, environment)
        self._last = member
        view = memoryview(data)  # one copy of each piece, in its braces
        if at == 1 and data[:1] == b"{":  # the environment first
            document: dict[str, Any] | None = {}
        elif data[at - 1 : at] == b",":
            document = self._proven(b"".join((view[: at - 1], b"}"))) or None
        else:
            return None
        rest = start + len(member)
        if data[rest : rest + 1] == b",":
            after = self._proven(b"".join((b"{", view[rest + 1 :]))) or None
        else:
            after = {} if data[rest:].strip(_SPACES) == b"}" else None
        if document is None or after is None:
            return None
        expected = len(document) + len(environment) + len(after)
        document.update(environment)
        document.update(after)
        return document if len(document) == expected else None  # else a name repeats

    def _keep(self, member: bytes, tree: dict[str, Any] | None) -> None:
        """Remember the environment ``member`` and its tree (None: seen once)."""
        if len(self._environments) >= _KEEP:
            self._environments.clear()
        self._environments[member] = tree
