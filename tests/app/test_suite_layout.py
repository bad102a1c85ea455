"""The tests mirror the code: no test module sits at the top of tests/, each
is in the folder of what it tests; every other module there says by its name
what it is (support, fixtures, a package), and what tests share lives there,
never in another test module; and only the benchmark's own tests (in
tests/benchmark/) import the benchmark (bench/ and benchmarks/), so changing
the benchmark cannot change what any other test proves.

Imports are read from the source with ``ast``: every ``import`` and
``from ... import`` anywhere in a file counts."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
BENCHMARK = {"bench", "benchmarks"}


def imported(source: str) -> set[str]:
    """The top-level packages ``source`` imports, at any depth of it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_no_test_module_sits_at_the_top_of_tests():
    """A test module at the top of tests/ belongs in the folder of its area."""
    assert sorted(path.name for path in TESTS.glob("test_*.py")) == []


def test_every_module_is_a_test_a_support_module_or_a_conftest():
    """A module under tests/ is a test module (``test_*.py``), fixtures
    (``conftest.py``), a package (``__init__.py``) or helpers named as
    support (``*_support.py``): a helper is never mistaken for a test."""
    others = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if not (
            path.name.startswith("test_")
            or path.name in ("conftest.py", "__init__.py")
            or path.name.endswith("_support.py")
        )
    ]
    assert others == []


def imported_test_modules(source: str) -> set[str]:
    """The test modules (``tests....test_*``) ``source`` imports, at any depth."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(
            name
            for name in names
            if name.split(".")[0] == "tests"
            and any(part.startswith("test_") for part in name.split("."))
        )
    return found


def test_no_module_imports_a_test_module():
    """What tests share is in a support module or a conftest.py: a test
    module imported elsewhere ties one test to another's insides, and a test
    imported with it is collected twice."""
    importing = {
        str(path.relative_to(TESTS)): sorted(imported_test_modules(path.read_text("utf-8")))
        for path in sorted(TESTS.rglob("*.py"))
    }
    assert {path: names for path, names in importing.items() if names} == {}


def test_only_the_benchmarks_own_tests_import_it():
    """No module under tests/ but those in tests/benchmark/ imports bench or
    benchmarks: the other tests have their own support."""
    own = TESTS / "benchmark"
    importing = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if own not in path.parents and imported(path.read_text(encoding="utf-8")) & BENCHMARK
    ]
    assert importing == []


def test_every_form_of_import_is_read():
    """An import at the top, a from-import and one inside a function all
    count; a relative import names no package."""
    source = (
        "import bench.corpus as c\n"
        "from benchmarks import pages\n"
        "from . import sibling\n"
        "def run():\n"
        "    from bench.server import free_port\n"
        "    import os, json\n"
    )
    assert imported(source) == {"bench", "benchmarks", "os", "json"}
    tests = "from tests.a.test_b import c\nfrom tests.a import test_d, e_support\n"
    assert imported_test_modules(tests) == {"tests.a.test_b", "tests.a.test_b.c", "tests.a.test_d"}
