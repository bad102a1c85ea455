"""Invitations: an admin makes a single-use, expiring link (stored only as a
hash); the invitee sets a name and password and is logged in; used, expired,
revoked and unknown links all get the same 404 page."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from notesbase.auth import invites
from notesbase.auth.views import INVITE_UNUSABLE
from notesbase.db import db
from notesbase.models import Invite, LoginSession, Member, Role, utcnow
from tests.conftest import csrf_token_from, post_form

LINK = re.compile(r'value="(http://localhost/invite/([A-Za-z0-9_-]+))"')
NEW_PASSWORD = "a long and memorable passphrase"


def invite_through_admin(client, email="new@example.org", role="facilitator", series_ids=()):
    """Post the admin's invite form; return (response, link, token)."""
    response = post_form(
        client, "/admin/invites", {"email": email, "role": role, "series": list(series_ids)}
    )
    match = LINK.search(response.get_data(as_text=True))
    return response, (match.group(1) if match else None), (match.group(2) if match else None)


def accept(client, token, name="New Person", password=NEW_PASSWORD, confirm=None):
    return post_form(
        client,
        f"/invite/{token}",
        {
            "display_name": name,
            "new_password": password,
            "confirm_password": password if confirm is None else confirm,
        },
    )


def make_invite(app, email="new@example.org", **fields):
    """An invitation made through the service; returns its token."""
    with app.app_context():
        invite, token, _ = invites.create_invite(email=email, role=Role.MEMBER)
        for name, value in fields.items():
            setattr(invite, name, value)
        db.session.commit()
        return token


def test_admin_gets_the_link_once_and_only_its_hash_is_stored(app, client, login_as, make_series):
    """The link is shown on creation; the database keeps only its SHA-256."""
    series = make_series("cop", "Community of Practice")
    login_as(Role.ADMIN)
    response, link, token = invite_through_admin(client, series_ids=[series.id])
    assert response.status_code == 200
    assert link is not None
    with app.app_context():
        invite = db.session.scalar(sa.select(Invite))
        assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert invite.email == "new@example.org"
        assert invite.role is Role.FACILITATOR
        assert [s.slug for s in invite.series] == ["cop"]
        assert invite.expires_at - invite.created_at == app.config["INVITE_LIFETIME"]
    listing = client.get("/admin/invites").get_data(as_text=True)
    assert token not in listing
    assert "new@example.org" in listing and "Pending" in listing


