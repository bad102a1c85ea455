"""Fixtures of the fault tests: a warm parent that starts live servers, and
apps with a database of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.backup_support import Instances, new_instances
from tests.faults.server_support import Zygote


@pytest.fixture
def zygote(tmp_path: Path) -> Iterator[Zygote]:
    """Starts gunicorn servers quickly (see ``server_support``); each is
    SIGKILLed, and the zygote stopped, when the test ends."""
    started = Zygote(tmp_path / "logs")
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def instances(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Instances]:
    """Apps made on demand under ``tmp_path``; their databases dropped at the end."""
    made = new_instances(tmp_path, request)
    yield made
    made.close()
