"""A background merge that finds Whoosh's own write lock taken (a writer a
failed commit or a killed worker has not let go of yet) waits and tries
again, quietly, a bounded number of times; only a real failure is logged,
with its traceback."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from whoosh import index as whoosh_index

from notesbase.db import db
from notesbase.models import Item
from notesbase.notes import items as item_service
from notesbase.search import background, checking, indexer
from notesbase.search.writing import MERGE_FACTOR
from tests.search.procs_support import build_world, item_fields

LOGGER = "notesbase.search.indexer"
HOLD = 0.6


@pytest.fixture
def app_config():
    return {"SEARCH_APPLY_ON_COMMIT": False, "SEARCH_MERGE_DELAY": 0.01}


@pytest.fixture
def small_segments(app: Flask, monkeypatch) -> Iterator[Path]:
    """An index with a full tier of small segments waiting to be merged
    (saves applied one at a time, no merge started yet); its generation."""
    world = build_world(app)
    indexer.apply(app)
    started = []
    with monkeypatch.context() as patched:
        patched.setattr(background, "merge_soon", lambda app: started.append(app))
        for number in range(MERGE_FACTOR + 2):
            with app.app_context():
                item = db.session.get(Item, world.items[number % len(world.items)])
                assert item is not None
                body = f"merge lock save {number}"
                item_service.update_item(item, item_fields(item, body=body), actor=None)
                db.session.commit()
            indexer.apply(app, merge=False)
    assert started  # a merge was due
    path = indexer.engine_for(app).current_path()
    assert path is not None
    yield path
    assert background.wait_for_merges(timeout=30)


def segment_count(path: Path) -> int:
    return len(whoosh_index.open_dir(str(path))._segments())


def hold_whoosh_lock(path: Path):
    """Whoosh's own write lock, taken as another writer holds it."""
    lock = whoosh_index.open_dir(str(path)).lock("WRITELOCK")
    assert lock.acquire(blocking=False)
    return lock


def problems(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING]


def test_a_merge_that_finds_the_lock_taken_tries_again_quietly(app, small_segments, caplog):
    """The lock let go after a moment: the merge is done, after it, and
    nothing is logged as a problem (no error, no traceback)."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    before = segment_count(small_segments)
    lock = hold_whoosh_lock(small_segments)
    while_held: list[int] = []

    def release() -> None:
        while_held.append(segment_count(small_segments))
        lock.release()

    timer = threading.Timer(HOLD, release)
    timer.start()
    try:
        background.merge_soon(app)
        assert background.wait_for_merges(timeout=30)
    finally:
        timer.join()
    assert while_held == [before]  # nothing merged while the lock was taken
    assert segment_count(small_segments) < before
    assert problems(caplog) == []
    assert checking.check(app).ok


def test_a_lock_that_stays_taken_is_left_for_later_within_a_bound(
    app, small_segments, caplog, monkeypatch
):
    """Held throughout: the merge gives up after its retries (a bounded
    wait), says so at INFO without a traceback, and changes nothing."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    monkeypatch.setattr(background, "MERGE_RETRY_WAIT", 0.02)
    before = segment_count(small_segments)
    lock = hold_whoosh_lock(small_segments)
    try:
        background.merge_soon(app)
        assert background.wait_for_merges(timeout=15)
    finally:
        lock.release()
    assert segment_count(small_segments) == before
    assert problems(caplog) == []
    said = [r for r in caplog.records if r.name == LOGGER and "merged after" in r.getMessage()]
    assert len(said) == 1 and said[0].exc_info is None
    assert checking.check(app).ok


def test_a_real_failure_is_logged_with_its_traceback(app, small_segments, caplog):
    """A segment file gone from under the index: the merge fails at once (no
    retries) and the error is logged with its traceback."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    segments = sorted(small_segments.glob("*.seg"), key=lambda p: p.stat().st_size)
    assert len(segments) > MERGE_FACTOR
    segments[0].unlink()
    background.merge_soon(app)
    assert background.wait_for_merges(timeout=15)
    (error,) = problems(caplog)
    assert error.levelno == logging.ERROR and "could not merge" in error.getMessage()
    assert error.exc_info is not None
