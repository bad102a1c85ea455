"""Several app processes on one database and one index folder (a SQLite
file, and PostgreSQL): writing at once loses no update, a process killed
while holding the writer lock blocks nobody, and one killed between its
commit and the index write is repaired by replaying the outbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase import create_app
from notesbase.db import db
from notesbase.models import Base, IndexOutbox, Item, Role
from notesbase.notes import items as item_service
from notesbase.search import checking, indexer
from tests.conftest import make_test_config
from tests.search.procs_support import (
    build_world,
    database_versions,
    indexed_versions,
    item_fields,
)
from tests.search.workers_support import Pool

EDITORS = 3
ROUNDS = 1


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    """Warm app processes shared by this module's tests."""
    pool = Pool(tmp_path_factory.mktemp("workers"))
    pool.take(EDITORS)
    yield pool
    pool.close()


def config_for(app: Flask, tmp_path: Path) -> dict[str, Any]:
    """What a sibling process of ``app`` starts from: the same instance
    folder (so the same index) and the same database."""
    return make_test_config(tmp_path, app.config["DATABASE_URL"])


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, dict]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_database").render_as_string(hide_password=False)
    config = make_test_config(tmp_path, url)
    app = create_app(config)
    with app.app_context():
        Base.metadata.create_all(db.engine)
    yield app, config
    with app.app_context():
        db.engine.dispose()


def test_processes_writing_at_once_lose_nothing(shared, workers):
    """Three processes edit the same items at once, each applying the outbox
    after its own commits and contending for the writer lock; afterwards
    every item is indexed at its database version and ``check`` is clean."""
    app, config = shared
    world = build_world(app)
    ids = world.items
    editors = workers.take(EDITORS)
    for n, editor in enumerate(editors):
        editor.send("edit", config, f"p{n}", ROUNDS, ids[n:] + ids[:n])
    answers = [editor.read() for editor in editors]
    edits = sum(answer["edits"] for answer in answers)
    assert edits == EDITORS * ROUNDS * len(ids)

    versions = database_versions(app)
    # Every edit committed a version of its own: none was lost to a race.
    assert sum(version - 1 for version in versions.values()) == edits
    with app.app_context():
        rows = db.session.scalar(
            sa.select(sa.func.count(IndexOutbox.id)).where(IndexOutbox.target == "item")
        )
    assert rows >= edits

    indexer.apply(app)  # the documented repair for anything a lock timeout left
    report = checking.check(app)
    assert report.ok, report
    assert report.pending == 0
    assert indexed_versions(app) == {item: {version} for item, version in versions.items()}


def test_a_writer_killed_holding_the_lock_blocks_no_save(app, tmp_path, workers):
    """While another process holds the index writer lock, a save commits at
    once, its index work left in the outbox; when that process is killed
    (SIGKILL) the lock goes with it and the outbox is applied."""
    world = build_world(app)
    app.config["SEARCH_APPLY_TIMEOUT"] = 0.2
    [holder] = workers.take(1)
    holder.send("hold-lock", config_for(app, tmp_path), 60)
    assert holder.read() == "locked"
    started = time.monotonic()
    with app.app_context():
        item = db.session.get(Item, world.items[2])
        item_service.update_item(item, item_fields(item, body="Saved while busy"), actor=None)
        db.session.commit()
    assert time.monotonic() - started < 2
    report = checking.check(app)
    assert report.stale and {d.split(":")[1] for d in report.stale} == {str(world.items[2])}
    holder.kill()
    started = time.monotonic()
    assert indexer.apply(app, timeout=5) >= 1
    assert time.monotonic() - started < 5
    assert checking.check(app).ok


def test_a_kill_between_commit_and_index_write_is_replayed(
    app, tmp_path, workers, runner, client, login_as
):
    """A process killed right after its commit leaves its outbox row;
    ``notesbase index apply`` replays it and the index is in step."""
    world = build_world(app)
    target = world.items[1]  # "Raj Patel argued for a shared register"
    [doomed] = workers.take(1)
    doomed.send("commit-then-die", config_for(app, tmp_path), target, "Xylocarp")
    version = doomed.read()["version"]
    assert doomed.wait() == -9
    with app.app_context():
        assert db.session.get(Item, target).version == version == 2
        engine = indexer.engine_for(app)
        cursor = engine.read_state(engine.current_path())["cursor"]
        waiting = db.session.execute(
            sa.select(IndexOutbox.target, IndexOutbox.target_id).where(IndexOutbox.id > cursor)
        ).all()
    assert [tuple(row) for row in waiting] == [("item", target)]
    report = checking.check(app)
    assert {d.split(":")[1] for d in report.stale} == {str(target)}
    assert report.pending == 1
    assert indexed_versions(app)[target] == {1}

    result = runner.invoke(args=["index", "apply"])
    assert result.exit_code == 0, result.output
    assert "Applied 1 outbox rows." in result.output
    assert checking.check(app).ok
    assert indexed_versions(app)[target] == {2}
    login_as(Role.FACILITATOR)
    found = client.get("/search?q=xylocarp")
    assert found.status_code == 200
    assert "1 result" in found.get_data(as_text=True)
