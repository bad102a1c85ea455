"""The admin members pages: listing, roles, series membership, deactivation,
and who may see them at all."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Invite, Member, Role
from notesbase.models import utcnow as now
from tests.conftest import PASSWORD, csrf_token_from, post_form


def member_row(app, email):
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        return member.role, member.active, sorted(s.slug for s in member.series)


def logged_in_browser(app, email):
    """A separate browser logged in as ``email``."""
    browser = app.test_client()
    response = post_form(browser, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


# --- who may see the admin pages -------------------------------------------

ADMIN_PAGES = ["/admin/members", "/admin/members/{id}", "/admin/invites"]
ADMIN_ACTIONS = [
    "/admin/members/{id}",
    "/admin/members/{id}/deactivate",
    "/admin/members/{id}/reactivate",
    "/admin/invites",
    "/admin/invites/{invite}/revoke",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), (Role.MEMBER, 403), (Role.FACILITATOR, 403), (Role.ADMIN, 200)],
    ids=["anonymous", "member", "facilitator", "admin"],
)
def test_admin_pages_by_role(client, make_member, login_as, page, role, expected):
    """Anonymous → login, member and facilitator → 403, admin → 200."""
    target = make_member("target@example.org")
    if role is not None:
        login_as(role)
    response = client.get(page.format(id=target.id))
    assert response.status_code == expected
    if role is None:
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), (Role.MEMBER, 403), (Role.FACILITATOR, 403)],
    ids=["anonymous", "member", "facilitator"],
)
def test_admin_actions_refused_below_admin(
    app, client, make_member, login_as, action, role, expected
):
    """A POST with a valid CSRF token still needs the admin role; nothing changes."""
    target = make_member("target@example.org", active=False)
    with app.app_context():
        invite = Invite(
            email="x@example.org", token_hash="0" * 64, expires_at=now().replace(year=2100)
        )
        db.session.add(invite)
        db.session.commit()
        invite_id = invite.id
    if role is not None:
        login_as(role)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    url = action.format(id=target.id, invite=invite_id)
    response = client.post(url, data={"csrf_token": token, "role": "admin", "email": "y@ex.org"})
    assert response.status_code == expected
    assert member_row(app, "target@example.org") == (Role.MEMBER, False, [])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 1
        assert db.session.scalar(sa.select(Invite.revoked_at)) is None


def test_unknown_member_is_404(client, login_as):
    """An admin asking for a member id that does not exist gets 404."""
    login_as(Role.ADMIN)
    assert client.get("/admin/members/9999").status_code == 404
    response = post_form(client, "/admin/members/9999/deactivate", {}, page="/admin/members")
    assert response.status_code == 404


# --- the list and the edit page ---------------------------------------------


def test_members_list_shows_name_email_role_series_status_last_login(
    client, make_member, make_series, login_as
):
    """The list shows every member's name, email, role, series, status and last login."""
    series = make_series("cop", "Community of Practice")
    make_member("quiet@example.org", name="Quiet Member", series=[series], active=False)
    login_as(Role.ADMIN, name="Head Admin")
    body = client.get("/admin/members").get_data(as_text=True)
    for text in ("Quiet Member", "quiet@example.org", "Community of Practice", "Deactivated"):
        assert text in body
    assert "Head Admin" in body and "Admin" in body
    assert "never" in body  # the quiet member never logged in
    assert body.count("<time datetime=") == 1  # the admin just logged in


def test_admin_changes_role_and_series(app, client, make_member, make_series, login_as):
    """Role and series checkboxes are saved together."""
    cop = make_series("cop", "Community of Practice")
    board = make_series("board", "Board")
    target = make_member("target@example.org", series=[cop])
    login_as(Role.ADMIN)
    page = client.get(f"/admin/members/{target.id}").get_data(as_text=True)
    assert re.search(
        rf'<input checked id="series-\d+" name="series" type="checkbox" value="{cop.id}">', page
    )
    assert not re.search(rf'<input checked[^>]*value="{board.id}">', page)
    response = post_form(
        client,
        f"/admin/members/{target.id}",
        {"role": "facilitator", "series": [str(board.id)]},
    )
    assert response.status_code == 302
    assert member_row(app, "target@example.org") == (Role.FACILITATOR, True, ["board"])
    response = post_form(client, f"/admin/members/{target.id}", {"role": "member"})
    assert member_row(app, "target@example.org") == (Role.MEMBER, True, [])


