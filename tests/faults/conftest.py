"""Fixtures of the fault tests: the warm parent that forks live servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.server_support import Zygote


@pytest.fixture
def zygote(tmp_path: Path) -> Iterator[Zygote]:
    """Servers forked for this test; every one is killed on the way out."""
    started = Zygote(tmp_path / "logs")
    try:
        yield started
    finally:
        started.close()
