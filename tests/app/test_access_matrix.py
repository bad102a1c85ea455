"""Every route is classified by who may use it, and the server enforces it.

A new route that is missing from ``REQUIRED`` fails the first test: decide who
may use it before it ships."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Kind, Level
from notesbase.models import Consent, Invite, Item, Meeting, Member, Person, Role, Series, utcnow
from tests.conftest import PASSWORD, csrf_token_from

PUBLIC = None
ANY_MEMBER = Role.MEMBER


@pytest.fixture
def app(sqlite_app):
    """Who may reach a route is decided before any query: the same on every
    engine, so this matrix runs on SQLite only (the pages' own tests run on
    PostgreSQL too)."""
    return sqlite_app


# endpoint -> weakest role that may use it (None: everyone, logged in or not)
REQUIRED: dict[str, Role | None] = {
    "static": PUBLIC,
    "meetings.index": PUBLIC,
    "health.healthz": PUBLIC,
    "meetings.series": PUBLIC,
    "meetings.meeting": PUBLIC,
    "meetings.topics": PUBLIC,
    "meetings.topic": PUBLIC,
    "search.page": PUBLIC,
    "search.suggest": PUBLIC,
    # The leak check answers 404 to everyone but facilitators
    # (tests/publishing/leakcheck/test_leakcheck_pages.py).
    "leakcheck.page": PUBLIC,
    # Circulation answers 404 to everyone but facilitators
    # (tests/publishing/circulation/test_circulation.py).
    "circulation.circulate": PUBLIC,
    "circulation.confirm": PUBLIC,
    "circulation.send": PUBLIC,
    "circulation.resume": PUBLIC,
    "leakcheck.override": PUBLIC,
    "leakcheck.fix_words": PUBLIC,
    "leakcheck.fix_item": PUBLIC,
    "writeups.public": PUBLIC,
    "writeups.series_feed": PUBLIC,
    "writeups.feed": PUBLIC,
    "writeups.edit": Role.FACILITATOR,
    "writeups.preview": Role.FACILITATOR,
    "writeups.publish": Role.FACILITATOR,
    "writeups.unpublish": Role.FACILITATOR,
    "writeups.export_markdown": Role.FACILITATOR,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.accept_invite": PUBLIC,
    "auth.account": ANY_MEMBER,
    "auth.account_name": ANY_MEMBER,
    "auth.account_password": ANY_MEMBER,
    "meetings.new_series": Role.FACILITATOR,
    "meetings.edit_series": Role.FACILITATOR,
    "meetings.new_meeting": Role.FACILITATOR,
    "meetings.edit_meeting": Role.FACILITATOR,
    "admin.members": Role.ADMIN,
    "admin.member": Role.ADMIN,
    "admin.deactivate": Role.ADMIN,
    "admin.reactivate": Role.ADMIN,
    "admin.invite": Role.ADMIN,
    "admin.revoke_invite": Role.ADMIN,
    "admin.audit": Role.ADMIN,
    "auth.create_token": ANY_MEMBER,
    "auth.revoke_token": ANY_MEMBER,
    # The notes answer 404 to everyone who may not read them (tests/notes/test_notes_read.py).
    "notes.read": PUBLIC,
    # The notes exports answer 404 to everyone who may not read the notes
    # (tests/publishing/exports/test_exports.py); the calendar is public.
    "exports.notes_markdown": PUBLIC,
    "exports.notes_print": PUBLIC,
    "exports.notes_pdf": PUBLIC,
    "calendar.series_feed": PUBLIC,
    "calendar.all_feed": PUBLIC,
    "calendar.upcoming_all": PUBLIC,
    "calendar.upcoming_series": PUBLIC,
    "notes.editor": Role.FACILITATOR,
    "notes.edit_item": Role.FACILITATOR,
    "notes.delete_item": Role.FACILITATOR,
    "notes.move_item": Role.FACILITATOR,
    "notes.reorder": Role.FACILITATOR,
    "notes.preview": Role.FACILITATOR,
    "notes.history": Role.FACILITATOR,
    "notes.purge_history": Role.FACILITATOR,
    "notes.purge_item": Role.FACILITATOR,
    "notes.import_file": Role.FACILITATOR,
    "notes.export_file": Role.FACILITATOR,
    "draftcheck.check": Role.FACILITATOR,
    "consent.mine": ANY_MEMBER,
    "consent.set_mine": ANY_MEMBER,
    "consent.set_my_descriptor": ANY_MEMBER,
    "consent.withdraw_mine": ANY_MEMBER,
    "consent.withdraw_all_mine": ANY_MEMBER,
    "consent.people_list": Role.FACILITATOR,
    "consent.new_person": Role.FACILITATOR,
    "consent.person": Role.FACILITATOR,
    "consent.record_consent": Role.FACILITATOR,
    "consent.withdraw_person_consent": Role.FACILITATOR,
    # Erasure is for admins only (tests/privacy/erasure/).
    "erasure.erase_person": Role.ADMIN,
    # A series' retention schedule is set by facilitators (tests/privacy/retention/).
    "retention.edit": Role.FACILITATOR,
    # Subject access: anyone's archive for facilitators, one's own for members
    # (tests/privacy/subject_access/); the privacy notice is public, its form for admins.
    "subject_access.for_person": Role.FACILITATOR,
    "subject_access.mine": ANY_MEMBER,
    "privacy.notice": PUBLIC,
    "privacy.edit": Role.ADMIN,
    # Review rounds: the board is for facilitators; a reviewer's pages need
    # no account, only their link and its session (tests/review/).
    "review.board": Role.FACILITATOR,
    "review.create": Role.FACILITATOR,
    "review.start": Role.FACILITATOR,
    "review.revoke": Role.FACILITATOR,
    "review.renew": Role.FACILITATOR,
    "review.close": Role.FACILITATOR,
    "review.accept": Role.FACILITATOR,
    "review.reject": Role.FACILITATOR,
    "review.link": PUBLIC,
    "review.use_link": PUBLIC,
    "review.page": PUBLIC,
    "review.set_consent": PUBLIC,
    "review.make_request": PUBLIC,
    "review.approve_record": PUBLIC,
}

PROTECTED = sorted((e, r) for e, r in REQUIRED.items() if r is not None)


def test_every_route_is_classified(app):
    """The table above names exactly the app's endpoints."""
    # The JSON API answers 401/403 in JSON, never a login page: its own
    # matrix is in tests/api/.
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if not r.endpoint.startswith("api.")}
    assert endpoints == set(REQUIRED)