def test_invitee_sets_name_and_password_and_is_logged_in(app, client, login_as, make_series):
    """Accepting creates the account with the invited role and series, logged in."""
    series = make_series("cop", "Community of Practice")
    login_as(Role.ADMIN)
    _, link, token = invite_through_admin(client, series_ids=[series.id])
    invitee = app.test_client()
    page = invitee.get(link)
    assert page.status_code == 200
    assert "new@example.org" in page.get_data(as_text=True)
    response = accept(invitee, token)
    assert response.status_code == 302
    assert "New Person" in invitee.get("/account").get_data(as_text=True)
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == "new@example.org"))
        assert member.role is Role.FACILITATOR
        assert [s.slug for s in member.series] == ["cop"]
        invite = db.session.scalar(sa.select(Invite))
        assert invite.accepted_at is not None and invite.member_id == member.id
        assert db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.member_id == member.id)
        )
    fresh = app.test_client()
    login = post_form(fresh, "/login", {"email": "new@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_link_works_only_once(app, client):
    """A used link gets the 404 page, and no second account is made."""
    token = make_invite(app)
    assert accept(client, token).status_code == 302
    other = app.test_client()
    response = other.get(f"/invite/{token}")
    assert response.status_code == 404
    assert INVITE_UNUSABLE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1


@pytest.mark.parametrize("condition", ["expired", "revoked", "accepted", "unknown"])
def test_unusable_links_all_get_the_same_page(app, client, condition):
    """Expired, revoked, used and unknown tokens: same 404 and same message, GET and POST."""
    now = utcnow()
    fields = {
        "expired": {"expires_at": now - timedelta(seconds=1)},
        "revoked": {"revoked_at": now},
        "accepted": {"accepted_at": now},
        "unknown": {},
    }[condition]
    token = make_invite(app, **fields)
    if condition == "unknown":
        token = token[:-4] + "abcd"
    response = client.get(f"/invite/{token}")
    assert response.status_code == 404
    assert INVITE_UNUSABLE in response.get_data(as_text=True)
    token_value = csrf_token_from(client.get("/login").get_data(as_text=True))
    posted = client.post(
        f"/invite/{token}",
        data={
            "csrf_token": token_value,
            "display_name": "Sneaky",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert posted.status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_bad_name_or_password_keeps_the_invite_pending(app, client):
    """Mismatched or short passwords and blank names are refused; the link still works."""
    token = make_invite(app)
    cases = [
        {"password": NEW_PASSWORD, "confirm": "something else entirely"},
        {"password": "short", "confirm": None},
        {"name": "   "},
    ]
    for case in cases:
        response = accept(client, token, **case)
        assert response.status_code == 400
        assert 'class="error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0
        assert invites.invite_state(db.session.scalar(sa.select(Invite))).value == "pending"
    assert accept(client, token).status_code == 302


def test_invite_for_an_existing_account_is_refused_beside_the_field(
    app, client, login_as, make_member
):
    """Inviting an email that has an account says so beside the email field."""
    make_member("taken@example.org")
    login_as(Role.ADMIN)
    response, link, _ = invite_through_admin(client, email="Taken@Example.org")
    assert response.status_code == 400
    assert link is None
    body = response.get_data(as_text=True)
    assert 'id="email-error"' in body
    assert "There is already an account for taken@example.org." in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0


def test_invalid_email_or_role_or_series_is_refused(app, client, login_as):
    """A malformed email, an unknown role or a series that does not exist: 400, no invite."""
    login_as(Role.ADMIN)
    for data in (
        {"email": "not-an-email", "role": "member"},
        {"email": "a@example.org", "role": "owner"},
        {"email": "a@example.org", "role": "member", "series": ["999"]},
        {"email": "a@example.org", "role": "member", "series": ["abc"]},
    ):
        response = post_form(client, "/admin/invites", data)
        assert response.status_code == 400, data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0


def test_account_made_meanwhile_wins_over_the_invite(app, client, make_member):
    """If the email got an account after the invite, accepting says so and writes nothing."""
    token = make_invite(app)
    make_member("new@example.org")
    response = accept(client, token)
    assert response.status_code == 409
    assert "already an account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Invite.accepted_at)) is None


def test_admin_revokes_a_pending_invite(app, client, login_as):
    """A revoked link stops working and the list shows it as revoked."""
    login_as(Role.ADMIN)
    _, _, token = invite_through_admin(client)
    with app.app_context():
        invite_id = db.session.scalar(sa.select(Invite.id))
    response = post_form(client, f"/admin/invites/{invite_id}/revoke", {}, page="/admin/invites")
    assert response.status_code == 302
    assert "Revoked" in client.get("/admin/invites").get_data(as_text=True)
    assert app.test_client().get(f"/invite/{token}").status_code == 404


def test_new_invite_withdraws_the_earlier_pending_one(app, client, login_as):
    """Inviting the same email again leaves only the newest link working."""
    login_as(Role.ADMIN)
    _, _, first = invite_through_admin(client)
    response, _, second = invite_through_admin(client)
    assert "earlier pending invitation" in response.get_data(as_text=True)
    browser = app.test_client()
    assert browser.get(f"/invite/{first}").status_code == 404
    assert browser.get(f"/invite/{second}").status_code == 200


def test_invite_list_shows_every_state(app, client, login_as):
    """Pending, accepted, expired and revoked invitations are labelled as such."""
    now = utcnow()
    make_invite(app, "p@example.org")
    make_invite(app, "a@example.org", accepted_at=now)
    make_invite(app, "e@example.org", expires_at=now - timedelta(minutes=1))
    make_invite(app, "r@example.org", revoked_at=now)
    login_as(Role.ADMIN)
    body = client.get("/admin/invites").get_data(as_text=True)
    for state in ("pending", "accepted", "expired", "revoked"):
        assert f'class="badge badge-{state}"' in body
    assert body.count("/revoke") == 1
