"""The index's fast reader gives exactly the strict reader's answer: the same
tree (types included) or the same error, on generated and hostile texts."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from manifest.core.reading import parse_json
from manifest.core.tree import flatten
from manifest.errors import ManifestError
from manifest.index.parse import Parser, members, read_stamped
from manifest.index.rows import TEXT_FIELDS, _dumps, directions, fields, read_fresh, read_row
from manifest.lineage.records import lineage_columns


class Obj(list):  # type: ignore[type-arg]
    """An object as written: its (name, value) pairs, duplicates allowed."""


# Names from a small alphabet, so that duplicates are common, with quotes,
# colons, backslashes and brackets in them, as a hostile text has them; and
# the same without what must be escaped (so the texts have no backslash).
HOSTILE_NAMES = ["a", "b", ":", '"', "a:b", '":', "\\", "{", "", "é", "\u2028", "x\ny"]
PLAIN_NAMES = ["a", "b", ":", "a:b", " : ", "", "é", "{", "[]", ",", "\u2028"]
plain_text = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters='"\\'))


def trees(names: list[str], text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """Trees of :class:`Obj`, lists and scalars; mostly an object at the top."""
    name = st.sampled_from(names)
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | name
        | text
    )

    def objects(kids: st.SearchStrategy[Any], size: int = 4) -> st.SearchStrategy[Obj]:
        return st.lists(st.tuples(name, kids), max_size=size).map(Obj)

    inner = st.recursive(
        scalars, lambda kids: st.lists(kids, max_size=4) | objects(kids), max_leaves=25
    )
    return inner | objects(inner, 6)


spaces = st.sampled_from(["", " ", "\n  ", "\t", "\r\n"])


@st.composite
def texts(draw: st.DrawFn, tree: st.SearchStrategy[Any], escapes: bool = True) -> str:
    """A JSON text of a generated tree: random spacing, strings written with
    or without escapes, numbers in several spellings."""

    def gap() -> str:
        return draw(spaces)

    def string(value: str) -> str:
        return json.dumps(value, ensure_ascii=escapes and draw(st.booleans()))

    def write(node: Any) -> str:
        if isinstance(node, Obj):
            pairs = (f"{string(k)}{gap()}:{gap()}{write(v)}" for k, v in node)
            return "{" + gap() + f"{gap()},{gap()}".join(pairs) + gap() + "}"
        if isinstance(node, list):
            return "[" + gap() + f"{gap()},{gap()}".join(write(v) for v in node) + gap() + "]"
        if isinstance(node, str):
            return string(node)
        if isinstance(node, float) and node.is_integer() and abs(node) < 1e15:
            return draw(st.sampled_from([repr(node), f"{node:.1e}", f"{int(node)}.000"]))
        return json.dumps(node)

    return gap() + write(draw(tree)) + gap()


hostile_texts = texts(trees(HOSTILE_NAMES, st.text(max_size=6)))
plain_texts = texts(trees(PLAIN_NAMES, plain_text), escapes=False)


def _typed(value: Any) -> list[Any]:
    """``value`` as a flat list of tokens with the type of every leaf (so
    that 1 and 1.0 differ), written without recursion (trees may be deep)."""
    tokens: list[Any] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            tokens.append(("dict", list(node)))
            stack.extend(reversed(node.values()))
        elif isinstance(node, list):
            tokens.append(("list", len(node)))
            stack.extend(reversed(node))
        else:
            tokens.append((type(node).__name__, node))
    return tokens


def _outcome(read: Any, data: bytes) -> Any:
    try:
        return "ok", _typed(read(data))
    except ManifestError as exc:
        return "error", type(exc).__name__, exc.describe()
    except ValueError as exc:  # an integer of more digits than Python converts
        return "value-error", str(exc)


def assert_same(data: bytes) -> None:
    strict = _outcome(lambda d: parse_json(d, file="m.json"), data)
    fast = _outcome(lambda d: Parser().parse(d, file="m.json"), data)
    assert fast == strict


HOSTILE = [
    b'{"a": 1, "a": 2}',
    b'{"a": {"x": "1:2"}, "a": 3}',  # the dropped value holds a colon in a string
    b'{"t": "12:00", "a": {"b": 1, "b": 1}}',  # the top-level colon hides nothing
    b'{"a:": 1, "a:": 1}',
    b'{"a": ":", ":": "a"}',
    b'{"": 1, "": 1}',
    b'{"a": [{"k": 1, "k": 1}]}',
    b'[{"k": 1, "k": 2}]',  # not an object at the top: the strict error first
    b'{"a": "\\":", "a": 1}',  # an escaped quote: the strict reader decides
    b'{"a": "\\u003a", "b": 1}',
    b'{"a\\u0000": 1, "a\\u0000": 1}',
    b'{"a": NaN}',
    b'{"a": 1e400}',
    b'{"a": "\\ud800"}',
    b'{"a": 1} {"b": 2}',
    b'\xef\xbb\xbf{"a": 1}',
    b'\x0c{"a": 1}',  # not JSON's whitespace, before or after
    b'\xc2\xa0{"a": 1}',
    b'{"a": 1}\x0c',
    b' \t\r\n{"a": 1} \t\r\n',
    b'{"a": "\xff"}',
    b'{"a": 1,}',
    b"{}",
    b"",
    b"5",
    b'{"n": ' + b"9" * 5000 + b"}",
]


@pytest.mark.parametrize("data", [pytest.param(d, id=str(i)) for i, d in enumerate(HOSTILE)])
def test_hostile_texts(data: bytes) -> None:
    assert_same(data)


@settings(max_examples=300, deadline=None)
@given(hostile_texts)
@example('{"a": {"x": "1:2"}, "a": 3}')
def test_generated_texts(text: str) -> None:
    assert_same(text.encode("utf-8"))


@settings(max_examples=400, deadline=None)
@given(text=plain_texts)
def test_generated_texts_without_escapes(text: str, monkeypatch_strict: list[bytes]) -> None:
    """Where the fast path decides alone: an object at the top, no backslash.
    A text the strict reader accepts never reaches it; one with a duplicate
    key always does (only the strict reader raises)."""
    data = text.encode("utf-8")
    assert b"\\" not in data
    monkeypatch_strict.clear()
    fast = _outcome(lambda d: Parser().parse(d, file="m.json"), data)
    assert fast == _outcome(lambda d: parse_json(d, file="m.json"), data)
    if fast[0] == "ok" and text.lstrip().startswith("{"):
        assert monkeypatch_strict == []
    elif fast[0] == "error" and "duplicate key" in fast[2]:
        assert monkeypatch_strict == [data]


@pytest.fixture(scope="module")
def monkeypatch_strict() -> Iterator[list[bytes]]:
    """The texts that the fast reader hands to the strict one."""
    import manifest.index.parse as fast

    calls: list[bytes] = []

    def strict(data: bytes, *, file: str) -> Any:
        calls.append(data)
        return parse_json(data, file=file)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast, "parse_json", strict)
        yield calls


@settings(max_examples=150, deadline=None)
@given(hostile_texts, st.data())
def test_damaged_texts(text: str, data: st.DataObject) -> None:
    """Cut or overwritten texts: whatever the strict reader says."""
    raw = text.encode("utf-8")
    at = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.sampled_from([b"", b'"', b":", b",", b"}", b"\\", b"\x00", b"\xc3"]))
    assert_same(raw[:at] + junk + raw[at + 1 :])


def _count_members(node: Any) -> int:
    if isinstance(node, Obj):
        return len(node) + sum(_count_members(v) for _, v in node)
    if isinstance(node, list):
        return sum(_count_members(v) for v in node)
    return 0


@settings(max_examples=200, deadline=None)
@given(trees(PLAIN_NAMES, plain_text), st.data())
def test_members_counts_what_is_written(tree: Any, data: st.DataObject) -> None:
    def write(node: Any) -> str:
        gap = data.draw(spaces)
        if isinstance(node, Obj):
            pairs = (f"{json.dumps(k, ensure_ascii=False)}{gap}:{gap}{write(v)}" for k, v in node)
            return "{" + ",".join(pairs) + "}"
        if isinstance(node, list):
            return "[" + ",".join(write(v) for v in node) + "]"
        return json.dumps(node, ensure_ascii=False)

    text = write(tree).encode("utf-8")
    if b"\\" not in text:  # the only texts it is asked about
        assert members(text) == _count_members(tree)


@pytest.mark.parametrize(("shape", "per_level"), [('{{"a": [{}]}}', 2), ('{{"a": {}}}', 1)])
def test_deep_texts_go_to_the_strict_reader(
    shape: str, per_level: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Near the recursion limit, whether a parse fails depends on the stack
    of its caller: texts that could be nested that deep are left to the
    strict reader, shallower ones agree whatever the stack."""
    import manifest.index.parse as fast

    calls: list[bytes] = []

    def strict(data: bytes, *, file: str) -> Any:
        calls.append(data)
        return parse_json(data, file=file)

    monkeypatch.setattr(fast, "parse_json", strict)
    levels = (fast.SHALLOW - 1) // per_level  # with the innermost object: at most SHALLOW
    for depth, delegated in ((levels, False), (levels + 1, True), (2000, True)):
        text = '{"k": 1}'
        for _ in range(depth):
            text = shape.format(text)
        calls.clear()
        assert _outcome(lambda d: Parser().parse(d, file="m.json"), text.encode()) == _outcome(
            lambda d: parse_json(d, file="m.json"), text.encode()
        )
        assert bool(calls) == delegated


