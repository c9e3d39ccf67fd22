"""The shape of the package: no import cycles, small modules and functions,
Hydra's private API in one module, a cheap public API."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "manifest"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the package that ``name`` imports anywhere: at the top, in a
    function, or under ``TYPE_CHECKING``."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                module = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
        else:
            continue
        for target in targets:
            if target in known:
                found.add(target)
                break
    found.discard(name)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_package_has_no_import_cycle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_modules_and_functions_stay_small() -> None:
    long_modules = []
    long_functions = []
    for path in _modules().values():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            long_modules.append(f"{path.relative_to(REPO)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{path.relative_to(REPO)}:{node.name}: {length} lines")
    assert long_modules == []
    assert long_functions == []


PRIVATE_ATTRIBUTES = {"_return_value", "_instances"}


def test_hydra_internals_are_touched_in_one_module_only() -> None:
    adapter = PACKAGE / "_hydra" / "internal.py"
    offenders = []
    for path in _modules().values():
        if path == adapter:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "hydra._internal"
            ):
                offenders.append(f"{path.relative_to(REPO)}: imports {node.module}")
            elif isinstance(node, ast.Import) and any(
                a.name.startswith("hydra._internal") for a in node.names
            ):
                offenders.append(f"{path.relative_to(REPO)}: imports hydra._internal")
            elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: .{node.attr}")
    assert offenders == []


def _private_api() -> list[tuple[str, str]]:
    from manifest._hydra.internal import PRIVATE_API

    return list(PRIVATE_API)


@pytest.mark.parametrize(("module", "attribute"), _private_api())
def test_each_private_hydra_api_still_exists(module: str, attribute: str) -> None:
    import importlib

    import hydra

    target: object = importlib.import_module(module)
    for part in attribute.split("."):
        if not hasattr(target, part):
            pytest.fail(
                f"Hydra {hydra.__version__} has no {module}.{attribute}, which "
                "manifest/_hydra/internal.py uses: adapt that module to this release"
            )
        target = getattr(target, part)


def test_the_adapter_uses_no_private_name_it_does_not_declare() -> None:
    source = (PACKAGE / "_hydra" / "internal.py").read_text(encoding="utf-8")
    declared = {part for _, attribute in _private_api() for part in attribute.split(".")}
    used = {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_")
    }
    imported = {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hydra._internal")
        for alias in node.names
    }
    assert used <= declared
    assert imported <= declared


def test_importing_the_public_api_loads_no_heavy_library() -> None:
    code = (
        "import sys, manifest; "
        "heavy = [m for m in ('hydra', 'omegaconf', 'numpy', 'scipy', 'yaml', 'jsonschema_rs') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
