"""The logs never hold a password, a token, an invitation link's secret or
the text of the notes, and user-supplied text in them is escaped: driven
through real flows while every record is captured at DEBUG on the root logger."""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from datetime import date
from urllib.parse import quote

import pytest

from notesbase import create_app, logs
from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import Item, Meeting, Role, Series
from notesbase.notes import items
from tests.conftest import PASSWORD, make_test_config, post_form

WRONG_PASSWORD = "Wrong-Horse-Qv7-Passphrase"
INVITEE_PASSWORD = "Invitee-Chosen-Passphrase-Kx2"
SECRET_SAVED = "The Zorblefax merger is off, said the minister"
SECRET_FAILED = "Quenthrop will resign before Easter"
# A name a visitor chooses: a forged log line and a terminal escape.
EVIL = "Eve\n2026-01-01 CRITICAL admin logged in\x1b[31m\u2028red"


@pytest.fixture
def app_config():
    """Server errors are answered by the app's 500 page, as in production,
    instead of being raised into the test."""
    return {"PROPAGATE_EXCEPTIONS": False}


@contextmanager
def items_refuse_updates(app):
    """A real database failure on saving an item (a trigger), removed afterwards."""
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_items BEFORE UPDATE ON items "
                "BEGIN SELECT RAISE(ABORT, 'items are read-only'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse_items() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'items are read-only'; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_items BEFORE UPDATE ON items "
                "FOR EACH ROW EXECUTE FUNCTION refuse_items()"
            )
    try:
        yield
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql(
                "DROP TRIGGER refuse_items"
                + ("" if connection.dialect.name == "sqlite" else " ON items")
            )
            if connection.dialect.name != "sqlite":
                connection.exec_driver_sql("DROP FUNCTION refuse_items()")


@contextmanager
def series_table_missing(app):
    """Every page that reads a series fails (500) until the table is back."""
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE series RENAME TO series_away")
    try:
        yield
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE series_away RENAME TO series")


def everything_logged(caplog) -> str:
    """Every captured record as a handler would write it, traceback included."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_flows_leave_no_secret_and_no_raw_control_character_in_the_logs(
    app, client, make_member, caplog
):
    """A failed login, an invitation made and accepted (by a name with a line
    break and an ANSI escape), an API token made and used to save an item with
    a secret sentence, and two server errors: the logs keep none of the
    secrets, and the visitor's text is escaped."""
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        series = Series(slug="cop", title="Community of Practice")
        meeting = Meeting(series=series, number=1, title="First", date=date(2025, 1, 15))
        db.session.add_all([series, meeting])
        db.session.flush()
        item_id = items.create_item(
            meeting, items.ItemFields(kind=Kind.POINT, body="An open point."), actor=None
        ).id
        db.session.commit()
    make_member("admin@example.org", role=Role.ADMIN)

    refused = post_form(
        client, "/login", {"email": "admin@example.org", "password": WRONG_PASSWORD}
    )
    assert refused.status_code == 401
    post_form(client, "/login", {"email": "admin@example.org", "password": PASSWORD})

    made = post_form(client, "/admin/invites", {"email": "eve@example.org", "role": "member"})
    invite_token = re.search(r"/invite/([A-Za-z0-9_-]{20,})", made.get_data(as_text=True)).group(1)
    invitee = app.test_client()
    accepted = post_form(
        invitee,
        f"/invite/{invite_token}",
        {
            "display_name": EVIL,
            "new_password": INVITEE_PASSWORD,
            "confirm_password": INVITEE_PASSWORD,
        },
    )
    assert accepted.status_code == 302

    page = post_form(client, "/account/tokens", {"name": "sync"}, page="/account")
    api_token = re.search(r"nb_[A-Za-z0-9_-]{20,}", page.get_data(as_text=True)).group(0)
    bearer = {"Authorization": f"Bearer {api_token}"}
    saved = client.patch(f"/api/v1/items/{item_id}", json={"body": SECRET_SAVED}, headers=bearer)
    assert saved.status_code == 200

    with items_refuse_updates(app):
        failed = client.patch(
            f"/api/v1/items/{item_id}", json={"body": SECRET_FAILED}, headers=bearer
        )
    assert failed.status_code == 500
    second_invite = post_form(
        client,
        "/admin/invites",
        {"email": "zed@example.org", "role": "member"},
        page="/admin/invites",
    )
    second_token = re.search(
        r"/invite/([A-Za-z0-9_-]{20,})", second_invite.get_data(as_text=True)
    ).group(1)
    with series_table_missing(app):
        broken = client.get("/series/" + quote(EVIL))
        broken_invite = invitee.get(f"/invite/{second_token}?from={quote(EVIL)}")
    assert broken.status_code == 500

    logged = everything_logged(caplog)
    for secret in (
        PASSWORD,
        WRONG_PASSWORD,
        INVITEE_PASSWORD,
        invite_token,
        second_token,
        api_token,
        api_token.removeprefix("nb_"),
        SECRET_SAVED,
        SECRET_FAILED,
        "Zorblefax",
        "Quenthrop",
    ):
        assert secret not in logged, secret
    # The item was saved, and the failure and the visitor's path were logged.
    with app.app_context():
        assert db.session.get(Item, item_id).body == SECRET_SAVED
    assert "unhandled API error on PATCH" in logged
    assert "Exception on /series/Eve\\n2026-01-01 CRITICAL" in logged
    assert "\\x1b[31m\\u2028red" in logged
    assert broken_invite.status_code == 500
    assert "/invite/[redacted]" in logged
    for raw in ("\x1b", "\u2028", "\nCRITICAL", "\n2026-01-01"):
        assert raw not in logged, repr(raw)
    forged = [line for line in logged.splitlines() if "CRITICAL admin logged in" in line]
    assert forged  # the name reached the logs, and only ever inside another line
    assert all("Eve\\n2026-01-01 CRITICAL admin logged in" in line for line in forged)


