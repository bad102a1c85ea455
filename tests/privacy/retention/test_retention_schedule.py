"""Setting a series' retention schedule: who may, on the page and in the
API, what bad input is told, that nothing is stored then, the audit, and
the series page's plain words."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import AuditEvent, Member, Role, Series
from notesbase.privacy.retention.schedule import ScheduleError, add_months, read_schedule
from tests.conftest import csrf_token_from, post_form

PAGE = "/series/cop/retention"
API = "/api/v1/series/cop/retention"


@pytest.fixture
def series(app: Flask, make_member: Any, make_series: Any) -> dict[str, Any]:
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Other")
    make_member("facilitator@example.org", role=Role.FACILITATOR)
    make_member("admin@example.org", role=Role.ADMIN)
    make_member("member@example.org", series=[cop])
    make_member("outsider@example.org", series=[other])
    return {"cop": cop.id}


def stored(app: Flask) -> tuple[Any, Any]:
    with app.app_context():
        found = db.session.scalars(sa.select(Series).where(Series.slug == "cop")).one()
        return found.retention_months, found.retention_action


def audits(app: Flask) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "series.retention")
            ).all()
        )


def token_for(app: Flask, email: str) -> str:
    with app.app_context():
        member = db.session.scalars(sa.select(Member).where(Member.email == email)).one()
        _row, secret = tokens.create_token(member, "test", actor=None)
        db.session.commit()
        return secret


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (None, 302),
        ("member@example.org", 403),
        ("outsider@example.org", 403),
        ("facilitator@example.org", 302),
        ("admin@example.org", 302),
    ],
)
def test_form_permissions(
    app: Flask, client: FlaskClient, auth: Any, series: Any, email: str | None, status: int
) -> None:
    """Only facilitators and admins set the schedule on the page."""
    if email:
        auth.login(email)
    data = {"keep": "months", "months": "24", "action": "anonymise"}
    if email in ("facilitator@example.org", "admin@example.org"):
        response = post_form(client, PAGE, data)
        assert response.status_code == status
        assert stored(app) == (24, "anonymise")
        assert audits(app) == 1
    else:
        token = csrf_token_from(
            client.get("/login" if email is None else "/").get_data(as_text=True)
        )
        response = client.post(PAGE, data={"csrf_token": token, **data})
        assert response.status_code == status
        assert stored(app) == (None, None)
        if email is None:
            assert "/login" in response.headers["Location"]


def test_form_needs_csrf(app: Flask, client: FlaskClient, auth: Any, series: Any) -> None:
    """A post without the form's token stores nothing."""
    auth.login("facilitator@example.org")
    response = client.post(PAGE, data={"keep": "months", "months": "24", "action": "anonymise"})
    assert response.status_code == 400
    assert stored(app) == (None, None)


@pytest.mark.parametrize(
    ("months", "action", "message"),
    [
        ("0", "anonymise", "from 1 to 600"),
        ("-1", "anonymise", "whole number"),
        ("601", "anonymise", "from 1 to 600"),
        ("24 months", "anonymise", "whole number"),
        ("２４", "anonymise", "whole number"),
        ("", "anonymise", "number of months"),
        ("24", "anonymize", "Choose what happens"),
        ("24", "purge_note", "Choose what happens"),
        ("24", "", "Choose what happens"),
    ],
)
def test_form_bad_input(
    app: Flask, client: FlaskClient, auth: Any, series: Any, months: str, action: str, message: str
) -> None:
    """Bad input is a 400 with the message beside the field; nothing stored."""
    auth.login("facilitator@example.org")
    response = post_form(client, PAGE, {"keep": "months", "months": months, "action": action})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(app) == (None, None)
    assert audits(app) == 0


