"""The audit log: every change to consent and accounts is recorded with who,
what and when, never with the text of the notes; only admins read it."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import AuditEvent, Meeting, Member, Role, Series
from notesbase.notes import items, people
from tests.admin.audit_support import audit_rows
from tests.conftest import PASSWORD, post_form

SECRET_BODY = "Zanzibarquill secret body"
SECRET_EDIT = "Mormolyke edited secret"
NEW_PASSWORD = "an entirely new passphrase"


def events(app, prefix=""):
    """(action, actor_label, target_type, target_id, details) oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        )
        return [(e.action, e.actor_label, e.target_type, e.target_id, e.details) for e in rows]


def every_event_text(app) -> str:
    with app.app_context():
        return "\n".join(
            json.dumps([e.action, e.actor_label, e.target_type, e.details])
            for e in db.session.scalars(sa.select(AuditEvent))
        )


def browser(app, email):
    client = app.test_client()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def member_id(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(Member.id).where(Member.email == email))


@pytest.fixture
def world(app, make_member):
    """A series with a meeting whose notes hold a secret, a person linked to a
    member of the series, a facilitator and an admin."""
    with app.app_context():
        cop = Series(slug="cop", title="Community of Practice")
        meeting = Meeting(series=cop, number=1, title="First", date=date(2025, 1, 15))
        db.session.add_all([cop, meeting])
        db.session.commit()
        cop_id, meeting_id = cop.id, meeting.id
    member = make_member(
        "jane@example.org", series=[Series(id=cop_id, slug="cop", title="Community of Practice")]
    )
    make_member("fac@example.org", role=Role.FACILITATOR)
    make_member("admin@example.org", role=Role.ADMIN)
    with app.app_context():
        jane = people.create_person(people.PersonFields("Jane Doe", "ODM"), actor=None)
        people.link_member(jane, db.session.get(Member, member.id), actor=None)
        db.session.commit()
        return {"cop": cop_id, "meeting": meeting_id, "jane": jane.id, "member": member.id}


# --- who reads it ---------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (None, 302),
        ("jane@example.org", 403),
        ("fac@example.org", 403),
        ("admin@example.org", 200),
    ],
    ids=["anonymous", "member", "facilitator", "admin"],
)
def test_audit_page_is_for_admins_only(app, world, email, expected):
    """Anonymous → login; members and facilitators → 403; admins read it."""
    client = app.test_client() if email is None else browser(app, email)
    response = client.get("/admin/audit")
    assert response.status_code == expected
    if email is None:
        assert response.headers["Location"].startswith("/login")


def test_members_page_links_to_the_audit_log(app, world):
    """Admins reach the audit log from the members page."""
    page = browser(app, "admin@example.org").get("/admin/members").get_data(as_text=True)
    assert 'href="/admin/audit"' in page


# --- no note text, ever ------------------------------------------------------


def test_no_event_holds_the_text_of_the_notes(app, world):
    """Item and consent changes are audited; a planted secret body appears in
    no event's details and nowhere on the audit page."""
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting"])
        facilitator = db.session.scalar(sa.select(Member).where(Member.role == Role.FACILITATOR))
        item = items.create_item(
            meeting,
            items.ItemFields(
                kind=Kind.QUOTE,
                body=SECRET_BODY,
                section=f"Section {SECRET_BODY}",
                speaker_id=world["jane"],
                confidentiality=Confidentiality.CONFIDENTIAL,
            ),
            actor=facilitator,
        )
        items.update_item(
            item,
            items.ItemFields(
                kind=Kind.POINT,
                body=SECRET_EDIT,
                speaker_id=world["jane"],
                confidentiality=Confidentiality.MEMBERS,
            ),
            actor=facilitator,
        )
        db.session.commit()
    jane = browser(app, "jane@example.org")
    post_form(
        jane,
        "/me/attributions/consent",
        {"audience": "member", "level": "named", "scope": f"meeting-{world['meeting']}"},
        page="/me/attributions",
    )
    post_form(jane, "/me/attributions/withdraw-all", {}, page="/me/attributions")
    actions = [e[0] for e in events(app)]
    for action in ("item.create", "consent.grant", "consent.withdraw"):
        assert action in actions
    with app.app_context():
        details = [e.details for e in db.session.scalars(sa.select(AuditEvent))]
    for secret in (SECRET_BODY, SECRET_EDIT, "Zanzibarquill", "Mormolyke"):
        assert all(secret not in json.dumps(d) for d in details)
        assert secret not in every_event_text(app)
    page = browser(app, "admin@example.org").get("/admin/audit").get_data(as_text=True)
    assert "Zanzibarquill" not in page and "Mormolyke" not in page
    said = "\n".join(audit_rows(page))
    assert "Added item 1 (a quote, confidential) to meeting 1 of Community of Practice." in said
    assert "Recorded consent for Jane Doe" in said


def test_consent_changes_name_who_made_them(app, world):
    """A member's own change is theirs; a facilitator's recording is theirs."""
    jane = browser(app, "jane@example.org")
    post_form(
        jane,
        "/me/attributions/consent",
        {"audience": "public", "level": "affiliation", "scope": "all"},
        page="/me/attributions",
    )
    fac = browser(app, "fac@example.org")
    post_form(
        fac,
        f"/people/{world['jane']}/consent",
        {"audience": "member", "level": "named", "scope": "all", "note": "given in the room"},
        page=f"/people/{world['jane']}",
    )
    grants = events(app, "consent.grant")
    assert [(e[1], e[3], e[4]["audience"], e[4]["level"]) for e in grants] == [
        ("jane@example.org", world["jane"], "public", "affiliation"),
        ("fac@example.org", world["jane"], "member", "named"),
    ]


