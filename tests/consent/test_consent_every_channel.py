"""A consent change by the person who spoke shows on the very next response
of every channel: the notes page, the facilitator's preview, the JSON API and
the person's own page."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Kind, Level
from notesbase.models import Meeting, Member, Role, Series
from notesbase.notes import items, people
from tests.conftest import PASSWORD, post_form

NAME = "Perpetua Quillfeather"
NOTES = "/series/cop/meetings/1/notes"


@pytest.fixture
def spoken(app, make_member):
    """Perpetua (a member of the series) is named to members and the public."""
    with app.app_context():
        series = Series(slug="cop", title="Community of Practice")
        meeting = Meeting(series=series, number=1, title="First", date=date(2025, 1, 15))
        db.session.add_all([series, meeting])
        db.session.commit()
    member = make_member("perpetua@example.org", series=[series])
    make_member("facilitator@example.org", role=Role.FACILITATOR)
    with app.app_context():
        person = people.create_person(people.PersonFields(NAME, "Inkwell Trust"), actor=None)
        people.link_member(person, db.session.get(Member, member.id), actor=None)
        meeting = db.session.scalar(sa.select(Meeting))
        items.create_item(
            meeting,
            items.ItemFields(Kind.QUOTE, "Publish it.", speaker_id=person.id),
            actor=None,
        )
        for audience in ConsentAudience:
            grants.grant(person, audience, Level.NAMED, Scope(), actor=None)
        _row, token = tokens.create_token(db.session.get(Member, member.id), actor=None)
        db.session.commit()
    return token


def _channels(app, token) -> dict[str, str]:
    member = app.test_client()
    post_form(member, "/login", {"email": "perpetua@example.org", "password": PASSWORD})
    facilitator = app.test_client()
    post_form(facilitator, "/login", {"email": "facilitator@example.org", "password": PASSWORD})
    return {
        "notes page": member.get(NOTES).get_data(as_text=True),
        "public preview": facilitator.get(f"{NOTES}?as=public").get_data(as_text=True),
        "member preview": facilitator.get(f"{NOTES}?as=member").get_data(as_text=True),
        "api": app.test_client()
        .get("/api/v1/series/cop/meetings/1", headers={"Authorization": f"Bearer {token}"})
        .get_data(as_text=True),
    }


def test_withdrawing_everything_changes_every_channel_at_once(app, client, auth, spoken):
    """Before: named on every channel. After "Withdraw everything": anonymous on
    every channel, on the very next request."""
    before = _channels(app, spoken)
    for channel, body in before.items():
        assert NAME in body, channel
    auth.login("perpetua@example.org")
    response = post_form(client, "/me/attributions/withdraw-all", {}, page="/me/attributions")
    assert response.status_code in (200, 302)
    after = _channels(app, spoken)
    for channel, body in after.items():
        assert NAME not in body, channel
        assert "Inkwell Trust" not in body, channel
        assert "A participant" in body, channel


def test_a_member_only_grant_reaches_members_not_the_public(app, client, auth, spoken):
    """Granting "named" to members only, after withdrawing everything, names the
    speaker in the member channels and nowhere public."""
    auth.login("perpetua@example.org")
    post_form(client, "/me/attributions/withdraw-all", {}, page="/me/attributions")
    response = post_form(
        client,
        "/me/attributions/consent",
        {"audience": "member", "scope": "all", "level": "named"},
        page="/me/attributions",
    )
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    seen = _channels(app, spoken)
    assert NAME in seen["notes page"] and NAME in seen["member preview"] and NAME in seen["api"]
    assert NAME not in seen["public preview"]
