"""The account page: what the member sees of themselves, their display name and
their password (a change ends every other login session)."""

from __future__ import annotations

import sqlalchemy as sa

from notesbase.auth.passwords import verify_password
from notesbase.db import db
from notesbase.models import Member, Role
from tests.conftest import PASSWORD, post_form


def clone(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def stored_member(app, email="member@example.org"):
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        db.session.expunge(member)
        return member


def change_password(client, new, *, current=PASSWORD, confirm=None):
    return post_form(
        client,
        "/account/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        page="/account",
    )


def test_account_needs_login(client):
    """Anonymous visitors are sent to log in."""
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_account_shows_name_email_role_and_series(client, make_series, login_as):
    """The page lists the member's name, email, role and series."""
    series = make_series("cop", "Community of Practice")
    login_as(Role.FACILITATOR, name="Ada Lovelace", series=[series])
    body = client.get("/account").get_data(as_text=True)
    for text in ("Ada Lovelace", "facilitator@example.org", "Facilitator", "Community of Practice"):
        assert text in body


def test_change_display_name(app, client, login_as):
    """A member renames themselves; spaces are tidied."""
    login_as(Role.MEMBER)
    response = post_form(
        client, "/account/name", {"display_name": "  Grace   Hopper "}, page="/account"
    )
    assert response.status_code == 302
    assert stored_member(app).display_name == "Grace Hopper"
    assert "Grace Hopper" in client.get("/account").get_data(as_text=True)


def test_blank_or_overlong_display_name_is_refused(app, client, login_as):
    """An empty or 121-character name is refused beside the field."""
    login_as(Role.MEMBER, name="Original")
    for bad in ("   ", "x" * 121):
        response = post_form(client, "/account/name", {"display_name": bad}, page="/account")
        assert response.status_code == 400
        assert 'id="display_name-error"' in response.get_data(as_text=True)
    assert stored_member(app).display_name == "Original"


def test_change_password_with_a_long_passphrase(app, client, login_as, auth):
    """A 240-character passphrase is accepted and logs in afterwards."""
    login_as(Role.MEMBER)
    passphrase = " ".join(["wandering lighthouse keeper"] * 9)[:240]
    assert len(passphrase) == 240
    assert change_password(client, passphrase).status_code == 302
    with app.app_context():
        assert verify_password(stored_member(app).password_hash, passphrase)
    auth.logout()
    assert auth.login("member@example.org", PASSWORD).status_code == 401
    assert auth.login("member@example.org", passphrase).status_code == 302


def test_password_change_needs_the_current_password(app, client, login_as):
    """A wrong current password is refused beside that field, nothing changes."""
    login_as(Role.MEMBER)
    before = stored_member(app).password_hash
    response = change_password(client, "a brand new passphrase", current="not it at all")
    assert response.status_code == 400
    assert "That is not your current password." in response.get_data(as_text=True)
    assert stored_member(app).password_hash == before


def test_new_password_length_and_confirmation_are_checked(app, client, login_as):
    """Too short, too long, or not confirmed: refused with a message, nothing changes."""
    login_as(Role.MEMBER)
    before = stored_member(app).password_hash
    low, high = app.config["PASSWORD_MIN_LENGTH"], app.config["PASSWORD_MAX_LENGTH"]
    cases = [
        ("x" * (low - 1), None, f"at least {low} characters"),
        ("x" * (high + 1), None, f"at most {high} characters"),
        ("a perfectly fine passphrase", "a different one", "not the same"),
    ]
    for new, confirm, message in cases:
        response = change_password(client, new, confirm=confirm)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert stored_member(app).password_hash == before


def test_password_change_ends_other_login_sessions(app, client, make_member, auth):
    """Other browsers' cookies stop working; this browser stays logged in."""
    make_member("member@example.org")
    other_browser = app.test_client()
    post_form(other_browser, "/login", {"email": "member@example.org", "password": PASSWORD})
    assert other_browser.get("/account").status_code == 200
    auth.login()
    copy_of_this = clone(app, client)
    assert change_password(client, "an entirely new passphrase").status_code == 302
    page = client.get("/account")
    assert page.status_code == 200
    assert "logged out on 1 other device" in page.get_data(as_text=True)
    assert other_browser.get("/account").status_code == 302
    assert copy_of_this.get("/account").status_code == 200  # the same login as this browser