# --- accounts ---------------------------------------------------------------


def test_role_series_deactivation_are_audited(app, world):
    """The admin member page records role and series changes, deactivation and
    reactivation, with the admin as actor; saving without a change adds nothing."""
    admin = browser(app, "admin@example.org")
    target = world["member"]
    url = f"/admin/members/{target}"
    assert post_form(admin, url, {"role": "facilitator", "series": []}).status_code == 302
    assert post_form(admin, url, {"role": "facilitator", "series": []}).status_code == 302
    assert post_form(admin, f"{url}/deactivate", {}, page=url).status_code == 302
    assert post_form(admin, f"{url}/reactivate", {}, page=url).status_code == 302
    found = [(e[0], e[1], e[2], e[3]) for e in events(app, "account.") if e[0] != "account.login"]
    assert found == [
        ("account.role", "admin@example.org", "member", target),
        ("account.series", "admin@example.org", "member", target),
        ("account.deactivate", "admin@example.org", "member", target),
        ("account.reactivate", "admin@example.org", "member", target),
    ]
    role, series = events(app, "account.role")[0][4], events(app, "account.series")[0][4]
    assert role == {"old": "member", "new": "facilitator"}
    assert series == {"added": [], "removed": ["cop"]}


def test_password_and_name_changes_are_audited_without_the_password(app, world):
    """A member's own password and name changes are recorded, not their values."""
    jane = browser(app, "jane@example.org")
    response = post_form(
        jane,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        page="/account",
    )
    assert response.status_code == 302
    response = post_form(jane, "/account/name", {"display_name": "Janey"}, page="/account")
    assert response.status_code == 302
    found = [(e[0], e[1], e[3]) for e in events(app, "account.")]
    assert ("account.password", "jane@example.org", world["member"]) in found
    assert ("account.rename", "jane@example.org", world["member"]) in found
    text = every_event_text(app)
    for secret in (NEW_PASSWORD, PASSWORD, "Janey"):
        assert secret not in text


def test_invitations_are_audited_from_creation_to_acceptance(app, world):
    """Creating, revoking and accepting an invitation each leave an event; the
    accepted one also records the new account, created by the invitee."""
    admin = browser(app, "admin@example.org")
    link = re.compile(r'value="http://localhost/invite/([A-Za-z0-9_-]+)"')
    response = post_form(
        admin, "/admin/invites", {"email": "gone@example.org", "role": "member", "series": []}
    )
    assert response.status_code == 200
    response = post_form(
        admin,
        "/admin/invites",
        {"email": "new@example.org", "role": "member", "series": [world["cop"]]},
    )
    token = link.search(response.get_data(as_text=True)).group(1)
    with app.app_context():
        from notesbase.models import Invite

        gone = db.session.scalar(sa.select(Invite).where(Invite.email == "gone@example.org"))
        gone_id = gone.id
    response = post_form(admin, f"/admin/invites/{gone_id}/revoke", {}, page="/admin/invites")
    assert response.status_code == 302
    newcomer = app.test_client()
    response = post_form(
        newcomer,
        f"/invite/{token}",
        {
            "display_name": "New Person",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    new_id = member_id(app, "new@example.org")
    found = [(e[0], e[1], e[2]) for e in events(app, "account.") if e[0] != "account.login"]
    assert found == [
        ("account.invite.create", "admin@example.org", "invite"),
        ("account.invite.create", "admin@example.org", "invite"),
        ("account.invite.revoke", "admin@example.org", "invite"),
        ("account.create", "new@example.org", "member"),
        ("account.invite.accept", "new@example.org", "invite"),
    ]
    created = events(app, "account.create")[0]
    assert created[3] == new_id
    assert created[4] == {
        "via": "invitation",
        "invite_id": created[4]["invite_id"],
        "role": "member",
        "series": ["cop"],
    }
    assert token not in every_event_text(app)


def test_command_line_changes_are_audited_as_the_command_line(app, world, runner):
    """`user add`, `user invite` and `user deactivate` record "command line"."""
    result = runner.invoke(
        args=["user", "add", "cli@example.org", "--name", "Cli", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["user", "invite", "later@example.org", "--base-url", "https://notes.example.org"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["user", "deactivate", "cli@example.org"])
    assert result.exit_code == 0, result.output
    found = [(e[0], e[1], e[4].get("via")) for e in events(app, "account.")]
    assert found == [
        ("account.create", "command line", "command line"),
        ("account.invite.create", "command line", None),
        ("account.deactivate", "command line", None),
    ]
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.actor_id).limit(1)) is None


def test_logins_and_logouts_are_audited(app, world):
    """A successful login and a logout are recorded with the member as actor;
    failures are audited as ``account.login.failed`` without what was typed
    (tests/security/test_accounts.py)."""
    client = app.test_client()
    for email, password in (("jane@example.org", "wrong password"), ("who@example.org", "x")):
        response = post_form(client, "/login", {"email": email, "password": password})
        assert response.status_code not in (302, 500)
    assert [e[0] for e in events(app, "account.")] == ["account.login.failed"] * 2
    browser_ = browser(app, "jane@example.org")
    post_form(browser_, "/logout", {}, page="/")
    found = [(e[0], e[1], e[3]) for e in events(app, "account.") if e[0] != "account.login.failed"]
    assert found == [
        ("account.login", "jane@example.org", world["member"]),
        ("account.logout", "jane@example.org", world["member"]),
    ]
    assert "who@example.org" not in every_event_text(app)
