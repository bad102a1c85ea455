"""After an erasure no byte of the person is left: not in the database file,
its WAL or shared memory, the search index, the email outbox or the
instance folder, in any case or normal form."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Item, Member, Person
from notesbase.privacy.erasure.plan import Choice
from notesbase.privacy.erasure.service import erase
from tests.disclosure.builders_support import counting_renders
from tests.privacy.erasure.erasure_support import (
    TERMS,
    build_world,
    circulate,
    files_under,
    forms,
    index_forms,
    leftovers,
    settle_index,
)


@pytest.fixture
def app(sqlite_app):
    """This test reads SQLite's own files (the PostgreSQL scan is in
    test_erasure_postgres)."""
    return sqlite_app


def _erase(app, world, default=Choice.ANONYMISE, overrides=None):
    with app.app_context():
        person = db.session.get(Person, world.person)
        admin = db.session.scalar(sa.select(Member).where(Member.email == "admin@example.org"))
        return erase(person, default, overrides or None, actor=admin)


def test_no_byte_of_the_person_is_left_on_sqlite(
    app, make_member, make_series, tmp_path, monkeypatch
):
    """Database, WAL, index, outbox and kept renders hold the person before;
    nothing after."""
    counting_renders(monkeypatch)  # none of this process's renders from before
    world = build_world(app, make_member, make_series)
    circulate(app)
    index = settle_index(app)
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    needles = set().union(*(forms(t) for t in TERMS))
    index_needles = set().union(*(index_forms(app, t) for t in TERMS))
    outbox = Path(app.instance_path) / "outbox"
    assert leftovers(files_under(outbox), needles), "the outbox should carry her first"
    assert leftovers(files_under(index), index_needles), "the index should carry her first"
    database_files = [database, *database.parent.glob(database.name + "-*")]
    assert leftovers(database_files, needles)
    rendered = sorted(Path(app.instance_path).glob("renders.sqlite*"))  # its log too
    assert leftovers(rendered, needles), "the kept renders should carry her first"

    result = _erase(app, world, Choice.ANONYMISE, {world.items["zoe_removed"]: Choice.REMOVE})
    settle_index(app)

    assert result.outbox and not result.dry_run
    database_files = [database, *database.parent.glob(database.name + "-*")]
    assert leftovers(database_files, needles) == []
    assert leftovers(files_under(index), index_needles | needles) == []
    assert leftovers(files_under(Path(app.instance_path)), needles) == []
    with app.app_context():
        assert db.session.get(Person, world.person) is None
        assert db.session.get(Item, world.items["zoe_removed"]) is None
        kept = db.session.get(Item, world.items["zoe_kept"])
        assert kept is not None and kept.speaker_id is None
        assert "weekly" in kept.body
