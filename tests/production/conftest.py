"""Fixtures of the production tests: a world served live on SQLite and on
PostgreSQL, and Redis when this machine has it (skipped with the reason
where it is not, failing under ``CI=true``)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.production.production_support import World, build_world

# A database number of the production tests' own; keys carry a prefix per test too.
REDIS_URL = os.environ.get("NOTESBASE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture(params=["sqlite", "postgresql"])
def live_world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    """A small world in a new database of each engine, for a live server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'instance' / 'notesbase.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_database").render_as_string(hide_password=False)
    return build_world(tmp_path, url)


def _redis_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Redis is required in CI: {reason}")
    pytest.skip(f"Redis not reachable ({reason}); set NOTESBASE_TEST_REDIS_URL")


@pytest.fixture
def redis_storage() -> Iterator[tuple[str, str]]:
    """(storage URL, key prefix of this test's own) in a live Redis; every
    key under the prefix is deleted afterwards."""
    try:
        import redis
    except ImportError as error:
        _redis_unavailable(str(error))
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except Exception as error:
        client.close()
        _redis_unavailable(str(error).splitlines()[0])
    prefix = f"nbtest-{secrets.token_hex(4)}"
    try:
        yield REDIS_URL, prefix
    finally:
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
        client.close()
