"""benchmarks/mutation.py: where a surviving mutant is, and what counts."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from types import ModuleType

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def mutation() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation", REPO / "benchmarks" / "mutation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


SOURCE = '''"""A module."""

LIMIT = 3


def bounded(x: int) -> bool:
    """Doc."""
    return x <= LIMIT


class Box:
    def big(self, x: float) -> bool:
        if x > 1e16:
            return True
        return False
'''

# mutmut's copy: each function as ``x_<name>__mutmut_orig`` and one copy per mutant
COPY = '''def x_bounded__mutmut_orig(x: int) -> bool:
    """Doc."""
    return x <= LIMIT
def x_bounded__mutmut_1(x: int) -> bool:
    """Doc."""
    return x < LIMIT
def x_bounded__mutmut_2(x: int = 1) -> bool:
    """Doc."""
    return x <= LIMIT
    def xǁBoxǁbig__mutmut_orig(self, x: float) -> bool:
        if x > 1e16:
            return True
        return False
    def xǁBoxǁbig__mutmut_1(self, x: float) -> bool:
        if x > 1e+16:
            return True
        return False
'''.splitlines()

SPANS = {
    "x_bounded__mutmut_orig": [0, 3],
    "x_bounded__mutmut_1": [3, 6],
    "x_bounded__mutmut_2": [6, 9],
    "xǁBoxǁbig__mutmut_orig": [9, 13],
    "xǁBoxǁbig__mutmut_1": [13, 17],
}


def test_a_mutant_is_located_on_the_line_of_the_original(mutation: ModuleType) -> None:
    found = mutation.locate("m.py", SOURCE, COPY, SPANS, "pkg.m.x_bounded__mutmut_1")
    assert (found.line, found.original, found.mutated) == (
        8,
        ["return x <= LIMIT"],
        ["return x < LIMIT"],
    )
    assert found.status == ""
    signature = mutation.locate("m.py", SOURCE, COPY, SPANS, "pkg.m.x_bounded__mutmut_2")
    assert signature.line == 6
    assert signature.mutated == ["def x_bounded__mutmut_orig(x: int = 1) -> bool:"]


def test_a_mutant_that_parses_to_the_same_code_is_equivalent(mutation: ModuleType) -> None:
    found = mutation.locate("m.py", SOURCE, COPY, SPANS, "pkg.m.xǁBoxǁbig__mutmut_1")
    assert (found.line, found.status) == (13, "equivalent")
    assert found.original == ["if x > 1e16:"]


def test_scores_count_what_the_tests_detect(mutation: ModuleType) -> None:
    score = mutation.ModuleScore(
        "m.py",
        Counter({"killed": 8, "timeout": 1, "survived": 1, "equivalent": 3, "not checked": 2}),
    )
    assert (score.detected, score.judged, score.score) == (9, 10, 90.0)
    assert [mutation.status_of(code) for code in (1, 0, 33, 36, None, 99)] == [
        "killed",
        "survived",
        "no tests",
        "timeout",
        "not checked",
        "suspicious",
    ]


def test_every_group_names_files_that_exist(mutation: ModuleType) -> None:
    for modules, tests in mutation.GROUPS.values():
        for name in [*modules, *tests]:
            assert (REPO / name).is_file(), name


def test_a_module_is_measured_with_its_groups_tests(mutation: ModuleType) -> None:
    modules, tests = mutation.GROUPS["gate"]
    assert mutation.selection("gate") == ("gate", modules, tests)
    assert mutation.selection("manifest/gating/rules.py") == (
        "gate",
        ["manifest/gating/rules.py"],
        tests,
    )
    with pytest.raises(KeyError):
        mutation.selection("manifest/cli/main.py")
