"""Logging in and out: one message for every failure, safe redirects, fresh
login sessions, password rehashing, and cookies that die with the login."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from notesbase.auth.views import LOGIN_FAILED
from notesbase.db import db
from notesbase.models import LoginSession, Member, Role
from tests.conftest import PASSWORD, post_form


def clone(app, client, names=("session", "remember_token")):
    """A second browser holding copies of ``client``'s cookies."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def login_sessions(app, email):
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        rows = db.session.scalars(
            sa.select(LoginSession)
            .where(LoginSession.member_id == member.id)
            .order_by(LoginSession.id)
        ).all()
        return [(row.token_hash, row.revoked_at) for row in rows]


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        ("nobody@example.org", PASSWORD, True),
        ("member@example.org", "wrong password entirely", True),
        ("member@example.org", PASSWORD, False),
    ],
    ids=["unknown-email", "wrong-password", "deactivated"],
)
def test_every_failure_looks_the_same(client, make_member, auth, email, password, active):
    """Unknown email, wrong password and deactivated account: same message, same 401."""
    make_member("member@example.org", active=active)
    response = auth.login(email, password)
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert LOGIN_FAILED in body
    assert "deactivated" not in body.lower()
    assert b"Log out" not in client.get("/").data


def test_login_with_differently_written_email(client, make_member, auth):
    """The email is matched trimmed and case-insensitively."""
    make_member("member@example.org")
    response = auth.login("  Member@EXAMPLE.org ", PASSWORD)
    assert response.status_code == 302


def test_empty_form_is_a_400_with_messages(client):
    """A login form missing its fields is refused beside the fields, not as a failure."""
    response = post_form(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 400
    assert "Enter your email." in response.get_data(as_text=True)


def test_overlong_password_is_an_ordinary_failure(app, client, make_member, auth):
    """A password beyond PASSWORD_MAX_LENGTH fails like any wrong password."""
    make_member("member@example.org")
    too_long = "x" * (app.config["PASSWORD_MAX_LENGTH"] + 1)
    response = auth.login("member@example.org", too_long)
    assert response.status_code == 401
    assert LOGIN_FAILED in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(client, make_member, target):
    """``next`` pointing off the site is ignored: the login lands on the home page."""
    make_member("member@example.org")
    url = "/login?" + urlencode({"next": target})
    response = post_form(
        client,
        "/login",
        {"email": "member@example.org", "password": PASSWORD, "next": target},
        page=url,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_on_this_site_is_followed(client, make_member):
    """A local ``next`` path (as the login redirect sets it) is where login lands."""
    make_member("member@example.org")
    redirect = client.get("/account")
    assert redirect.status_code == 302
    login_page = redirect.headers["Location"]
    assert "next=%2Faccount" in login_page
    response = post_form(
        client,
        "/login",
        {"email": "member@example.org", "password": PASSWORD, "next": "/account"},
        page=login_page,
    )
    assert response.headers["Location"] == "/account"


def test_login_rotates_the_login_session(app, client, make_member, auth):
    """Each login gets a new token; the previous one of this browser is revoked."""
    make_member("member@example.org")
    auth.login()
    first_browser = clone(app, client)
    assert first_browser.get("/account").status_code == 200
    auth.login()
    rows = login_sessions(app, "member@example.org")
    assert len(rows) == 2
    assert rows[0][0] != rows[1][0]
    assert rows[0][1] is not None and rows[1][1] is None
    assert first_browser.get("/account").status_code == 302
    assert client.get("/account").status_code == 200


def test_cookie_from_before_login_gains_nothing(app, client, make_member, auth):
    """A cookie captured before login (session fixation) stays anonymous after it."""
    make_member("member@example.org")
    client.get("/login")
    before = clone(app, client)
    auth.login()
    assert client.get("/account").status_code == 200
    assert before.get("/account").status_code == 302


def test_login_records_last_login(app, client, make_member, auth):
    """A login sets the member's last login time."""
    make_member("member@example.org")
    auth.login()
    with app.app_context():
        member = db.session.scalar(sa.select(Member))
        assert member.last_login_at is not None


def test_old_password_hash_is_upgraded_on_login(app, client, make_member, auth):
    """A hash made with other Argon2 parameters is replaced at the next login."""
    make_member("member@example.org")
    old_hash = PasswordHasher(time_cost=2, memory_cost=128).hash(PASSWORD)
    with app.app_context():
        member = db.session.scalar(sa.select(Member))
        member.password_hash = old_hash
        db.session.commit()
    assert auth.login().status_code == 302
    with app.app_context():
        new_hash = db.session.scalar(sa.select(Member.password_hash))
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$")
    assert ",t=1," in new_hash and "m=64," in new_hash
    auth.logout()
    assert auth.login().status_code == 302


def test_logout_is_post_only(client, login_as):
    """GET /logout does not log out."""
    login_as(Role.MEMBER)
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_session_cookie_copied_before_logout_is_refused_after(app, client, login_as, auth):
    """Logout revokes the login session: a copied session cookie stops working."""
    login_as(Role.MEMBER)
    copy = clone(app, client, names=("session",))
    assert copy.get("/account").status_code == 200
    auth.logout()
    assert copy.get("/account").status_code == 302
    assert b"Log out" not in copy.get("/").data


def test_remember_cookie_copied_before_logout_is_refused_after(app, client, make_member, auth):
    """Logout also makes a copied remember-me cookie worthless."""
    make_member("member@example.org")
    assert auth.login(remember="y").status_code == 302
    assert client.get_cookie("remember_token") is not None
    remembered = clone(app, client, names=("remember_token",))
    assert remembered.get("/account").status_code == 200
    auth.logout()
    later = clone(app, remembered, names=("remember_token",))
    assert later.get("/account").status_code == 302