# Texts as the package writes manifests (two spaces of indentation), where
# the parser reads the environment apart and reuses its tree.
def _pretty(tree: Any, data: st.DataObject) -> str:
    """``tree`` written with ``json.dumps(indent=2)``'s layout, its objects'
    names repeated where :class:`Obj` repeats them, and now and then a
    member moved onto its neighbour's line (a text the cut must not trust)."""

    def write(node: Any, indent: str) -> str:
        if not isinstance(node, Obj | list) or not node:
            return "{}" if isinstance(node, Obj) else json.dumps(node, ensure_ascii=False)
        inner = indent + "  "
        if isinstance(node, Obj):
            items = [f"{json.dumps(k, ensure_ascii=False)}: {write(v, inner)}" for k, v in node]
        else:
            items = [write(v, inner) for v in node]
        joints = [data.draw(st.sampled_from([f",\n{inner}"] * 4 + [", "])) for _ in items[1:]]
        body = "".join(j + item for j, item in zip(["\n" + inner, *joints], items, strict=True))
        brackets = "{}" if isinstance(node, Obj) else "[]"
        return brackets[0] + body + f"\n{indent}" + brackets[1]

    return write(tree, "") + data.draw(st.sampled_from(["", "\n", " \r\n", "\x0c"]))


# One parser for all examples, as the index uses one for a whole folder, so
# that an environment read in one text is reused in the next.
SHARED = Parser()
ENVIRONMENTS = [
    Obj([("packages", Obj([("numpy", "2.0"), ("scipy", "1.14")])), ("python", "3.11")]),
    Obj([("packages", Obj()), ("variables", Obj([("A", "1:2"), ("A", "3")]))]),
    Obj([("packages", Obj([("x", [1, Obj([("y", None)])])]))]),
    [1, 2],
    Obj(),
]


