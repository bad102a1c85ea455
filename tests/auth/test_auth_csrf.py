"""Every account and admin form refuses a POST without its CSRF token (400),
and nothing changes."""

from __future__ import annotations

import sqlalchemy as sa

from notesbase.auth import invites
from notesbase.db import db
from notesbase.models import Invite, LoginSession, Member, Role
from tests.conftest import PASSWORD

CSRF_MESSAGE = "This form has expired or was not sent from this site."


def refused(response):
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def member_state(app, email):
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        return (
            member.display_name,
            member.password_hash,
            member.role,
            member.active,
            [s.id for s in member.series],
        )


def pending_invite(app, email="new@example.org"):
    with app.app_context():
        invite, token, _ = invites.create_invite(email=email, role=Role.MEMBER)
        db.session.commit()
        return invite.id, token


def test_login_without_token(app, client, make_member):
    """Login: 400 and no login session."""
    make_member("member@example.org")
    refused(client.post("/login", data={"email": "member@example.org", "password": PASSWORD}))
    assert count(app, LoginSession) == 0


def test_logout_without_token(client, login_as):
    """Logout: 400 and still logged in."""
    login_as(Role.MEMBER)
    refused(client.post("/logout"))
    assert client.get("/account").status_code == 200


def test_account_forms_without_token(app, client, login_as):
    """Display name and password change: 400 and the account unchanged."""
    member = login_as(Role.MEMBER)
    before = member_state(app, member.email)
    refused(client.post("/account/name", data={"display_name": "Changed"}))
    refused(
        client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "a new long passphrase",
                "confirm_password": "a new long passphrase",
            },
        )
    )
    assert member_state(app, member.email) == before


def test_accept_invite_without_token(app, client):
    """Accepting an invitation: 400, no account, the invitation still pending."""
    _, token = pending_invite(app)
    data = {
        "display_name": "New",
        "new_password": "a new long passphrase",
        "confirm_password": "a new long passphrase",
    }
    refused(client.post(f"/invite/{token}", data=data))
    assert count(app, Member) == 0
    assert client.get(f"/invite/{token}").status_code == 200


def test_admin_forms_without_token(app, client, make_member, make_series, login_as):
    """Invite, revoke, edit, deactivate and reactivate: each 400 and nothing changes."""
    series = make_series("cop", "Community of Practice")
    active = make_member("active@example.org")
    inactive = make_member("inactive@example.org", active=False)
    invite_id, _ = pending_invite(app)
    login_as(Role.ADMIN)
    before = (member_state(app, active.email), member_state(app, inactive.email))

    refused(client.post("/admin/invites", data={"email": "other@example.org", "role": "member"}))
    refused(client.post(f"/admin/invites/{invite_id}/revoke"))
    refused(
        client.post(
            f"/admin/members/{active.id}", data={"role": "admin", "series": [str(series.id)]}
        )
    )
    refused(client.post(f"/admin/members/{active.id}/deactivate"))
    refused(client.post(f"/admin/members/{inactive.id}/reactivate"))

    assert (member_state(app, active.email), member_state(app, inactive.email)) == before
    assert count(app, Invite) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(Invite.revoked_at)) is None