def test_escaping_is_installed_once_and_keeps_a_foreign_record_factory(tmp_path, monkeypatch):
    """Many apps in one process add nothing twice; a record factory another
    library installed keeps working, its records escaped too."""
    monkeypatch.setattr(logging, "_logRecordFactory", logging.getLogRecordFactory())
    made = []

    def foreign(*args, **kwargs):
        record = logging.LogRecord(*args, **kwargs)
        record.tagged = True
        made.append(record)
        return record

    logging.setLogRecordFactory(foreign)
    root_handlers = list(logging.getLogger().handlers)
    app_handlers = None
    for index in range(2):
        app = create_app(make_test_config(tmp_path / str(index), "sqlite://"))
        if app_handlers is None:
            factory = logging.getLogRecordFactory()
            app_handlers = list(app.logger.handlers)
        assert logging.getLogRecordFactory() is factory
        assert app.logger.handlers == app_handlers
    assert logging.getLogger().handlers == root_handlers
    assert factory is not foreign
    record = factory("x", logging.INFO, __file__, 1, "name %s", ("a\nb\x1b",), None)
    assert made and record.tagged
    assert record.getMessage() == "name a\\nb\\x1b"
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() == logging.WARNING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("line\r\nbreak", "line\\r\\nbreak"),
        ("tab\there", "tab\\there"),
        ("bell\x07 del\x7f csi\x9b", "bell\\x07 del\\x7f csi\\x9b"),
        ("bidi \u202eevil\u2066", "bidi \\u202eevil\\u2066"),
        ("plain é ü ✓", "plain é ü ✓"),
        (
            "see /invite/AbC_d-1?x=1 nb_abcdefghij Bearer xyz",
            "see /invite/[redacted]?x=1 nb_[redacted] Bearer [redacted]",
        ),
    ],
)
def test_clean(text, expected):
    """Control characters become escapes; other text is untouched; link and
    token secrets are redacted."""
    assert logs.clean(text) == expected
