"""What a killed process or a damaged disk leaves in the index folder is
repaired when the app starts (its first request), before anyone searches:
a rebuild killed half-way, a CURRENT file naming nothing or garbage,
garbage inside a segment file (which Whoosh itself reads without noticing)
and a half-written state file. The other damage (truncated segments, a
garbled TOC, no index at all) is in ``tests/search/test_index_recovery.py``."""

from __future__ import annotations

import os
import random
import select
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from notesbase import create_app
from notesbase.db import db
from notesbase.models import Item
from notesbase.notes import items as item_service
from notesbase.publishing.writeups.service import publish_writeup
from notesbase.search import backlog, checking, context, indexer
from tests.conftest import make_test_config
from tests.search.procs_support import build_world, item_fields

CHILD_TIMEOUT = 30


def current_generation(root: Path) -> Path:
    return root / (root / "CURRENT").read_text(encoding="ascii").strip()


def rebuild_until_killed(app: Flask) -> tuple[int, Path]:
    """Fork a process that rebuilds the index and stops for good half-way
    (its rebuild lock held, its new generation half-written); return its
    pid and that generation, once it got there."""
    root = indexer.engine_for(app).root
    before = set(root.glob("gen-*"))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            with app.app_context():
                db.engine.dispose(close=False)  # the parent's connections stay the parent's

            def progress(done: int, total: int) -> None:
                os.write(write_end, b"midway\n")
                time.sleep(CHILD_TIMEOUT * 2)

            indexer.rebuild(app, progress)
        finally:
            os._exit(1)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], CHILD_TIMEOUT)
        said = os.read(read_end, 64) if ready else b""
    finally:
        os.close(read_end)
    if said != b"midway\n":
        kill(pid)
        raise AssertionError("the rebuilding process did not get half-way")
    [partial] = set(root.glob("gen-*")) - before
    return pid, partial


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def test_a_rebuild_killed_half_way_leaves_nothing_stuck(app, runner):
    """SIGKILL a process in the middle of a rebuild: its lock goes with it
    (no "being rebuilt" forever), the index in use is untouched, saves are
    indexed, and the next rebuild clears the half-written generation."""
    world = build_world(app)
    engine = indexer.engine_for(app)
    in_use = engine.current_path()
    pid, partial = rebuild_until_killed(app)
    try:
        assert indexer.rebuilding(app)
    finally:
        kill(pid)
    assert not indexer.rebuilding(app)
    assert (engine.root / "rebuild.lock").exists()  # the file stays; no lock is held
    assert partial.is_dir() and engine.current_path() == in_use

    with app.app_context():
        item = db.session.get(Item, world.items[0])
        assert item is not None
        item_service.update_item(item, item_fields(item, body="Quillwort survey"), actor=None)
        # The public reads the write-up as published: published again, it
        # carries the new words.
        publish_writeup(item.meeting, actor=None)
        db.session.commit()
    found = app.test_client().get("/api/v1/search?q=quillwort")
    assert found.status_code == 200 and found.get_json()["total"] == 1  # the write-up
    assert checking.check(app).ok

    result = runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert not partial.exists()
    assert [p.name for p in engine.root.glob("gen-*")] == [engine.current_path().name]
    assert checking.check(app).ok


def current_names_nothing(root: Path) -> None:
    (root / "CURRENT").write_text("gen-999999\n", encoding="ascii")


def current_holds_garbage(root: Path) -> None:
    (root / "CURRENT").write_bytes(b"\x00\xffnot a generation\n")


def garbage_in_segments(root: Path) -> None:
    """Same size, different bytes: nothing for Whoosh to notice."""
    segments = list(current_generation(root).glob("*.seg"))
    assert segments
    noise = random.Random(2)  # noqa: S311 - garbage, not a secret
    for segment in segments:
        data = bytearray(segment.read_bytes())
        start, length = len(data) // 3, len(data) // 4
        data[start : start + length] = bytes(noise.randrange(256) for _ in range(length))
        segment.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "CURRENT names no generation": current_names_nothing,
    "CURRENT holds garbage": current_holds_garbage,
    "garbage in segment files": garbage_in_segments,
}


@pytest.fixture
def restarted(tmp_path: Path) -> Iterator[list[Flask]]:
    apps: list[Flask] = []
    yield apps
    for started in apps:
        with started.app_context():
            db.engine.dispose()


def restart(app: Flask, tmp_path: Path, restarted: list[Flask], **config) -> Flask:
    """A new app process on the same instance folder and database."""
    app.extensions.pop(context.EXTENSION)  # this process forgets the old index
    started = create_app(make_test_config(tmp_path, app.config["DATABASE_URL"], **config))
    restarted.append(started)
    return started


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_is_repaired_at_start_up(app, tmp_path, restarted, damage):
    """The first request after a restart (any page) finds the damage and
    rebuilds, before any search: a new generation is in use, and ``check``
    and a search agree with the database."""
    build_world(app)
    indexer.apply(app)
    root = indexer.engine_for(app).root
    damaged = current_generation(root)
    DAMAGE[damage](root)
    started = restart(app, tmp_path, restarted)
    client = started.test_client()
    assert client.get("/api/v1/series").status_code == 200
    assert current_generation(root).is_dir()
    assert current_generation(root) != damaged
    assert checking.check(started).ok
    found = client.get("/api/v1/search?q=spending")
    assert found.status_code == 200 and found.get_json()["total"] == 1  # the write-up


def test_a_half_written_state_file_is_replayed_from_the_start(app, tmp_path, restarted):
    """The index's outbox cursor cut off mid-write: the restarted app reads
    it as "nothing applied" and replays the outbox, so a change committed
    but not yet indexed is found and the index matches the database."""
    world = build_world(app)
    indexer.apply(app)
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    with app.app_context():
        item = db.session.get(Item, world.items[0])
        assert item is not None
        item_service.update_item(item, item_fields(item, body="Quillwort survey"), actor=None)
        publish_writeup(item.meeting, actor=None)  # the public reads it as published
        db.session.commit()
    root = indexer.engine_for(app).root
    (current_generation(root) / "state.json").write_text('{"cursor": 1', encoding="utf-8")
    started = restart(app, tmp_path, restarted)
    found = started.test_client().get("/api/v1/search?q=quillwort")
    assert found.status_code == 200 and found.get_json()["total"] == 1
    assert checking.check(started).ok
    assert not backlog.pending(started)
