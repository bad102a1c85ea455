"""A PostgreSQL connection killed (``pg_terminate_backend``) at the three
moments that matter, in one request, on the app as production runs it:

- after the answer is made, before the request's session is closed: the
  answer stands (it used to become a bare HTML "Internal Server Error");
- after a write's COMMIT, in a transaction the request began next: the
  write is answered as done (it used to be a 503 saying nothing was
  changed, though it was saved);
- while the COMMIT is on its way: a 503 saying the outcome is unknown,
  naming the Idempotency-Key to send again (or, with none, to check first),
  never "nothing was changed"; the retry with the key is done once.

PostgreSQL only: a SQLite connection cannot be killed from outside."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, has_request_context

from notesbase import create_app
from notesbase.api.unit_of_work import UNKNOWN_WITH_KEY, UNKNOWN_WITHOUT_KEY
from notesbase.auth import tokens
from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.errors import OUTCOME_UNKNOWN, SAVED_BUT_UNANSWERED
from notesbase.meetings import service
from notesbase.models import Base, IdempotencyKey, Item, Member, Role
from notesbase.notes import items
from notesbase.publishing.writeups.service import publish_writeup, save_writeup
from tests.conftest import csrf_token_from, make_test_config

pytestmark = pytest.mark.postgres

ITEMS = "/api/v1/series/cop/meetings/1/items"
EDITOR = "/series/cop/meetings/1/notes/edit"
NOTE = "Saved while the connection died"


@pytest.fixture
def app(postgres_database: sa.URL, tmp_path: Any) -> Iterator[Flask]:
    """The app on a PostgreSQL database of this test's own, handling errors
    as in production; a meeting with a published write-up."""
    url = postgres_database.render_as_string(hide_password=False)
    app = create_app(make_test_config(tmp_path, url, PROPAGATE_EXCEPTIONS=False))
    with app.app_context():
        Base.metadata.create_all(db.engine)
        series = service.create_series(service.SeriesFields("cop", "Community of Practice"))
        meeting = service.create_meeting(
            series, service.MeetingFields(number=1, title="First", date=date(2025, 1, 15))
        )
        item = items.create_item(
            meeting, items.ItemFields(Kind.POINT, "A note on data"), actor=None
        )
        save_writeup(meeting, "A summary.", [item.id], actor=None, expected_version=None)
        publish_writeup(meeting, actor=None)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def token(app: Flask, make_member: Any) -> str:
    member = make_member("facilitator@example.org", role=Role.FACILITATOR)
    with app.app_context():
        _row, token = tokens.create_token(db.session.get(Member, member.id), actor=None)
        db.session.commit()
    return token


class Killer:
    """Terminates a backend from a connection of its own, and waits until it is gone."""

    def __init__(self, app: Flask) -> None:
        self.engine = sa.create_engine(sa.make_url(app.config["DATABASE_URL"]))
        self.killed = 0

    def kill(self, dbapi_connection: Any) -> None:
        pid = dbapi_connection.info.backend_pid
        with self.engine.connect() as connection:
            done = connection.execute(
                sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}
            )
            assert done.scalar() is True
        self.killed += 1

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def killer(app: Flask) -> Iterator[Killer]:
    made = Killer(app)
    yield made
    made.close()


def bearer(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def kill_when_items_commit(app: Flask, killer: Killer, moment: str, model: Any = Item) -> None:
    """Kill a connection once a transaction adds or changes an item (a row of
    ``model``): its own,
    just before its COMMIT is sent (``moment`` "commit"), or that of the next
    transaction the request begins after that COMMIT ("after_commit")."""
    with app.app_context():
        engine, sessions = db.engine, db.sessionmaker
    adds_item: dict[int, bool] = {}

    def first_time() -> bool:
        return killer.killed == 0

    @sa.event.listens_for(sessions, "after_flush")
    def note(session: Any, _context: Any) -> None:
        if any(isinstance(obj, model) for obj in [*session.new, *session.dirty]):
            adds_item[id(session)] = True

    if moment == "commit":

        @sa.event.listens_for(engine, "commit")
        def before_commit(connection: sa.Connection) -> None:
            if any(adds_item.values()) and first_time():
                adds_item.clear()
                killer.kill(connection.connection.driver_connection)

    else:
        armed: list[bool] = []

        @sa.event.listens_for(sessions, "after_commit")
        def after_commit(session: Any) -> None:
            if adds_item.pop(id(session), False) and first_time():
                armed.append(True)

        @sa.event.listens_for(sessions, "after_begin")
        def next_transaction(session: Any, _transaction: Any, connection: sa.Connection) -> None:
            if armed and has_request_context():
                killer.kill(connection.connection.driver_connection)
            armed.clear()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/search?q=data", "/api/v1/series/cop/meetings/1", "/writeups.atom", "/series/cop"],
)
def test_a_connection_killed_after_the_answer_leaves_the_answer(app, client, killer, path):
    """The session still holds its read transaction when its connection dies:
    closing it cannot escape as a 500; the answer made is sent."""
    armed: list[bool] = []

    @app.after_request
    def kill_now(response: Any) -> Any:
        if armed:
            killer.kill(db.session.connection().connection.driver_connection)
        return response

    expected = client.get(path)
    assert expected.status_code == 200
    armed.append(True)
    response = client.get(path)
    assert killer.killed == 1
    assert response.status_code == 200
    assert response.mimetype == expected.mimetype
    assert response.get_data(as_text=True)[:80] == expected.get_data(as_text=True)[:80]
    assert client.get("/api/v1/series").status_code == 200  # the pool recovered


def test_a_connection_killed_right_after_commit_is_still_done(app, client, token, killer):
    """A change of an item is answered with the item as saved, not with a 503
    saying nothing was changed: the answer is made before the COMMIT, and
    nothing of the request reads the database after it."""
    with app.app_context():
        item_id = db.session.scalar(sa.select(Item.id))
    kill_when_items_commit(app, killer, "after_commit")
    url = f"/api/v1/items/{item_id}"
    response = client.patch(url, json={"body": NOTE}, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["body"] == NOTE
    assert count(app, Item, Item.id == item_id, Item.body == NOTE) == 1
    created = client.post(ITEMS, json={"kind": "point", "body": "Later"}, headers=bearer(token))
    assert created.status_code == 201


def test_a_connection_killed_during_commit_is_an_unknown_outcome(app, client, token, killer):
    """503 naming the key, with Retry-After; the work and its key are both
    gone (they commit together); the retry with the key is done, once."""
    kill_when_items_commit(app, killer, "commit")
    body = {"kind": "point", "body": NOTE}
    response = client.post(ITEMS, json=body, headers=bearer(token, "try-1"))
    assert killer.killed == 1
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    error = response.get_json()["error"]
    assert error == {"status": 503, "message": UNKNOWN_WITH_KEY.format(key="try-1")}
    assert count(app, Item, Item.body == NOTE) == 0
    assert count(app, IdempotencyKey) == 0
    again = client.post(ITEMS, json=body, headers=bearer(token, "try-1"))
    assert again.status_code == 201 and killer.killed == 1
    replayed = client.post(ITEMS, json=body, headers=bearer(token, "try-1"))
    assert replayed.get_json() == again.get_json()
    assert count(app, Item, Item.body == NOTE) == 1


def test_without_a_key_the_unknown_outcome_says_to_check_first(app, client, token, killer):
    kill_when_items_commit(app, killer, "commit")
    response = client.post(ITEMS, json={"kind": "point", "body": NOTE}, headers=bearer(token))
    assert response.status_code == 503
    assert response.get_json()["error"]["message"] == UNKNOWN_WITHOUT_KEY


def test_a_form_whose_commit_is_cut_says_the_outcome_is_unknown(app, client, login_as, killer):
    """The notes editor's page, too: 503 HTML saying to check before sending again."""
    login_as(Role.FACILITATOR)
    csrf = csrf_token_from(client.get(EDITOR).get_data(as_text=True))
    kill_when_items_commit(app, killer, "commit")
    form = {"csrf_token": csrf, "kind": "point", "body": NOTE, "confidentiality": "open"}
    response = client.post(EDITOR, data={**form, "speaker": "", "section": "", "after": ""})
    assert killer.killed == 1
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert OUTCOME_UNKNOWN in response.get_data(as_text=True)
    assert "nothing was changed" not in response.get_data(as_text=True)


def test_a_page_that_fails_after_its_commit_says_the_change_was_saved(
    app, client, login_as, make_member, killer
):
    """Deactivating a member commits, then the page reads the member again:
    that read's connection dies. 503 saying the change was saved (not that
    nothing was changed), and it was."""
    target = make_member("target@example.org")
    login_as(Role.ADMIN)
    page = f"/admin/members/{target.id}"
    csrf = csrf_token_from(client.get(page).get_data(as_text=True))
    kill_when_items_commit(app, killer, "after_commit", model=Member)
    response = client.post(f"{page}/deactivate", data={"csrf_token": csrf})
    assert killer.killed == 1
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert SAVED_BUT_UNANSWERED in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Member, target.id).active is False
