"""Applying the outbox never fails for its size or shape, and a search never
fails because applying it did: a thousand people changed at once are
applied in bounded queries on both engines, a row whose work fails every
time is set aside without blocking the rows behind it, and ``/healthz`` and
``notesbase index check`` show the queue."""

from __future__ import annotations

import logging
from itertools import product
from string import ascii_lowercase
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from notesbase.db import db
from notesbase.models import IndexOutbox, Item, Person, Role
from notesbase.notes import items as item_service
from notesbase.search import backlog, changes, checking, indexer
from notesbase.search.documents import Builder
from tests.search.procs_support import build_world, item_fields

PEOPLE = 1000


@pytest.fixture
def app_config() -> dict[str, Any]:
    # Rows wait in the outbox until something applies them, as when the
    # index worker is down or a bulk change lands; retries are due at once.
    return {
        "SEARCH_APPLY_ON_COMMIT": False,
        "SEARCH_OUTBOX_RETRY_SECONDS": 0,
        "SEARCH_OUTBOX_MAX_ATTEMPTS": 6,
    }


def surnames(count: int) -> list[str]:
    """``count`` distinct made-up surnames, letters only."""
    made = ("".join(letters) for letters in product(ascii_lowercase, repeat=3))
    return [f"Q{letters}worth" for letters in list(made)[:count]]


def add_item(app: Flask, meeting_id: int, body: str) -> int:
    from notesbase.disclosure import Confidentiality, Kind
    from notesbase.models import Meeting

    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        item = item_service.create_item(
            meeting,
            item_service.ItemFields(Kind.POINT, body, "Discussion", None, Confidentiality.OPEN),
            actor=None,
        )
        db.session.commit()
        return item.id


def stale_keys(app: Flask) -> set[str]:
    """Keys of documents whose text is not what the database makes now."""
    report = checking.check(app)
    return {doc_id.rsplit(":", 1)[0] for doc_id in [*report.stale, *report.missing]}


def search_answers(client: FlaskClient, query: str) -> None:
    page = client.get("/search", query_string={"q": query})
    assert page.status_code == 200, page.text[:500]
    api = client.get("/api/v1/search", query_string={"q": query})
    assert api.status_code == 200, api.text[:500]


def outbox_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and "outbox" in r.getMessage()
    ]


