"""Layers point down: no module of notesbase imports, at the top of a file
or inside a function, a module that imports it back, however far round;
and search, which sits below the features, imports none of them.

The imports are read from the source with ``ast``, not run: every
``import`` and ``from ... import`` anywhere in a module counts, except those
under ``if TYPE_CHECKING:``, which never run. A module is a file
(``notesbase/api/__init__.py`` is ``notesbase.api``); ``from a import b``
points at the module ``a.b`` when there is one, else at ``a``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import notesbase

PACKAGE = Path(notesbase.__file__).resolve().parent

# Features that search must never import (it serves them; they register
# with it): the API, publishing, the consent and admin pages, the meeting
# pages, the review rounds.
ABOVE_SEARCH = (
    "notesbase.api",
    "notesbase.publishing",
    "notesbase.consent",
    "notesbase.admin",
    "notesbase.meetings.views",
    "notesbase.meetings.manage",
    "notesbase.review",
)

Graph = dict[str, dict[str, int]]  # module -> {module it imports: first line}


def modules(package: Path) -> dict[str, tuple[Path, bool]]:
    """Every module under ``package``: its dotted name, file, and whether it
    is a package's ``__init__``."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, outside ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking(node.test):
            for branch in node.orelse:
                yield from imports(ast.Module(body=[branch], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from imports(node)


def _resolve(name: str, known: dict[str, tuple[Path, bool]]) -> str | None:
    """The module ``name`` runs: itself, else the nearest package above it."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(package: Path) -> Graph:
    known = modules(package)
    graph: Graph = {}
    for name, (path, is_package) in known.items():
        edges: dict[str, int] = {}
        for node in imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    here = here[: len(here) - node.level + 1]
                    base = ".".join([*here, base] if base else here)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                module = _resolve(target, known)
                if module is not None and module != name:
                    edges.setdefault(module, node.lineno)
        graph[name] = edges
    return graph


def strongly_connected(graph: Graph) -> list[list[str]]:
    """The groups of modules that import each other round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a long chain of imports cannot hit the recursion limit.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def describe(graph: Graph, group: list[str]) -> str:
    """A group of modules in a loop, with every import that ties it."""
    inside = set(group)
    lines = [f"{len(group)} modules import each other: {', '.join(group)}"]
    for module in group:
        for target, line in sorted(graph[module].items()):
            if target in inside:
                lines.append(f"  {module} (line {line}) -> {target}")
    return "\n".join(lines)


def test_the_walk_sees_imports_inside_functions_and_skips_type_checking(tmp_path):
    """A loop closed by an import inside a function is found; one closed only
    under ``if TYPE_CHECKING:`` is not; ``from pkg import mod`` is the module."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg import typed\nelse:\n    import json\n"
        "def late():\n    from pkg import high\n    return high\n"
    )
    (package / "high.py").write_text("from pkg.low import late\n")
    (package / "typed.py").write_text("from . import low\n")
    graph = import_graph(package)
    assert graph["pkg.low"] == {"pkg.high": 7}
    assert graph["pkg.typed"] == {"pkg.low": 1}
    [group] = strongly_connected(graph)
    assert group == ["pkg.high", "pkg.low"]
    assert "pkg.low (line 7) -> pkg.high" in describe(graph, group)


def test_no_module_imports_one_that_imports_it_back():
    """Zero import cycles in notesbase, function-level imports included."""
    graph = import_graph(PACKAGE)
    assert len(graph) > 100  # the package was read
    cycles = strongly_connected(graph)
    assert not cycles, "\n\n".join(describe(graph, group) for group in cycles)


def test_search_imports_none_of_the_features_it_serves():
    """Search sits below the API, publishing, the review rounds and the
    pages: they register with it (document sources, review states), it never
    reaches up to them."""
    graph = import_graph(PACKAGE)
    reaching_up = [
        f"{module} (line {line}) -> {target}"
        for module, edges in sorted(graph.items())
        if module == "notesbase.search" or module.startswith("notesbase.search.")
        for target, line in sorted(edges.items())
        if any(target == above or target.startswith(above + ".") for above in ABOVE_SEARCH)
    ]
    assert "notesbase.search.sources" in graph  # search was read
    assert not reaching_up, "\n".join(reaching_up)