@settings(max_examples=400, deadline=None)
@given(tree=trees(PLAIN_NAMES, plain_text), data=st.data())
def test_texts_with_an_environment(tree: Any, data: st.DataObject) -> None:
    """Texts written as the package writes them, the environment read apart
    and reused: the strict reader's tree (in the same order) or its error,
    whatever texts came before."""
    members = list(tree) if isinstance(tree, Obj) else [("a", tree)]
    at = data.draw(st.integers(0, len(members)))
    members.insert(at, ("environment", data.draw(st.sampled_from(ENVIRONMENTS))))
    raw = _pretty(Obj(members), data).encode("utf-8")
    if data.draw(st.booleans()):  # damaged: cut, or a byte overwritten
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.sampled_from([b"", b'"', b",", b"}", b"]"])) + raw[at + 1 :]
    assert _outcome(lambda d: SHARED.parse(d, file="m.json"), raw) == _outcome(
        lambda d: parse_json(d, file="m.json"), raw
    )


ENV = b'\n  "environment": {"x": 1\n  }'
CUT = [
    # pieces that parse alone around a text that does not
    b'{\n  "a": [1,' + ENV + b',\n  "y"]\n}',
    b'{\n  "a": {"k": 1,' + ENV + b',\n  "y": 2}\n}',
    b"{," + ENV + b"\n}",  # an empty run before the environment
    b"{" + ENV + b",\n}",  # or after it
    b'{\n  "a": 1}' + ENV + b"\n}",  # no comma before it
    b"{" + ENV + b'\n  "b": 1\n}',  # nor after it
    b"{" + ENV + b",\n  " + ENV[3:] + b"\n}",  # the environment twice
    b'{\n  "x": 1,' + ENV + b"\n}",  # a name in two runs
    b'{\n  "environment": {"x": 1, "x": 2\n  }\n}',  # a duplicate inside it
    b"{" + ENV + b"\n}\x0c",  # not JSON's whitespace
    b"{" + ENV + b"\n}\n\n",
    b"{" + ENV,
    b"{" + ENV + b"\n} {}",
    b"{" + ENV + b'\n  "b": 1]',
    b'{\n  "b": 1 ,' + ENV + b"\n}",
    b'{\n  "b": "\\n  \\"",' + ENV + b"\n}",
    b'{\n  "environment": {"x": "\\u0041"\n  }\n}',
    b'{\n  "environment": 5,\n  "b": {\n    "c": 1\n  }\n}',  # not an object
    b'{\n  "environment": {"x": 1}}\n  }\n}',
    b"[" + ENV + b"\n]",
    b'"' + ENV + b"\n}",  # one byte before the environment, not a brace
    ENV + b"\n}",
    b'{\n  "environment": {"x": "a}b",\n    "y": {\n      "z": 1\n    }\n  },\n  "b": 1\n}',
]


