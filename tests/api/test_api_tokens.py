"""API tokens: made by `notesbase token create` or on the account page, shown
once, stored only as a hash; a revoked token or a deactivated member's token
is a 401."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import ApiToken, AuditEvent, Member, Role
from tests.api.api_support import build_world, error_of
from tests.conftest import csrf_token_from, post_form

MEETING = "/api/v1/series/cop/meetings/1"
TOKEN = re.compile(r"nb_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_cli_token_works_and_is_stored_hashed(app, client, runner, world):
    """`token create` prints a token that reads the notes as that member; the
    database keeps only its SHA-256, and notes when it was used."""
    result = runner.invoke(args=["token", "create", "Member@Example.org", "--name", "sync"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert TOKEN.fullmatch(token)
    response = client.get(MEETING, headers=bearer(token))
    assert response.status_code == 200
    assert "items" in response.get_json()
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "sync"))
        assert row.token_hash == tokens.token_hash(token)
        assert token not in row.token_hash
        assert row.last_used_at is not None
        stored = db.session.execute(sa.text("SELECT * FROM api_tokens")).all()
        assert all(token not in str(value) for r in stored for value in r)


def test_cli_list_and_revoke(app, client, runner, world):
    """`token list` shows the member's tokens; `token revoke` makes one a 401."""
    token = runner.invoke(args=["token", "create", "member@example.org"]).output.strip()
    with app.app_context():
        row_id = db.session.scalar(sa.select(sa.func.max(ApiToken.id)))
    listed = runner.invoke(args=["token", "list", "member@example.org"])
    assert listed.exit_code == 0
    assert f"{row_id}\t" in listed.output
    revoked = runner.invoke(args=["token", "revoke", str(row_id)])
    assert revoked.exit_code == 0
    assert "Revoked" in revoked.output
    error_of(client.get(MEETING, headers=bearer(token)), 401)
    assert "revoked" in runner.invoke(args=["token", "list", "member@example.org"]).output
    assert runner.invoke(args=["token", "revoke", str(row_id)]).exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["token", "create", "nobody@example.org"],
        ["token", "create", "member@example.org", "--name", "x" * 101],
        ["token", "list", "nobody@example.org"],
        ["token", "revoke", "9999"],
    ],
)
def test_cli_refusals(app, runner, world, args):
    """An unknown email or token id, or an over-long name, fails with a message
    and makes nothing."""
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(ApiToken.id)))
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "Error" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == before


def test_deactivated_members_token_is_401(app, client, world):
    """Deactivating the account makes its tokens worthless at once."""
    token = world.tokens["member"]
    assert client.get(MEETING, headers=bearer(token)).status_code == 200
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == "member@example.org"))
        member.active = False
        db.session.commit()
    error_of(client.get(MEETING, headers=bearer(token)), 401)
    error_of(client.get("/api/v1/series", headers=bearer(token)), 401)


@pytest.mark.parametrize("how", ["admin page", "command line"])
def test_deactivation_revokes_tokens_for_good(app, client, runner, world, auth, how):
    """Deactivate, then reactivate: the token stays a 401, recorded as revoked
    and audited; the member needs a new one, which works."""
    token = world.tokens["member"]
    assert client.get(MEETING, headers=bearer(token)).status_code == 200
    with app.app_context():
        member_id = db.session.scalar(
            sa.select(Member.id).where(Member.email == "member@example.org")
        )
    if how == "admin page":
        assert auth.login("admin@example.org").status_code == 302  # cookies: the API ignores them
        page = f"/admin/members/{member_id}"
        assert post_form(client, f"{page}/deactivate", {}, page=page).status_code == 302
        assert post_form(client, f"{page}/reactivate", {}, page=page).status_code == 302
    else:
        result = runner.invoke(args=["user", "deactivate", "member@example.org"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            db.session.get(Member, member_id).active = True
            db.session.commit()
    error_of(client.get(MEETING, headers=bearer(token)), 401)
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert member.active
        rows = db.session.scalars(sa.select(ApiToken).where(ApiToken.member_id == member_id))
        assert [row.revoked_at is not None for row in rows] == [True]
        revoked = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "token.revoke")
        ).all()
        assert [(e.target_id, e.details["reason"]) for e in revoked] == [
            (member_id, "account.deactivate")
        ]
        _row, fresh = tokens.create_token(member, actor=None)
        db.session.commit()
    assert client.get(MEETING, headers=bearer(fresh)).status_code == 200


def test_account_page_makes_and_revokes_tokens(app, client, login_as, make_series):
    """A member makes a token on the account page, sees it once, uses it,
    and revokes it there; both changes are audited."""
    series = make_series("cop", "Community of Practice")
    login_as(Role.MEMBER, series=[series])
    page = post_form(client, "/account/tokens", {"name": "my script"}, page="/account")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = TOKEN.search(html).group(0)
    assert "shown only now" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/series", headers=bearer(token)).status_code == 200
    account = client.get("/account").get_data(as_text=True)
    assert "my script" in account
    assert token not in account
    with app.app_context():
        row_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "my script"))
    revoked = post_form(client, f"/account/tokens/{row_id}/revoke", {}, page="/account")
    assert revoked.status_code == 302
    error_of(client.get("/api/v1/series", headers=bearer(token)), 401)
    assert "Revoked" in client.get("/account").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action.startswith("token."))
        ).all()
    assert sorted(actions) == ["token.create", "token.revoke"]


def test_account_token_forms_need_csrf_and_ownership(app, client, login_as, make_member):
    """Posting without the CSRF token is refused; nobody revokes another
    member's token; an over-long name is a 422 beside the field."""
    owner = make_member("owner@example.org")
    with app.app_context():
        row, token = tokens.create_token(db.session.get(Member, owner.id), "owned", actor=None)
        row_id = row.id
        db.session.commit()
    login_as(Role.MEMBER)
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
    html = client.get("/account").get_data(as_text=True)
    csrf = csrf_token_from(html)
    assert client.post(f"/account/tokens/{row_id}/revoke", data={}).status_code == 400
    other = client.post(f"/account/tokens/{row_id}/revoke", data={"csrf_token": csrf})
    assert other.status_code == 404
    assert client.get("/api/v1/series", headers=bearer(token)).status_code == 200
    long_name = client.post("/account/tokens", data={"csrf_token": csrf, "name": "x" * 101})
    assert long_name.status_code == 422
    assert 'id="name-error"' in long_name.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 1


def test_last_use_is_written_at_most_once_a_minute(app, client, world):
    """A busy token does not turn every read into a write."""
    headers = bearer(world.tokens["member"])
    client.get("/api/v1/series", headers=headers)
    with app.app_context():
        first = db.session.scalar(sa.select(ApiToken.last_used_at).where(ApiToken.name == "member"))
    client.get("/api/v1/series", headers=headers)
    with app.app_context():
        second = db.session.scalar(
            sa.select(ApiToken.last_used_at).where(ApiToken.name == "member")
        )
    assert first is not None
    assert second == first
