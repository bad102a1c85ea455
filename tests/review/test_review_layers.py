"""The review package sits above the features it uses: nothing below it
imports it (only the app factory, the command list and the data-protection
package, which sits above it and reads what a reviewer sees, name it), its
modules import nothing but their own package inside functions, and each
module stays under 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import notesbase

PACKAGE = Path(notesbase.__file__).parent
REVIEW = PACKAGE / "review"
# Where the rest of the app may name the review package.
ALLOWED = {PACKAGE / "__init__.py", PACKAGE / "cli.py"}
# Above the review package: subject access reuses what a reviewer is shown.
ABOVE = PACKAGE / "privacy"


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, inside a function) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module:
                found.append((child.module, inner))
            elif isinstance(child, ast.Import):
                found.extend((alias.name, inner) for alias in child.names)
            visit(child, inner)

    visit(tree, False)
    return found


def test_nothing_below_the_review_package_imports_it():
    for path in PACKAGE.rglob("*.py"):
        if REVIEW in path.parents or ABOVE in path.parents or path in ALLOWED:
            continue
        for module, _nested in _imports(path):
            assert not module.startswith("notesbase.review"), f"{path} imports {module}"


def test_review_modules_import_only_their_own_package_inside_functions():
    for path in REVIEW.glob("*.py"):
        for module, nested in _imports(path):
            if nested:
                assert module.startswith("notesbase.review"), f"{path} imports {module} late"


def test_review_modules_are_under_400_lines():
    for path in [*REVIEW.glob("*.py"), PACKAGE / "models" / "review.py"]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines < 400, f"{path} has {lines} lines"