def test_a_thousand_people_added_in_one_transaction_are_applied(
    app: Flask, client: FlaskClient, login_as: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A thousand new people in one commit (one of them named in an item
    indexed before they existed) are applied by the next search, which
    answers 200; the item's documents no longer carry the withheld name."""
    world = build_world(app)
    names = surnames(PEOPLE)
    item_id = add_item(app, world.meetings["first"], f"Ada {names[-1]} spoke on ledgers.")
    indexer.apply(app)
    with app.app_context():
        db.session.add_all(Person(name=f"Ada {surname}") for surname in names)
        db.session.commit()
        pending_rows = db.session.scalar(sa.select(sa.func.count(IndexOutbox.id)))
    assert pending_rows >= PEOPLE
    assert backlog.pending(app)
    assert f"item:{item_id}" in stale_keys(app)  # the name is withheld now
    login_as(role=Role.MEMBER)
    search_answers(client, "ledgers")
    assert not backlog.pending(app)
    assert stale_keys(app) == set()
    assert backlog.backlog(app).pending == 0
    assert outbox_errors(caplog) == []


def test_a_thousand_people_renamed_in_one_flush_are_applied(
    app: Flask, client: FlaskClient, login_as: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Renaming a thousand people in one flush finds the items naming their
    old names (thousands of terms, bounded queries), and the next search
    re-indexes them: no document keeps an old name."""
    world = build_world(app)
    names = surnames(PEOPLE)
    with app.app_context():
        db.session.add_all(Person(name=f"Ada {surname}") for surname in names)
        db.session.commit()
    item_id = add_item(app, world.meetings["second"], f"Ada {names[5]} and ledgers.")
    indexer.apply(app)
    with app.app_context():
        for person in db.session.scalars(sa.select(Person).where(Person.name.like("Ada Q%"))):
            person.name = person.name.replace("Ada ", "Bea ")
        db.session.commit()
    assert f"item:{item_id}" in stale_keys(app)
    login_as(role=Role.MEMBER)
    search_answers(client, "ledgers")
    assert not backlog.pending(app)
    assert stale_keys(app) == set()
    assert outbox_errors(caplog) == []


class Breaker:
    """Makes building one item's documents fail, except while ``paused``
    (comparing the index with the database builds them too)."""

    def __init__(self, item_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
        self.item_id = item_id
        self.on = True
        real = Builder.item_documents

        def item_documents(builder: Builder, meeting: Any, items: Any) -> Any:
            if self.on and any(item.id == item_id for item in items):
                raise RuntimeError(f"cannot build item {item_id}")
            return real(builder, meeting, items)

        monkeypatch.setattr(Builder, "item_documents", item_documents)

    def stale_keys(self, app: Flask) -> set[str]:
        self.on = False
        try:
            return stale_keys(app)
        finally:
            self.on = True


def edit(app: Flask, item_id: int, body: str) -> None:
    with app.app_context():
        item = db.session.get(Item, item_id)
        item_service.update_item(item, item_fields(item, body=body), actor=None)
        db.session.commit()


def test_a_row_that_always_fails_is_set_aside_and_the_rows_behind_it_are_applied(
    app: Flask,
    client: FlaskClient,
    runner: Any,
    login_as: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An item whose documents cannot be built fails every attempt: its row
    is retried, then set aside; the edit committed after it is applied at
    once; searches answer 200 all along; the failure is logged once with the
    row's id; ``index check`` and ``/healthz`` report it, and
    ``index apply --retry-poisoned`` applies it once the cause is gone."""
    world = build_world(app)
    indexer.apply(app)
    bad, good = world.items[0], world.items[5]
    breaker = Breaker(bad, monkeypatch)
    edit(app, bad, "Councils should publish spending data daily")
    edit(app, good, "Patients want to see who opens their records")
    with app.app_context():
        bad_row = db.session.scalar(
            sa.select(sa.func.max(IndexOutbox.id)).where(
                IndexOutbox.target == "item", IndexOutbox.target_id == bad
            )
        )
    indexer.apply(app)
    assert f"item:{good}" not in breaker.stale_keys(app)
    assert backlog.backlog(app).failing == {bad_row: f"RuntimeError: cannot build item {bad}"}
    login_as(role=Role.FACILITATOR)
    search_answers(client, "records")
    for _ in range(6):
        if backlog.backlog(app).poisoned:
            break
        indexer.apply(app)
        search_answers(client, "spending")
    waiting = backlog.backlog(app)
    assert waiting.failing == {} and set(waiting.poisoned) == {bad_row}
    assert f"item:{bad}" in breaker.stale_keys(app)
    logged = [m for m in outbox_errors(caplog) if "could not apply" in m]
    assert len(logged) == 1 and str(bad_row) in logged[0]
    assert any("set aside" in m and str(bad_row) in m for m in outbox_errors(caplog))

    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["outbox"]["poisoned"] == 1
    breaker.on = False  # the check builds every document to compare
    checked = runner.invoke(args=["index", "check"])
    breaker.on = True
    assert checked.exit_code == 1
    assert f"set aside: outbox row {bad_row}: RuntimeError" in checked.output
    assert "--retry-poisoned" in checked.output

    monkeypatch.undo()
    retried = runner.invoke(args=["index", "apply", "--retry-poisoned"])
    assert retried.exit_code == 0, retried.output
    assert "Trying 1 rows set aside again." in retried.output
    assert stale_keys(app) == set()
    assert runner.invoke(args=["index", "check"]).exit_code == 0
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_a_failure_that_is_not_the_rows_leaves_them_pending(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the index cannot be written at all, no row is blamed: every row
    stays pending, none is counted as failing."""
    world = build_world(app)
    indexer.apply(app)
    edit(app, world.items[0], "Councils should publish spending data daily")
    engine = indexer.engine_for(app)

    def full_disk(*_args: Any, **_kwargs: Any) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine, "write", full_disk)
    with pytest.raises(OSError):
        indexer.apply(app)
    waiting = backlog.backlog(app)
    assert waiting.pending >= 1 and waiting.failing == {} and waiting.poisoned == {}
    monkeypatch.undo()
    assert indexer.apply(app) >= 1
    assert stale_keys(app) == set()


def test_a_search_answers_when_reading_the_outbox_fails(
    app: Flask, client: FlaskClient, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong applying or reading the outbox, searches by the
    page and the API answer 200 from the index as it is."""
    world = build_world(app)
    indexer.apply(app)
    edit(app, world.items[5], "Patients want to see who opens their records")

    def too_large(*_args: Any, **_kwargs: Any) -> Any:
        raise sa.exc.OperationalError("SELECT ...", {}, Exception("Expression tree is too large"))

    monkeypatch.setattr(changes, "expand", too_large)
    login_as(role=Role.MEMBER)
    search_answers(client, "records")
    search_answers(client, "councils")
    waiting = backlog.backlog(app)
    assert {*waiting.failing, *waiting.poisoned} and waiting.pending >= 1


def test_healthz_reports_the_database_the_index_and_the_outbox(
    app: Flask, client: FlaskClient
) -> None:
    """``/healthz`` answers JSON without a login: all well, then a backlog
    with the oldest row's age."""
    world = build_world(app)
    indexer.apply(app)
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    health = answer.get_json()
    assert health["status"] == "ok"
    assert health["database"] == {"reachable": True}
    assert health["index"]["readable"] is True
    assert health["index"]["generation"].startswith("gen-")
    assert health["outbox"] == {
        "backlog": 0,
        "oldest_pending_seconds": None,
        "failing": 0,
        "poisoned": 0,
    }
    edit(app, world.items[0], "Councils should publish spending data daily")
    outbox = client.get("/healthz").get_json()["outbox"]
    assert outbox["backlog"] == 1
    assert 0 <= outbox["oldest_pending_seconds"] < 60


def test_healthz_says_down_with_503_when_the_database_does_not_answer(tmp_path: Any) -> None:
    """No database: 503, status "down", and still JSON."""
    from notesbase import create_app
    from tests.conftest import make_test_config

    missing = tmp_path / "no-such-folder" / "notes.db"
    app = create_app(make_test_config(tmp_path, f"sqlite:///{missing}"))
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    health = answer.get_json()
    assert health["status"] == "down" and health["database"] == {"reachable": False}
    assert health["outbox"] is None