@pytest.mark.parametrize("data", [pytest.param(d, id=str(i)) for i, d in enumerate(CUT)])
def test_cut_texts(data: bytes) -> None:
    """Where a text cut around its environment could fool a reader of
    pieces: the strict reader's answer, first seen or from a reused tree."""
    parser = Parser()
    for _ in range(2):
        assert _outcome(lambda d: parser.parse(d, file="m.json"), data) == _outcome(
            lambda d: parse_json(d, file="m.json"), data
        )


def test_the_environment_is_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment repeated by every manifest of a folder is decoded with
    the first manifest, alone with the second, and then never again; each
    manifest's tree is still its own at the top."""
    environment = {"packages": {f"pkg{i}": f"{i}.0" for i in range(100)}, "python": "3.11"}
    texts = [
        json.dumps(
            {"artifacts": [], "environment": environment, "metrics": {"acc": i / 10}}, indent=2
        ).encode()
        for i in range(5)
    ]
    parser = Parser()
    decoded: list[str] = []
    scan = parser._scan
    monkeypatch.setattr(parser, "_scan", lambda text, at: decoded.append(text) or scan(text, at))
    trees = [parser.parse(t, file="m.json") for t in texts]
    assert trees == [json.loads(t) for t in texts]
    assert [list(t) for t in trees] == [["artifacts", "environment", "metrics"]] * 5
    assert [text.startswith('{"environment"') for text in decoded if "pkg99" in text] == [
        False,  # the first text, whole
        True,  # the environment alone, from the second
    ]
    assert len({id(t) for t in trees}) == 5
    assert len({id(t["environment"]) for t in trees[1:]}) == 1


def test_manifests_each_with_another_environment() -> None:
    """Environments seen once are only remembered, and each text is then
    read whole: the strict reader's trees, and no environment kept."""
    texts = [
        json.dumps({"environment": {"host": f"h{i}"}, "run_id": f"r{i}"}, indent=2).encode()
        for i in range(200)
    ]
    parser = Parser()
    assert [parser.parse(t, file="m.json") for t in texts] == [json.loads(t) for t in texts]
    assert not any(parser._environments.values())  # no tree kept


def test_each_environment_is_its_own() -> None:
    """Environments of the same size, in turn: each text gets its own."""
    texts = [
        json.dumps({"environment": {"python": f"3.1{i % 3}"}, "run_id": "r"}, indent=2).encode()
        for i in range(6)
    ]
    parser = Parser()
    assert [parser.parse(t, file="m.json") for t in texts] == [json.loads(t) for t in texts]


