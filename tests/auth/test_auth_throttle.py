"""Repeated login failures are throttled per email, and all attempts per address."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import LoginSession, Member
from tests.conftest import PASSWORD

WRONG = "not the password at all"


@pytest.fixture
def app_config():
    return {
        "LOGIN_FAILURE_LIMIT_PER_EMAIL": "3 per minute",
        "LOGIN_RATE_LIMIT_PER_ADDRESS": "8 per minute",
    }


def stored_state(app):
    with app.app_context():
        member = db.session.scalar(sa.select(Member))
        sessions = db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession))
        return member.last_login_at, sessions


def test_failures_for_one_email_are_throttled(app, client, make_member, auth):
    """After the allowed failures, even the right password gets 429 and no login."""
    make_member("member@example.org")
    for _ in range(3):
        assert auth.login("member@example.org", WRONG).status_code == 401
    response = auth.login("member@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many login attempts" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert stored_state(app) == (None, 0)


def test_failures_count_per_normalised_email(client, make_member, auth):
    """Writing the email differently does not escape the per-email count."""
    make_member("member@example.org")
    for variant in ("member@example.org", "MEMBER@example.org", " Member@Example.Org "):
        assert auth.login(variant, WRONG).status_code == 401
    assert auth.login("member@EXAMPLE.org", PASSWORD).status_code == 429


def test_successes_do_not_count_towards_the_email_limit(client, make_member, auth):
    """Only failed attempts count against an email."""
    make_member("member@example.org")
    for _ in range(4):
        assert auth.login("member@example.org", PASSWORD).status_code == 302
        auth.logout()
    assert auth.login("member@example.org", WRONG).status_code == 401


def test_other_emails_are_not_throttled_by_one_email(client, make_member, auth):
    """Failures for one email leave another email's logins alone."""
    make_member("member@example.org")
    make_member("other@example.org")
    for _ in range(3):
        auth.login("member@example.org", WRONG)
    assert auth.login("other@example.org", PASSWORD).status_code == 302


def test_attempts_per_address_are_throttled(client, make_member, auth):
    """Every attempt from one address counts, whichever email it names."""
    make_member("member@example.org")
    for number in range(8):
        assert auth.login(f"someone{number}@example.org", WRONG).status_code == 401
    response = auth.login("member@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_viewing_the_login_page_is_not_throttled(client, make_member, auth):
    """Only POSTs are counted: the form itself stays reachable."""
    make_member("member@example.org")
    for _ in range(3):
        auth.login("member@example.org", WRONG)
    for _ in range(12):
        assert client.get("/login").status_code == 200
