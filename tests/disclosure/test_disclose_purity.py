"""The disclosure core stays pure and typed: no Flask, no database, and
every function fully annotated (a cheap stand-in for running mypy in CI)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import notesbase.disclosure

PACKAGE = Path(notesbase.disclosure.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
FORBIDDEN = ("flask", "sqlalchemy", "notesbase.db", "notesbase.models", "werkzeug", "jinja2")


def imported_names(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_no_flask_or_database(module: Path) -> None:
    """``disclose`` can be tested exhaustively because it touches nothing outside."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for name in imported_names(tree):
        assert not name.startswith(FORBIDDEN), f"{module.name} imports {name}"


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_every_function_is_annotated(module: Path) -> None:
    """Every parameter and return value in the core carries a type."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        for arg in args:
            if arg.arg in ("self", "cls"):
                continue
            assert arg.annotation is not None, f"{module.name}:{node.name}({arg.arg})"
        assert node.returns is not None, f"{module.name}:{node.name} has no return type"


def test_checks_cover_the_core_modules() -> None:
    """The checks above run over every module of the core, not an empty list."""
    names = {path.name for path in MODULES}
    expected = {"consent.py", "disclose.py", "facts.py", "matching.py", "render.py"}
    assert expected | {"scrub.py", "spans.py", "terms.py", "tidy.py"} <= names
