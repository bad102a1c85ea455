"""No module of the project is over 400 lines: the app, the benchmark, the
migrations and the test support alike. A module that grows past it is split
along its responsibilities (see docs/design.md, "Layers")."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400
# Test modules are lists of cases and may run longer; their support may not.
FOLDERS = ("notesbase", "bench", "benchmarks", "migrations")


def modules() -> list[Path]:
    found = [path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py")]
    found += (ROOT / "tests").rglob("*_support.py")
    return sorted(found)


def test_there_are_modules_to_measure():
    names = {path.relative_to(ROOT).as_posix() for path in modules()}
    assert {"notesbase/__init__.py", "bench/search.py", "tests/conftest.py"} & names == {
        "notesbase/__init__.py",
        "bench/search.py",
    }


@pytest.mark.parametrize("path", modules(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_module_is_over_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{path.relative_to(ROOT)} has {lines} lines: split it"
