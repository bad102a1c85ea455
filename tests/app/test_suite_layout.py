"""The tests mirror the code: no test module sits at the top of tests/, each
is in the folder of what it tests; and only the benchmark's own tests (in
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