def test_form_keep_until_changed(app: Flask, client: FlaskClient, auth: Any, series: Any) -> None:
    """Choosing "keep" clears the schedule, whatever else was typed."""
    auth.login("facilitator@example.org")
    post_form(client, PAGE, {"keep": "months", "months": "12", "action": "purge_notes"})
    post_form(client, PAGE, {"keep": "keep", "months": "7", "action": "nonsense"})
    assert stored(app) == (None, None)
    assert audits(app) == 2


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (None, 401),
        ("outsider@example.org", 403),
        ("member@example.org", 200),
        ("facilitator@example.org", 200),
        ("admin@example.org", 200),
    ],
)
def test_api_read(
    app: Flask, client: FlaskClient, series: Any, email: str | None, status: int
) -> None:
    """Members of the series, facilitators and admins read the schedule."""
    headers = {"Authorization": f"Bearer {token_for(app, email)}"} if email else {}
    response = client.get(API, headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.json["keep"] is True
        assert "kept until" in response.json["description"]


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (None, 401),
        ("member@example.org", 403),
        ("outsider@example.org", 403),
        ("facilitator@example.org", 200),
        ("admin@example.org", 200),
    ],
)
def test_api_write(
    app: Flask, client: FlaskClient, series: Any, email: str | None, status: int
) -> None:
    """Only facilitators and admins set the schedule through the API."""
    headers = {"Authorization": f"Bearer {token_for(app, email)}"} if email else {}
    response = client.put(API, json={"months": 24, "action": "purge_restricted"}, headers=headers)
    assert response.status_code == status
    expected = (24, "purge_restricted") if status == 200 else (None, None)
    assert stored(app) == expected
    preview = client.get(API + "/preview", headers=headers)
    assert preview.status_code == status


@pytest.mark.parametrize(
    "body",
    [
        {"months": 0, "action": "anonymise"},
        {"months": -1, "action": "anonymise"},
        {"months": 601, "action": "anonymise"},
        {"months": "24 months", "action": "anonymise"},
        {"months": 24.5, "action": "anonymise"},
        {"months": True, "action": "anonymise"},
        {"months": 24, "action": "anonymize"},
        {"months": 24},
        {"months": 24, "action": "anonymise", "extra": 1},
        {"keep": "yes"},
    ],
)
def test_api_bad_input(app: Flask, client: FlaskClient, series: Any, body: dict[str, Any]) -> None:
    """Bad input is a 400 with a message; nothing stored or audited."""
    headers = {"Authorization": f"Bearer {token_for(app, 'facilitator@example.org')}"}
    response = client.put(API, json=body, headers=headers)
    assert response.status_code == 400
    assert response.json and any(str(v) for v in response.json.values())
    assert stored(app) == (None, None)
    assert audits(app) == 0


def test_api_unknown_series(app: Flask, client: FlaskClient, series: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for(app, 'facilitator@example.org')}"}
    assert client.get("/api/v1/series/nope/retention", headers=headers).status_code == 404


def test_series_page_tells_members(app: Flask, client: FlaskClient, auth: Any, series: Any) -> None:
    """Members read the schedule in plain words; the public page does not change."""
    with app.app_context():
        db.session.execute(
            sa.update(Series).values(retention_months=24, retention_action="anonymise")
        )
        db.session.commit()
    public = client.get("/series/cop").get_data(as_text=True)
    assert "kept for 2 years" not in public
    auth.login("member@example.org")
    page = client.get("/series/cop").get_data(as_text=True)
    assert "kept for 2 years after it" in page and "anonymised" in page
    auth.logout()
    auth.login("outsider@example.org")
    assert "kept for 2 years" not in client.get("/series/cop").get_data(as_text=True)


def test_read_schedule_rules() -> None:
    """The one reader of what is asked for, used by the page and the API."""
    assert read_schedule(True, 5, "nonsense").keeps
    assert read_schedule(None, None, None).keeps
    assert read_schedule(False, "600", "purge_notes").months == 600
    for months in ("1e2", "0x10", " 12 ", "١٢"):
        if months.strip().isascii() and months.strip().isdigit():
            assert read_schedule(False, months, "anonymise").months == int(months)
        else:
            with pytest.raises(ScheduleError):
                read_schedule(False, months, "anonymise")


def test_calendar_months() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 15), 24) == date(2025, 12, 15)


def test_csrf_token_is_on_the_page(client: FlaskClient, auth: Any, series: Any) -> None:
    auth.login("facilitator@example.org")
    assert csrf_token_from(client.get(PAGE).get_data(as_text=True))
