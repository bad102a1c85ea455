"""A write that cannot get the database in time answers 503 with Retry-After
and changes nothing; a lock held briefly is waited out; other database
faults stay 500. Runs on the suite's engine (SQLite, or PostgreSQL with
``NOTESBASE_TEST_DATABASE_URL``)."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.errors import DATABASE_BUSY
from notesbase.models import Base, Meeting, Member, Role
from tests.conftest import csrf_token_from
from tests.support.lock_support import write_lock

LOCK_TIMEOUT = 0.5
RETRY_AFTER = 7
EDITOR = "/series/cop/meetings/1/notes/edit"
API_ITEMS = "/api/v1/series/cop/meetings/1/items"
NOTE = "Budget talk PLANTEDNOTETEXT"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "SQLITE_BUSY_TIMEOUT": LOCK_TIMEOUT,
        "DATABASE_LOCK_TIMEOUT": LOCK_TIMEOUT,
        "DATABASE_RETRY_AFTER": RETRY_AFTER,
    }


@pytest.fixture
def writer(app, make_series, login_as) -> str:
    """Meeting 1 of series 'cop'; the client logged in as a facilitator; their API token."""
    cop = make_series("cop", "Community of Practice")
    member = login_as(Role.FACILITATOR)
    with app.app_context():
        db.session.add(Meeting(series_id=cop.id, number=1, title="First", date=date(2025, 1, 15)))
        _row, token = tokens.create_token(db.session.get(Member, member.id), actor=None)
        db.session.commit()
    return token


def state(app) -> dict[str, Any]:
    """Rows in every table, and every item's text: what "nothing changed" means."""
    with app.app_context():
        counts = {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
        bodies = db.session.scalars(sa.text("SELECT body FROM items ORDER BY id")).all()
        db.session.rollback()
    return {"counts": counts, "bodies": bodies}


def save_by_form(client, token: str) -> Any:
    return client.post(
        EDITOR,
        data={
            "csrf_token": token,
            "kind": "point",
            "speaker": "",
            "section": "",
            "confidentiality": "open",
            "body": NOTE,
            "after": "",
        },
    )


def save_by_api(client, token: str) -> Any:
    return client.post(
        API_ITEMS,
        json={"kind": "point", "body": NOTE},
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("channel", ["form", "api"])
def test_a_write_that_cannot_get_the_lock_is_503_and_changes_nothing(
    app, client, writer, caplog, channel
):
    """Locked past the timeout: 503 with Retry-After, nothing stored, logged once
    without the note's text; once the lock is gone the same write succeeds."""
    csrf = csrf_token_from(client.get(EDITOR).get_data(as_text=True))
    save = save_by_form if channel == "form" else save_by_api
    secret = csrf if channel == "form" else writer
    before = state(app)
    caplog.set_level(logging.INFO)
    with write_lock(app):
        response = save(client, secret)
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == str(RETRY_AFTER)
    if channel == "api":
        assert response.get_json()["error"] == {"status": 503, "message": DATABASE_BUSY}
    else:
        assert response.mimetype == "text/html"
        assert DATABASE_BUSY in response.get_data(as_text=True)
    assert state(app) == before
    busy = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(busy) == 1 and busy[0].levelno == logging.WARNING
    assert NOTE not in caplog.text and "PLANTED" not in caplog.text

    retried = save(client, secret)
    assert retried.status_code == (302 if channel == "form" else 201)
    assert state(app)["bodies"] == [*before["bodies"], NOTE]


@pytest.mark.parametrize("channel", ["form", "api"])
def test_a_lock_held_briefly_is_waited_out(app, client, writer, channel):
    """A writer that finds the database locked for less than the timeout waits
    and succeeds: on SQLite the write lock is taken when the request's
    transaction begins, not when it first writes (which cannot wait)."""
    csrf = csrf_token_from(client.get(EDITOR).get_data(as_text=True))
    save = save_by_form if channel == "form" else save_by_api
    with contextlib.ExitStack() as stack:
        stack.enter_context(write_lock(app))
        timer = threading.Timer(LOCK_TIMEOUT / 4, stack.close)
        timer.start()
        try:
            response = save(client, csrf if channel == "form" else writer)
        finally:
            timer.join()
    assert response.status_code == (302 if channel == "form" else 201), response.get_data(
        as_text=True
    )
    assert state(app)["bodies"][-1] == NOTE


@contextlib.contextmanager
def table_renamed(app, name: str) -> Iterator[None]:
    with app.app_context():
        db.session.execute(sa.text(f"ALTER TABLE {name} RENAME TO {name}_away"))
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.execute(sa.text(f"ALTER TABLE {name}_away RENAME TO {name}"))
            db.session.commit()


@pytest.mark.parametrize("channel", ["form", "api"])
def test_other_database_faults_stay_500(app, client, writer, caplog, channel):
    """A database error that is not "busy" (here a missing table) is a 500,
    without Retry-After, and its log holds the statement but not the note."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    csrf = csrf_token_from(client.get(EDITOR).get_data(as_text=True))
    with table_renamed(app, "item_revisions"):
        response = (save_by_form if channel == "form" else save_by_api)(
            client, csrf if channel == "form" else writer
        )
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "item_revisions" in caplog.text  # the fault is logged...
    assert NOTE not in caplog.text  # ...but not what was being saved
    assert NOTE not in state(app)["bodies"]
