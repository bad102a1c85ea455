"""The renders a page makes are kept for every process of the host
(``instance/renders.sqlite``, ``notesbase.renders``): another worker shows the
same page without rendering it again; a withdrawal shows at once; a purge
empties them; a context that read the notes before that keeps nothing; and
``RENDER_STORE = False`` keeps no file."""

from __future__ import annotations

import importlib
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase import renders
from notesbase.consent.grants import Scope, grant, withdraw_all
from notesbase.db import db
from notesbase.disclosure import Audience, Confidentiality, Kind, disclose
from notesbase.models import Item, Meeting, Person, Role, Series
from notesbase.notes.facts import load_notes
from notesbase.notes.items import ItemFields, create_item, purge_item
from notesbase.notes.people import PersonFields, create_person
from notesbase.search import background, indexer
from tests.disclosure.builders_support import counting_renders, store_bytes

disclose_module = importlib.import_module("notesbase.disclosure.disclose")

NOTES = "/series/cop/meetings/1/notes"
BODY = "Jane Doe said the Heronsgate pilot worked."


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Audience]]:
    """Each body rendered, with this process's own renders emptied."""
    return counting_renders(monkeypatch)


@pytest.fixture
def world(app, make_series) -> World:
    """Meeting 1 of 'cop' with an item naming Jane, named to members."""
    cop = make_series("cop", "Community of Practice")
    with app.app_context():
        meeting = Meeting(
            series=db.session.get(Series, cop.id), number=1, title="First", date=date(2025, 1, 15)
        )
        db.session.add(meeting)
        db.session.flush()
        jane = create_person(PersonFields("Jane Doe", "Heronsgate Council", ""), actor=None)
        grant(jane, "member", "named", Scope(), actor=None)
        create_item(
            meeting,
            ItemFields(Kind.POINT, BODY, "Opening", None, Confidentiality.OPEN),
            actor=None,
        )
        db.session.commit()
        return World(meeting.id, cop)


@dataclass
class World:
    meeting: int
    series: Any


def kept_rows(app) -> int:
    path = Path(app.instance_path) / "renders.sqlite"
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM bodies").fetchone()[0])


def read(client) -> str:
    response = client.get(NOTES)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_another_worker_shows_the_page_without_rendering_again(
    app, client, login_as, world, rendered
):
    login_as(Role.MEMBER, series=[world.series])
    # The index's work in the background writes renders too: a page that
    # finds the file busy keeps nothing (by design), so none may run now.
    assert background.wait_for_merges(timeout=10)
    first = read(client)
    assert "Jane Doe said" in first
    assert kept_rows(app) >= 1
    made = len(rendered)
    disclose_module._BODIES.clear()  # as another worker would start
    assert read(client) == first
    assert len(rendered) == made


def test_a_withdrawal_shows_at_once_with_renders_kept(app, client, login_as, world, rendered):
    login_as(Role.MEMBER, series=[world.series])
    assert "Jane Doe" in read(client)
    with app.app_context():
        jane = db.session.scalar(sa.select(Person).where(Person.name == "Jane Doe"))
        withdraw_all(jane, actor=None)
        db.session.commit()
    disclose_module._BODIES.clear()
    page = read(client)
    assert "Jane" not in page
    assert "Heronsgate" not in page


def test_purging_an_item_empties_the_kept_renders(app, client, login_as, world, rendered):
    """A purge leaves no copy of the text (as in the index's old segments)."""
    login_as(Role.FACILITATOR, series=[world.series])
    with app.app_context():
        item = db.session.scalar(sa.select(Item))
        item.confidentiality = Confidentiality.CONFIDENTIAL
        db.session.commit()
    assert client.get(NOTES + "/edit").status_code == 200
    path = Path(app.instance_path) / "renders.sqlite"
    assert b"pilot worked" in store_bytes(path)
    with app.app_context():
        purge_item(db.session.scalar(sa.select(Item)), actor=None)
        db.session.commit()
        indexer.apply(app)
    assert kept_rows(app) == 0
    assert b"pilot worked" not in store_bytes(path)


def test_a_context_that_read_the_notes_before_a_purge_keeps_nothing(app, world):
    with app.app_context():
        notes = load_notes(db.session.get(Meeting, world.meeting))  # read before the purge
        with app.app_context():
            renders.wipe(app)  # another process's purge, meanwhile
        disclose_module._BODIES.clear()
        disclose(notes, Audience.MEMBER)
    assert kept_rows(app) == 0
    with app.app_context():
        disclose_module._BODIES.clear()
        disclose(load_notes(db.session.get(Meeting, world.meeting)), Audience.MEMBER)
    assert kept_rows(app) == 1


@pytest.mark.parametrize("app_config", [{"RENDER_STORE": False}])
def test_renders_kept_in_no_file_when_turned_off(app, client, login_as, world):
    login_as(Role.MEMBER, series=[world.series])
    assert "Jane Doe said" in read(client)
    assert not (Path(app.instance_path) / "renders.sqlite").exists()
