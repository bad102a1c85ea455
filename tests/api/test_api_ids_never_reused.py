"""An id the API has handed out never names another row, even on SQLite
(AUTOINCREMENT): an item deleted and a new one made get different ids, so a
retried DELETE of the old id cannot remove the new one. Migration 0005 gives
an existing SQLite database the same guarantee and keeps its disclosure-stamp
triggers."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from notesbase import create_app, migrate
from notesbase.db import db
from notesbase.models import Item
from notesbase.models.stamp import current_token
from tests.api.api_support import build_world, error_of
from tests.conftest import make_test_config

ITEMS = "/api/v1/series/cop/meetings/1/items"


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


def post(client, world, url, body):
    return client.post(
        url, data=json.dumps(body), content_type="application/json", headers=world.headers("admin")
    )


def test_a_deleted_items_id_is_never_given_again(app, client, world):
    """Create (the newest id), delete, create: a new id; the old id's
    DELETE, sent again, is a 404 and the new item stays."""
    first = post(client, world, ITEMS, {"kind": "point", "body": "First"}).get_json()["id"]
    headers = world.headers("admin")
    assert client.delete(f"/api/v1/items/{first}", headers=headers).status_code == 204
    second = post(client, world, ITEMS, {"kind": "point", "body": "Second"}).get_json()["id"]
    assert second > first
    error_of(client.delete(f"/api/v1/items/{first}", headers=headers), 404)
    with app.app_context():
        assert db.session.get(Item, second).body == "Second"


def test_a_deleted_persons_and_grants_ids_are_never_given_again(app, client, world):
    person = post(client, world, "/api/v1/people", {"name": "Ann Abbott"}).get_json()["id"]
    grant_url = f"/api/v1/people/{person}/consent"
    body = {"audience": "public", "level": "named"}
    headers = world.headers("admin")
    grant = client.put(grant_url, json=body, headers=headers).get_json()["id"]
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM people WHERE id = :id"), {"id": person})
        db.session.commit()
    again = post(client, world, "/api/v1/people", {"name": "Bob Brown"}).get_json()["id"]
    assert again > person
    regrant = client.put(f"/api/v1/people/{again}/consent", json=body, headers=headers)
    assert regrant.get_json()["id"] > grant


def _sqlite_at(tmp_path, revision: str):
    app = create_app(make_test_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        migrate.upgrade(db.engine, revision)
    return app


def test_migration_0005_stops_id_reuse_and_keeps_rows_and_triggers(tmp_path):
    """A SQLite database made before 0005, with rows: after the upgrade the
    rows are there, a deleted newest id is not given again, and a consent
    change still moves the disclosure stamp; downgrading keeps the rows."""
    app = _sqlite_at(tmp_path, "0004")
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO people (id, name, affiliation, descriptor, created_at, updated_at)"
            " VALUES (1, 'Ann', '', '', '2025-01-01', '2025-01-01'),"
            " (2, 'Bob', '', '', '2025-01-01', '2025-01-01')"
        )
        connection.exec_driver_sql(
            "INSERT INTO consents (person_id, audience, level, note, granted_at)"
            " VALUES (1, 'public', 'named', '', '2025-01-01')"
        )
    with app.app_context():
        migrate.upgrade(db.engine, "head")
        with db.engine.begin() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM people").scalar() == 2
            assert connection.exec_driver_sql("SELECT count(*) FROM consents").scalar() == 1
            before = current_token(connection, "sqlite")
            assert before is not None  # every trigger is there
            connection.exec_driver_sql("DELETE FROM people WHERE id = 2")
            after = current_token(connection, "sqlite")
            assert after not in (None, before)
            connection.exec_driver_sql(
                "INSERT INTO people (name, affiliation, descriptor, created_at, updated_at)"
                " VALUES ('Cy', '', '', '2025-01-01', '2025-01-01')"
            )
            new_id = connection.exec_driver_sql("SELECT id FROM people WHERE name = 'Cy'").scalar()
            assert new_id == 3
            tables = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
            ).scalars()
            assert set(tables) >= {"items", "people", "consents", "meetings", "series", "members"}
        migrate.downgrade(db.engine, "0004")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM people").scalar() == 2
            assert current_token(connection, "sqlite") is not None
        db.engine.dispose()
