"""Much work applied at once (``changes.many``: a retention run over a whole
series, a bulk change) is written as a rebuild writes it
(``Writer.write_many``): large segments and one commit, instead of a
small segment per commit merged again afterwards. It leaves what a rebuild
leaves, a purge written that way leaves no byte of what went, and a
failure leaves the index as it was and the rows waiting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.meetings import service as meetings
from notesbase.models import Item, Meeting
from notesbase.notes import items as item_service
from notesbase.search import backlog, changes, checking, indexer
from notesbase.search.writing import Writer
from tests.search.procs_support import (
    build_world,
    index_bytes,
    item_fields,
    meeting_fields,
    snapshot,
)

PLANTED = "Plantedquokkamerger"


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on every apply counts as much work; each write it makes
    is recorded ("many" or "one at a time")."""
    monkeypatch.setattr(changes, "MANY_ITEMS", 1)
    made: list[str] = []
    many, one = Writer.write_many, Writer.write

    def write_many(self: Writer, *args: Any, **kwargs: Any) -> bool:
        made.append("many")
        return many(self, *args, **kwargs)

    def write(self: Writer, *args: Any, **kwargs: Any) -> bool:
        made.append("one at a time")
        return one(self, *args, **kwargs)

    monkeypatch.setattr(Writer, "write_many", write_many)
    monkeypatch.setattr(Writer, "write", write)
    return made


def equals_a_rebuild(app: Flask) -> None:
    report = checking.check(app)
    assert report.ok, f"missing {report.missing}, extra {report.extra}, stale {report.stale}"
    written = snapshot(app)
    indexer.rebuild(app)
    assert written == snapshot(app)


def index_root(app: Flask) -> Path:
    return indexer.engine_for(app).root


def test_many_changes_written_at_once_leave_what_a_rebuild_leaves(
    app: Flask, writes: list[str]
) -> None:
    """Every item edited, one created, one deleted and a meeting retitled,
    applied together: one write of many, the same documents as a rebuild."""
    world = build_world(app)
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    with app.app_context():
        items = list(db.session.scalars(sa.select(Item).order_by(Item.id)))
        for item in items[1:]:
            fields = item_fields(item, body=f"{item.body}, said again in other words")
            item_service.update_item(item, fields, actor=None)
        item_service.delete_item(items[0], actor=None)
        first = db.session.get(Meeting, world.meetings["first"])
        assert first is not None
        meetings.update_meeting(first, meeting_fields(first, title="Open data, again"))
        second = db.session.get(Meeting, world.meetings["second"])
        item_service.create_item(
            second,
            item_service.ItemFields(Kind.POINT, "A new point on records", "Discussion"),
            actor=None,
        )
        db.session.commit()
    writes.clear()
    indexer.apply(app)
    assert writes == ["many"]
    assert not backlog.pending(app)
    equals_a_rebuild(app)


def test_a_purge_written_at_once_leaves_no_byte_of_what_went(app: Flask, writes: list[str]) -> None:
    world = build_world(app)
    with app.app_context():
        meeting = db.session.get(Meeting, world.meetings["second"])
        secret = item_service.create_item(
            meeting,
            item_service.ItemFields(
                Kind.POINT, f"The {PLANTED} is off", "", None, Confidentiality.CONFIDENTIAL
            ),
            actor=None,
        )
        db.session.commit()
        secret_id = secret.id
    indexer.apply(app)
    token = indexer.engine_for(app).analyse(PLANTED)[0].encode()
    assert token in index_bytes(index_root(app))
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    with app.app_context():
        item_service.purge_item(db.session.get(Item, secret_id), actor=None)
        for item in db.session.scalars(sa.select(Item).where(Item.id != secret_id)):
            fields = item_fields(item, body=f"{item.body} (checked)")
            item_service.update_item(item, fields, actor=None)
        db.session.commit()
        item_service.clear_freed_space()
    writes.clear()
    indexer.apply(app)
    assert writes == ["many"]
    assert token not in index_bytes(index_root(app))
    equals_a_rebuild(app)


def test_a_failed_write_of_many_leaves_the_index_as_it_was(
    app: Flask, writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills as the commit begins: the apply fails, the index reads
    as before, no segment written for it stays (what is left are the empty
    files of writers that wrote nothing, which Whoosh clears at the next
    commit), and the rows wait for the next apply, which writes them."""
    build_world(app)
    before = snapshot(app)
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    with app.app_context():
        for item in db.session.scalars(sa.select(Item)):
            fields = item_fields(item, body=f"{item.body} (checked)")
            item_service.update_item(item, fields, actor=None)
        db.session.commit()
    folder = indexer.engine_for(app).current_path()
    assert folder is not None
    files = {path.name for path in folder.iterdir()}

    def full_disk(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Writer, "_delete", full_disk)
    with pytest.raises(OSError, match="No space"):
        indexer.apply(app)
    assert snapshot(app) == before
    left = [path for path in folder.iterdir() if path.name not in files]
    token = indexer.engine_for(app).analyse("checked")[0].encode()
    assert not any(token in path.read_bytes() for path in left)
    assert backlog.pending(app)
    monkeypatch.undo()
    monkeypatch.setattr(changes, "MANY_ITEMS", 1)
    indexer.apply(app)
    assert not backlog.pending(app)
    assert not any(path.exists() for path in left)
    equals_a_rebuild(app)


def test_a_save_is_still_written_one_commit_at_a_time(app: Flask) -> None:
    """Below ``MANY_ITEMS`` (a save, a meeting), nothing changes."""
    world = build_world(app)
    with app.app_context():
        meeting_ids = set(world.meetings.values())
        session = db.session
        assert not changes.many(session, meeting_ids, set(world.items))
        assert changes.many(session, set(), set(range(changes.MANY_ITEMS)))
