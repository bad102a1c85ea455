"""Two app objects on one database stand for two worker processes: logout,
a password change, a role change and deactivation done in one take effect on
the very next request in the other, for session and remember-me cookies alike."""

from __future__ import annotations

import pytest

from notesbase import create_app
from notesbase.auth.passwords import hash_password
from notesbase.db import db
from notesbase.models import Member, Role
from tests.conftest import PASSWORD, build_app, csrf_token_from, make_test_config
from tests.security.security_support import ADMIN_EMAIL, dispose, log_in

NEW_PASSWORD = "a brand new passphrase for this test"


@pytest.fixture(scope="module")
def workers(tmp_path_factory, suite_postgres):
    """(first, second): two apps, each with its own instance folder, sharing
    the database, where an admin exists."""
    directory = tmp_path_factory.mktemp("workers")
    first = build_app(directory / "one", suite_postgres)
    second = create_app(make_test_config(directory / "two", first.config["DATABASE_URL"]))
    add_member(first, ADMIN_EMAIL, Role.ADMIN)
    yield first, second
    dispose(first, second)


def add_member(app, email, role=Role.MEMBER) -> int:
    with app.app_context():
        member = Member(
            email=email,
            display_name=email.split("@")[0],
            password_hash=hash_password(PASSWORD),
            role=role,
        )
        db.session.add(member)
        db.session.commit()
        return member.id


def browser(app, email, password=PASSWORD):
    """A browser logged in (with remember-me) through ``app``."""
    client = app.test_client()
    log_in(client, email, password, remember="y")
    return client


def copy_to(app, client, names=("session", "remember_token")):
    """The same browser's cookies, sent to ``app`` (the other worker)."""
    other = app.test_client()
    for name in names:
        other.set_cookie(name, client.get_cookie(name).value)
    return other


def post(client, url, data=None, page="/account"):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def logged_in(app, client):
    """Whether ``client``'s session cookie, and separately its remember-me
    cookie alone, still log in on ``app``: (session, remember)."""
    session_only = copy_to(app, client, names=("session",))
    remember_only = copy_to(app, client, names=("remember_token",))
    return (
        session_only.get("/account").status_code == 200,
        remember_only.get("/account").status_code == 200,
    )


def test_logout_in_one_worker_ends_the_login_in_the_other(workers):
    """A browser logged in through one worker, logging out through the other."""
    first, second = workers
    add_member(first, "leaving@example.org")
    member = browser(first, "leaving@example.org")
    assert logged_in(second, member) == (True, True)
    moved = copy_to(second, member)
    assert post(moved, "/logout", page="/").status_code == 302
    assert logged_in(first, member) == (False, False)


def test_password_change_in_one_worker_ends_other_logins_in_the_other(workers):
    """The browser that changed the password stays in; another is out in both."""
    first, second = workers
    add_member(first, "changing@example.org")
    elsewhere = browser(second, "changing@example.org")
    changer = browser(first, "changing@example.org")
    response = post(
        changer,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert logged_in(second, elsewhere) == (False, False)
    assert logged_in(second, changer) == (True, True)


def test_role_change_and_deactivation_reach_the_other_worker(workers):
    """An admin in one worker promotes, demotes and deactivates a member whose
    browser uses the other worker: each change holds on the next request."""
    first, second = workers
    member_id = add_member(first, "moving@example.org")
    admin = browser(first, ADMIN_EMAIL)
    member = browser(second, "moving@example.org")
    remembered = copy_to(second, member, names=("remember_token",))
    page = f"/admin/members/{member_id}"
    assert member.get("/admin/members").status_code == 403

    assert post(admin, page, {"role": "admin"}, page=page).status_code == 302
    assert member.get("/admin/members").status_code == 200
    assert remembered.get("/admin/members").status_code == 200

    assert post(admin, page, {"role": "member"}, page=page).status_code == 302
    assert member.get("/admin/members").status_code == 403
    assert remembered.get("/admin/members").status_code == 403

    assert post(admin, f"{page}/deactivate", page=page).status_code == 302
    assert logged_in(second, member) == (False, False)
    assert logged_in(first, member) == (False, False)
