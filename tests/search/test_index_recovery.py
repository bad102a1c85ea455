"""A missing or damaged index is rebuilt from the database; while it is
being rebuilt, search says so (503 with Retry-After), never an empty list;
and changes committed without reaching the index are caught up."""

from __future__ import annotations

import gc
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from notesbase import create_app
from notesbase.db import db
from notesbase.models import Item, Role, Series
from notesbase.notes import items as item_service
from notesbase.search import backlog, checking, context, indexer
from tests.conftest import AuthActions, make_test_config
from tests.search.procs_support import build_world, item_fields


def _generation(root: Path) -> Path:
    return root / (root / "CURRENT").read_text(encoding="ascii").strip()


def truncate_segments(root: Path) -> None:
    segments = list(_generation(root).glob("*.seg"))
    assert segments
    for segment in segments:
        with segment.open("r+b") as handle:
            handle.truncate(segment.stat().st_size // 2)


def garble_toc(root: Path) -> None:
    tocs = list(_generation(root).glob("*.toc"))
    assert tocs
    for toc in tocs:
        toc.write_bytes(b"\x00garbage\xff" * 64)


def delete_current(root: Path) -> None:
    (root / "CURRENT").unlink()


def delete_everything(root: Path) -> None:
    shutil.rmtree(root)


# Whoosh opens a damaged TOC or segment file and raises without closing it;
# the handle is reaped by the garbage collector (the damaged generation is
# deleted by the rebuild). Only that warning is let through, only here.
WHOOSH_LEAKS_ON_DAMAGE = pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")

DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated segments": truncate_segments,
    "garbled TOC": garble_toc,
    "no CURRENT file": delete_current,
    "no index folder": delete_everything,
}


@pytest.fixture
def restarted_apps() -> Iterator[list[Flask]]:
    """Apps a test starts on the same instance folder; their database
    connections are closed afterwards."""
    apps: list[Flask] = []
    yield apps
    for started in apps:
        with started.app_context():
            db.engine.dispose()


def damaged(
    app: Flask, tmp_path: Path, make_member, restarted_apps, damage: str, **config
) -> Flask:
    """Notes, a member of their series and an index in step; then the index
    is damaged and the app restarted (a new process would start afresh: it
    has nothing of the damaged index open)."""
    world = build_world(app)
    with app.app_context():
        series = db.session.get(Series, world.series["cop"])
    make_member("reader@example.org", series=[series])
    indexer.apply(app)
    assert checking.check(app).ok
    root = indexer.engine_for(app).root
    app.extensions.pop(context.EXTENSION)  # this process forgets the old index
    DAMAGE[damage](root)
    restarted = create_app(make_test_config(tmp_path, app.config["DATABASE_URL"], **config))
    restarted_apps.append(restarted)
    return restarted


@WHOOSH_LEAKS_ON_DAMAGE
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_index_is_rebuilt_before_the_next_search(
    app, tmp_path, make_member, restarted_apps, damage
):
    """The next search rebuilds it (a small database: at once) and answers
    as a sound index would."""
    restarted = damaged(app, tmp_path, make_member, restarted_apps, damage)
    client = restarted.test_client()
    assert AuthActions(client).login("reader@example.org").status_code == 302
    response = client.get("/search?q=spending")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    # The item, and the public write-up that carries it.
    assert "2 results" in page
    assert "<mark>spending</mark>" in page
    answer = client.get("/api/v1/search?q=spending")  # the API, as the public
    assert answer.status_code == 200
    assert [hit["type"] for hit in answer.get_json()["results"]] == ["writeup"]
    report = checking.check(restarted)
    assert report.ok and report.documents > 0
    gc.collect()  # reap what Whoosh left open, while its warning is let through


@WHOOSH_LEAKS_ON_DAMAGE
@pytest.mark.parametrize("damage", ["garbled TOC"])
def test_search_says_the_index_is_being_rebuilt(app, tmp_path, make_member, restarted_apps, damage):
    """While another process rebuilds (its lock held), the page and the API
    answer 503 with Retry-After and a message, never an empty result; once
    the rebuild is done (in the background, the database being "large"),
    search answers again."""
    restarted = damaged(
        app, tmp_path, make_member, restarted_apps, damage, SEARCH_SYNC_REBUILD_MAX_ITEMS=0
    )
    client = restarted.test_client()
    engine = indexer.engine_for(restarted)
    with engine.rebuild_lock() as mine:
        assert mine
        page = client.get("/search?q=spending")
        assert page.status_code == 503
        assert page.headers["Retry-After"].isdigit()
        text = page.get_data(as_text=True)
        assert "being rebuilt" in text
        assert "Nothing found" not in text and "search-hits" not in text
        api = client.get("/api/v1/search?q=spending")
        assert api.status_code == 503
        assert api.headers["Retry-After"].isdigit()
        body = api.get_json()
        assert "rebuilt" in body["error"]["message"] and "results" not in body
    deadline = time.monotonic() + 20
    while True:
        page = client.get("/search?q=spending")
        if page.status_code == 200 or time.monotonic() > deadline:
            break
        assert page.status_code == 503
        time.sleep(0.05)
    assert page.status_code == 200
    assert "1 result" in page.get_data(as_text=True)  # the public write-up
    while indexer.rebuilding(restarted):
        time.sleep(0.01)
    assert checking.check(restarted).ok
    gc.collect()


def test_a_search_catches_up_what_was_committed_but_not_applied(app, login_as, client):
    """A change whose commit did not reach the index (another process, apply
    switched off) is seen by the next search, which applies the outbox."""
    world = build_world(app)
    indexer.apply(app)
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    with app.app_context():
        item = db.session.get(Item, world.items[5])
        body = "Patients want a Zephyrine register of readers"
        item_service.update_item(item, item_fields(item, body=body), actor=None)
        db.session.commit()
    assert backlog.pending(app)
    assert not checking.check(app).ok
    login_as(Role.FACILITATOR)
    page = client.get("/search?q=zephyrine").get_data(as_text=True)
    assert "1 result" in page and "<mark>Zephyrine</mark>" in page
    assert not backlog.pending(app)
    assert checking.check(app).ok