def test_fields_of_the_fast_tree_are_the_strict_ones(tmp_path: Path) -> None:
    """A row read by the index is the row of the strict reader."""
    manifest = {
        "run_id": "r1",
        "status": "completed",
        "created": "2026-01-01T00:00:00Z",
        "task": "pkg.mod:main",
        "overrides": ["a=1"],
        "params": {"a": {"b": [1, 2.5, {"c": "x:y"}]}, "e": {}},
        "metrics": {"acc": 0.9, "loss": 1e-7},
        "directions": {"acc": "higher", "loss": "lower", "odd": "up"},
        "digest": "sha256:" + "0" * 64,
        "artifacts": [{"path": "m.npz", "sha256": "a" * 64, "role": ""}, {"path": 1}],
        "inputs": [{"key": "k", "path": "s3://b/x", "version": "v1"}, {"sha256": "b" * 64}],
        "lineage": {"parents": ["p", "p", "", 3, "q"]},
    }
    file = tmp_path / "m.json"
    file.write_text(json.dumps(manifest, indent=2))
    stamp = os.stat(file)
    expected = read_row("m.json", file, (0, 0, 0, 0), False)[6:]
    found = read_fresh("m.json", str(file), Parser())
    assert found is not None
    assert found[0] == (stamp.st_size, stamp.st_mtime_ns, stamp.st_ino, stamp.st_ctime_ns)
    assert found[1] == expected == fields(json.loads(file.read_text()))


def test_reading_what_is_not_a_plain_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    stamp, error = read_stamped(str(fifo))  # never waits for a writer
    assert isinstance(error, ManifestError) and "named pipe" in error.message
    assert stamp[0] == 0
    with pytest.raises(FileNotFoundError):
        read_stamped(str(tmp_path / "gone.json"))
    assert read_fresh("gone.json", str(tmp_path / "gone.json"), Parser()) is None
    folder = tmp_path / "dir.json"
    folder.mkdir()
    found = read_fresh("dir.json", str(folder), Parser())
    assert found is not None and found[1][-1] == "is a folder, not a regular file"


def reference_fields(manifest: Any) -> tuple[Any, ...]:
    """The row's fields computed the plain way, with the generic helpers the
    rest of the package uses (flatten, lineage_columns, directions)."""
    if not isinstance(manifest, dict):
        return fields(manifest)  # the unreadable row, tested above

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else None

    def flat(value: Any) -> str | None:
        return _dumps(flatten(value)) if isinstance(value, dict) else None

    overrides = manifest.get("overrides")
    plain = isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)
    return (
        *(text(manifest.get(name)) for name in TEXT_FIELDS),
        _dumps(overrides) if plain else None,
        flat(manifest.get("params")),
        flat(manifest.get("metrics")),
        _dumps(directions(manifest)),
        text(manifest.get("digest")),
        *lineage_columns(manifest),
        None,
    )


# What parsing can give: a number too large for a double is refused there
# (tests/test_reading.py), so no tree holds an infinity.
json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_trees = st.recursive(
    json_leaves,
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3), kids, max_size=3)
    ),
    max_leaves=12,
)
sha = st.sampled_from(["a" * 64, "A" * 64, "a" * 63, "", "sha256:" + "b" * 64])
entry = st.fixed_dictionaries(
    {},
    optional={
        name: sha if name == "sha256" else (st.text(max_size=3) | json_leaves)
        for name in ("sha256", "path", "role", "key", "version")
    },
)
shaped = {
    "artifacts": st.lists(entry | json_leaves, max_size=4) | json_trees,
    "inputs": st.lists(entry | json_leaves, max_size=4) | json_trees,
    "lineage": st.fixed_dictionaries(
        {
            "parents": st.lists(st.sampled_from(["p", "q", ""]) | json_leaves, max_size=4)
            | json_trees
        }
    )
    | json_trees,
    "directions": st.dictionaries(
        st.text(max_size=2), st.sampled_from(["higher", "lower", "up"]) | json_leaves, max_size=3
    )
    | json_trees,
    "overrides": st.lists(st.text(max_size=4), max_size=3) | json_trees,
    "params": json_trees,
    "metrics": st.dictionaries(st.text(max_size=3), json_leaves, max_size=4) | json_trees,
}
manifests = st.fixed_dictionaries(
    {},
    optional={
        **{name: st.text(max_size=4) | json_leaves for name in (*TEXT_FIELDS, "digest")},
        **shaped,
    },
)


@settings(max_examples=300, deadline=None)
@given(manifests)
def test_fields_match_the_plain_computation(manifest: dict[str, Any]) -> None:
    """The index's field code, written for speed, gives the plain answer on
    well-formed and malformed manifests alike (wrong types, bad digests,
    repeated parents, directions that are not higher/lower)."""
    assert fields(manifest) == reference_fields(manifest)
