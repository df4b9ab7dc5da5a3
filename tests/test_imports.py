"""The library's modules import one another in one direction: no module imports one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import digireport

PACKAGE = Path(digireport.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The library module that `name` (a module or a name inside one) comes from."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """Every import of a library module by a library module, at any depth of the code (inside
    functions and `if TYPE_CHECKING:` too: an import deferred is still a dependency)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from digireport import deck` imports the module digireport.deck
                names = [f"{base}.{alias.name}" for alias in node.names] + [base]
            else:
                continue
            for name in names:
                if name.split(".")[0] != "digireport":
                    continue
                target = _resolve(name, modules)
                if target and target != module and target != "digireport":
                    targets.add(target)
        graph[module] = targets
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_library_has_no_import_cycle():
    graph = import_graph()
    assert {"digireport.pipeline", "digireport.options", "digireport.deck"} <= set(graph)
    assert find_cycles(graph) == []


def test_no_renderer_imports_the_orchestrator():
    graph = import_graph()
    upward = sorted(m for m, targets in graph.items() if "digireport.pipeline" in targets)
    assert set(upward) <= {"digireport.cli", "digireport.job"}, upward


@pytest.mark.parametrize(("graph", "cycles"), [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set(), "c": {"b"}}, []),
])
def test_cycle_finder(graph, cycles):
    assert find_cycles(graph) == cycles


def test_the_graph_sees_imports_inside_functions_and_type_checking_blocks():
    """The cycle of a renderer importing the orchestrator only for its types is what it must catch."""
    graph = import_graph()
    assert "digireport.options" in graph["digireport.workbook"]  # under `if TYPE_CHECKING:`
    assert "digireport.deck" in graph["digireport.pipeline"]  # inside a function
