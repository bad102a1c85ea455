"""Logging in tells a stranger nothing about which emails have accounts
(same status, same page, the same password-hashing work), and failed and
throttled logins are audited without what was typed."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from notesbase.audit import VISITOR
from notesbase.auth.service import THROTTLE_AUDIT_INTERVAL
from notesbase.db import db
from notesbase.models import AuditEvent, Role
from tests.admin.audit_support import audit_rows
from tests.conftest import PASSWORD, post_form

WRONG = "Not-The-Password-Zq8"
TYPED = "nobody-here@example.org"


@pytest.fixture
def app_config():
    return {"LOGIN_FAILURE_LIMIT_PER_EMAIL": "3 per minute"}


def failed_logins(app, action="account.login.failed"):
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [(e.actor_id, e.actor_label, e.target_id, e.details) for e in rows]


def test_unknown_email_looks_and_costs_like_a_wrong_password(app, make_member, monkeypatch):
    """Unknown email, wrong password and deactivated account: the same status,
    the same page once the typed email and CSRF token are set aside, and one
    Argon2 verification each."""
    make_member("member@example.org")
    make_member("gone@example.org", active=False)
    verified = []
    original = PasswordHasher.verify
    monkeypatch.setattr(
        PasswordHasher, "verify", lambda self, *args: verified.append(1) or original(self, *args)
    )
    pages = []
    for email, password in (
        (TYPED, WRONG),
        ("member@example.org", WRONG),
        ("gone@example.org", PASSWORD),
    ):
        verified.clear()
        response = post_form(app.test_client(), "/login", {"email": email, "password": password})
        assert response.status_code == 401
        assert len(verified) == 1, email
        body = response.get_data(as_text=True).replace(email, "EMAIL")
        pages.append(re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "CSRF", body))
    assert pages[0] == pages[1] == pages[2]


def test_failed_logins_are_audited_without_what_was_typed(app, make_member, login_as, client):
    """Each failure names the account it was for (or none) and why, as a
    visitor, never the typed email or password; the admin's audit page shows them."""
    member = make_member("member@example.org")
    gone = make_member("gone@example.org", active=False)
    for email, password in (
        (TYPED, WRONG),
        ("member@example.org", WRONG),
        ("gone@example.org", PASSWORD),
    ):
        response = post_form(app.test_client(), "/login", {"email": email, "password": password})
        assert response.status_code == 401
    found = failed_logins(app)
    assert [(actor, label, target) for actor, label, target, _ in found] == [
        (None, VISITOR, None),
        (None, VISITOR, member.id),
        (None, VISITOR, gone.id),
    ]
    assert [details["reason"] for *_, details in found] == [
        "unknown account",
        "wrong password",
        "deactivated account",
    ]
    stored = json.dumps(found)
    assert TYPED not in stored and WRONG not in stored and PASSWORD not in stored

    login_as(Role.ADMIN)
    page = client.get("/admin/audit?action=account.login.failed").get_data(as_text=True)
    rows = audit_rows(page)
    assert len(rows) == 3 and all("visitor (not logged in)" in row for row in rows)
    assert "Failed to sign in with an email that has no account" in rows[2]
    assert "Failed to sign in as Member (member@example.org): wrong password" in rows[1]
    assert "Failed to sign in as Gone (gone@example.org): deactivated account" in rows[0]
    assert TYPED not in page


def test_throttled_logins_are_audited_once_a_while(app, make_member):
    """Attempts turned away by the per-email throttle leave one event for the
    account per THROTTLE_AUDIT_INTERVAL, however many there are; a flood of
    attempts cannot fill the audit log."""
    member = make_member("member@example.org")
    client = app.test_client()
    statuses = [
        post_form(client, "/login", {"email": "member@example.org", "password": WRONG}).status_code
        for _ in range(8)
    ]
    assert statuses == [401] * 3 + [429] * 5
    throttled = failed_logins(app, "account.login.throttled")
    assert [(actor, label, target) for actor, label, target, _ in throttled] == [
        (None, VISITOR, member.id)
    ]
    assert throttled[0][3]["limit"] == "per email"
    assert len(failed_logins(app)) == 3  # turned-away attempts never reached the password check

    with app.app_context():  # once the interval has passed, the next one is recorded
        for event in db.session.scalars(sa.select(AuditEvent)):
            event.at -= THROTTLE_AUDIT_INTERVAL
        db.session.commit()
    again = post_form(client, "/login", {"email": "member@example.org", "password": WRONG})
    assert again.status_code == 429
    assert len(failed_logins(app, "account.login.throttled")) == 2