def test_role_change_takes_effect_on_the_next_request(app, client, make_member, login_as):
    """A member promoted to admin can open admin pages on their very next request."""
    make_member("rising@example.org")
    browser = logged_in_browser(app, "rising@example.org")
    assert browser.get("/admin/members").status_code == 403
    login_as(Role.ADMIN)
    with app.app_context():
        target_id = db.session.scalar(
            sa.select(Member.id).where(Member.email == "rising@example.org")
        )
    post_form(client, f"/admin/members/{target_id}", {"role": "admin"})
    assert browser.get("/admin/members").status_code == 200


def test_deactivation_ends_the_members_sessions(app, client, make_member, login_as):
    """A deactivated member's existing cookie stops working on the next request."""
    target = make_member("target@example.org")
    browser = logged_in_browser(app, "target@example.org")
    assert browser.get("/account").status_code == 200
    login_as(Role.ADMIN)
    response = post_form(
        client, f"/admin/members/{target.id}/deactivate", {}, page=f"/admin/members/{target.id}"
    )
    assert response.status_code == 302
    assert browser.get("/account").status_code == 302
    assert member_row(app, "target@example.org")[1] is False
    again = app.test_client()
    assert (
        post_form(again, "/login", {"email": target.email, "password": PASSWORD}).status_code == 401
    )


def test_reactivation_lets_them_log_in_again(app, client, make_member, login_as):
    """A reactivated member can log in again."""
    target = make_member("target@example.org", active=False)
    login_as(Role.ADMIN)
    post_form(
        client, f"/admin/members/{target.id}/reactivate", {}, page=f"/admin/members/{target.id}"
    )
    assert member_row(app, "target@example.org")[1] is True
    logged_in_browser(app, "target@example.org")


def test_admin_cannot_deactivate_themselves(app, client, login_as):
    """Self-deactivation is refused with a clear message; the admin stays logged in."""
    admin = login_as(Role.ADMIN)
    page = client.get(f"/admin/members/{admin.id}").get_data(as_text=True)
    assert "You cannot deactivate your own account." in page
    response = post_form(
        client, f"/admin/members/{admin.id}/deactivate", {}, page=f"/admin/members/{admin.id}"
    )
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert member_row(app, admin.email)[1] is True
    assert client.get("/admin/members").status_code == 200


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_admin_cannot_remove_their_own_admin_role(app, client, login_as, role):
    """Demoting oneself is refused beside the role field."""
    admin = login_as(Role.ADMIN)
    response = post_form(client, f"/admin/members/{admin.id}", {"role": role})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'id="role-error"' in body
    assert "You cannot take away your own admin role" in body
    assert member_row(app, admin.email)[0] is Role.ADMIN


def test_bad_role_or_series_is_refused(app, client, make_member, make_series, login_as):
    """An unknown role or series id is a 400 with a message; nothing changes."""
    make_series("cop", "Community of Practice")
    target = make_member("target@example.org")
    login_as(Role.ADMIN)
    for data in ({"role": "owner"}, {"role": "admin", "series": ["4242"]}, {"series": ["x"]}):
        response = post_form(client, f"/admin/members/{target.id}", data)
        assert response.status_code == 400, data
    assert member_row(app, "target@example.org") == (Role.MEMBER, True, [])


def test_member_page_shows_that_member_not_the_viewer(client, login_as, make_member):
    """The page about a member names them and its forms act on them, not on the admin."""
    admin = login_as(Role.ADMIN)
    target = make_member("target@example.org", name="Target Person")
    html = client.get(f"/admin/members/{target.id}").get_data(as_text=True)
    assert "<h1>Target Person</h1>" in html
    assert "<dd>target@example.org</dd>" in html
    assert f"<dd>{admin.email}</dd>" not in html
    assert f'action="/admin/members/{target.id}/deactivate"' in html
    assert f'action="/admin/members/{admin.id}/deactivate"' not in html