@pytest.fixture
def world(app):
    """A series with a meeting and an item, a member to administer, a person
    with a consent and a pending invite."""
    with app.app_context():
        series = Series(slug="cop", title="Community of Practice")
        meeting = Meeting(series=series, number=1, title="First", date=date(2025, 1, 15))
        target = Member(email="target@example.org", display_name="Target", role=Role.MEMBER)
        invite = Invite(
            email="new@example.org",
            token_hash="0" * 64,
            expires_at=utcnow() + timedelta(days=1),
        )
        db.session.add_all([series, meeting, target, invite])
        db.session.flush()
        person = Person(name="Speaker")
        db.session.add(person)
        db.session.flush()
        item = Item(meeting_id=meeting.id, position=1, kind=Kind.POINT, body="A point.")
        consent = Consent(person_id=person.id, audience=ConsentAudience.PUBLIC, level=Level.NAMED)
        db.session.add_all([item, consent])
        db.session.commit()
        return {
            "slug": "cop",
            "number": 1,
            "member_id": target.id,
            "invite_id": invite.id,
            "item_id": item.id,
            "person_id": person.id,
            "consent_id": consent.id,
            "token_id": 1,
            "reviewer_id": 1,
            "request_id": 1,
        }


def _urls(app, endpoint: str, values: dict) -> list[tuple[str, str]]:
    """(method, url) pairs for every method the endpoint answers."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    args = {name: values[name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **args)
    return [(m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def _send(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.open(url, method=method, data={"csrf_token": token})


def _log_in(client, make_member, role: Role) -> None:
    member = make_member(f"{role.value}-matrix@example.org", role=role)
    html = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token_from(html), "email": member.email, "password": PASSWORD},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(("endpoint", "required"), PROTECTED)
def test_anonymous_is_sent_to_login(app, client, world, endpoint, required):
    """The public asking for a protected page is sent to the login page."""
    for method, url in _urls(app, endpoint, world):
        response = _send(client, method, url)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


@pytest.mark.parametrize(("endpoint", "required"), PROTECTED)
@pytest.mark.parametrize("role", list(Role))
def test_roles_below_are_refused(app, client, make_member, world, endpoint, required, role):
    """A logged-in member without the role gets 403; with it, never 401/403."""
    _log_in(client, make_member, role)
    for method, url in _urls(app, endpoint, world):
        response = _send(client, method, url)
        if role.has_rank_below(required):
            assert response.status_code == 403, (role, method, url)
        else:
            assert response.status_code not in (401, 403), (role, method, url)
            assert not response.headers.get("Location", "").startswith("/login")
