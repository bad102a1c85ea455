"""My attributions: a member linked to a person sees what is recorded against
them as members and the public read it, and sets or withdraws how they may be
credited; every change shows on the very next request."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import Audience, ConsentAudience, Level
from notesbase.models import AuditEvent, Consent, Meeting, Member, Person, Role
from notesbase.notes.facts import meeting_view
from tests.conftest import csrf_token_from, post_form
from tests.consent.consent_support import (
    BOB_TEXT,
    ELSEWHERE_TEXT,
    JANE,
    MEMBERS_TEXT,
    OPEN_TEXT,
    SECRET_TEXT,
    browser,
    notes_of,
    page_text,
    set_level,
    world_fixture,  # noqa: F401 - a fixture
)


def active(app, person_id):
    with app.app_context():
        return sorted(
            (c.audience.value, c.level.value, c.series_id, c.meeting_id)
            for c in grants.active_grants(db.session.get(Person, person_id))
        )


def test_unlinked_member_gets_an_explanation(app, world):
    """A member not linked to a person is told why the page is empty."""
    text = page_text(browser(app, "reader@example.org"), "/me/attributions")
    assert "No statements are recorded against you" in text
    assert "links your account to you as a speaker" in text


def test_anonymous_is_sent_to_login(client, world):
    """My attributions is for logged-in members."""
    response = client.get("/me/attributions")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_member_sees_only_their_items_visible_to_members(app, world):
    """Own items in own series only; a confidential one is not listed at all."""
    text = page_text(browser(app, "jane@example.org"), "/me/attributions")
    assert OPEN_TEXT in text and MEMBERS_TEXT in text and "Second meeting remark" in text
    assert SECRET_TEXT not in text
    assert ELSEWHERE_TEXT not in text  # Jane does not belong to the other series
    assert BOB_TEXT not in text
    assert "confidential" not in text.lower().replace("confidential spans", "")
    # How each reads: members see the item, the public do not see a members item.
    assert text.count("A participant") >= 2
    assert "Not in the public write-up." in text


def test_level_examples_are_built_from_their_details(app, world):
    """The level choices show how the person would actually be credited."""
    text = page_text(browser(app, "jane@example.org"), "/me/attributions")
    for example in (
        "A participant",
        "A local authority data lead",
        "Someone from Open Data Manchester",
        JANE,
    ):
        assert f"reads “{example}”" in text


def test_setting_a_level_changes_the_notes_on_the_next_request(app, world):
    """A grant on the form shows on the notes page at once, for other readers too."""
    jane = browser(app, "jane@example.org")
    reader = browser(app, "reader@example.org")
    assert JANE not in notes_of(reader, 1)
    response = set_level(jane, "member", "named")
    assert response.status_code == 302
    assert "Saved: for members of the series, everywhere" in page_text(jane, "/me/attributions")
    assert JANE in notes_of(reader, 1)
    assert JANE in notes_of(reader, 2)
    with app.app_context():
        meeting = db.session.get(Meeting, world["m1"])
        member_view = meeting_view(meeting, Audience.MEMBER)
        public_view = meeting_view(meeting, Audience.PUBLIC)
        assert JANE in member_view.text()
        assert "Jane Doe" not in public_view.text()


def test_narrowest_scope_wins_through_the_forms(app, world):
    """Meeting beats series beats everywhere, as set on the page."""
    jane = browser(app, "jane@example.org")
    reader = browser(app, "reader@example.org")
    assert set_level(jane, "member", "named").status_code == 302
    assert set_level(jane, "member", "affiliation", f"series-{world['cop']}").status_code == 302
    assert set_level(jane, "member", "anonymous", f"meeting-{world['m1']}").status_code == 302
    first, second = notes_of(reader, 1), notes_of(reader, 2)
    assert "Someone from Open Data Manchester" not in first and JANE not in first
    assert "Someone from Open Data Manchester" in second
    text = page_text(jane, "/me/attributions")
    assert "From the grant for every meeting of Community of Practice" in text


def test_withdrawing_falls_back_to_the_wider_grant_then_anonymous(app, world):
    """Withdrawing a narrow grant restores the wider one; withdrawing all is anonymous."""
    jane = browser(app, "jane@example.org")
    reader = browser(app, "reader@example.org")
    set_level(jane, "member", "named")
    set_level(jane, "member", "descriptor", f"meeting-{world['m1']}")
    assert "A local authority data lead" in notes_of(reader, 1)
    with app.app_context():
        narrow = db.session.scalar(sa.select(Consent).where(Consent.meeting_id == world["m1"]))
        narrow_id = narrow.id
    response = post_form(
        jane, f"/me/attributions/consent/{narrow_id}/withdraw", {}, page="/me/attributions"
    )
    assert response.status_code == 302
    assert "from the grant for everywhere" in page_text(jane, "/me/attributions")
    assert JANE in notes_of(reader, 1)
    response = post_form(jane, "/me/attributions/withdraw-all", {}, page="/me/attributions")
    assert response.status_code == 302
    assert "Everything is withdrawn" in page_text(jane, "/me/attributions")
    assert JANE not in notes_of(reader, 1)
    assert active(app, world["jane"]) == []


def test_another_member_cannot_touch_someone_elses_consent(app, world):
    """Someone else's grant id is a 404 and stays active; an unlinked member
    has nothing to set (404)."""
    with app.app_context():
        jane = db.session.get(Person, world["jane"])
        grant = grants.grant(jane, ConsentAudience.MEMBER, Level.NAMED, Scope(), actor=None)
        db.session.commit()
        grant_id = grant.id
    bob = browser(app, "bob@example.org")
    response = post_form(
        bob, f"/me/attributions/consent/{grant_id}/withdraw", {}, page="/me/attributions"
    )
    assert response.status_code == 404
    reader = browser(app, "reader@example.org")
    for url in (
        f"/me/attributions/consent/{grant_id}/withdraw",
        "/me/attributions/withdraw-all",
    ):
        assert post_form(reader, url, {}, page="/me/attributions").status_code == 404
    response = set_level(reader, "member", "named")
    assert response.status_code == 404
    assert active(app, world["jane"]) == [("member", "named", None, None)]
    # Bob's own change touches Bob only.
    assert set_level(bob, "public", "named").status_code == 302
    assert active(app, world["jane"]) == [("member", "named", None, None)]
    assert active(app, world["bob"]) == [("public", "named", None, None)]


def test_a_scope_outside_the_members_series_is_refused(app, world):
    """A member cannot set consent for a series or meeting not offered to them."""
    jane = browser(app, "jane@example.org")
    for scope in (f"series-{world['other']}", f"meeting-{world['elsewhere']}", "bogus"):
        response = set_level(jane, "member", "named", scope)
        assert response.status_code == 422
        assert "Choose one of the places listed." in response.get_data(as_text=True)
    assert active(app, world["jane"]) == []


@pytest.mark.parametrize(
    ("field", "data"),
    [("level", {"audience": "member", "level": "famous"}), ("audience", {"audience": "press"})],
)
def test_an_invalid_choice_is_a_422_beside_the_field(app, world, field, data):
    """An unknown level or audience is refused with the message by its field."""
    jane = browser(app, "jane@example.org")
    response = post_form(
        jane,
        "/me/attributions/consent",
        {"scope": "all", "level": "named", **data},
        page="/me/attributions",
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert active(app, world["jane"]) == []


def test_a_post_without_csrf_token_changes_nothing(app, world):
    """The consent forms carry CSRF protection."""
    jane = browser(app, "jane@example.org")
    response = jane.post(
        "/me/attributions/consent", data={"audience": "member", "level": "named", "scope": "all"}
    )
    assert response.status_code == 400
    assert active(app, world["jane"]) == []


def test_history_says_who_granted(app, world, make_member):
    """The member's history names "you" for their own changes and "a
    facilitator" for anyone else's, without naming the facilitator."""
    facilitator = make_member("fac@example.org", role=Role.FACILITATOR, name="Fiona Fac")
    with app.app_context():
        jane = db.session.get(Person, world["jane"])
        actor = db.session.get(Member, facilitator.id)
        grants.grant(
            jane, ConsentAudience.PUBLIC, Level.AFFILIATION, Scope(), actor=actor, note="in room"
        )
        db.session.commit()
    client = browser(app, "jane@example.org")
    set_level(client, "member", "descriptor")
    text = page_text(client, "/me/attributions")
    history = text.split('id="history-heading"', 1)[1]
    assert "a facilitator" in history and "you" in history
    assert "Fiona Fac" not in text and "fac@example.org" not in text


def test_nav_shows_my_attributions_only_to_linked_members(app, world):
    """The navigation links to My attributions for a member linked to a person."""
    assert "My attributions" in page_text(browser(app, "jane@example.org"), "/")
    assert "My attributions" not in page_text(browser(app, "reader@example.org"), "/")


def test_withdraw_button_tokens_work(app, world):
    """The page's own withdraw form (with its CSRF token) withdraws the grant."""
    jane = browser(app, "jane@example.org")
    set_level(jane, "public", "named")
    page = jane.get("/me/attributions").get_data(as_text=True)
    with app.app_context():
        grant_id = db.session.scalar(sa.select(Consent.id).where(Consent.withdrawn_at.is_(None)))
    assert f"/me/attributions/consent/{grant_id}/withdraw" in page
    response = jane.post(
        f"/me/attributions/consent/{grant_id}/withdraw",
        data={"csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 302
    assert active(app, world["jane"]) == []


def test_the_person_sets_their_own_description(app, world):
    """The descriptor is self-chosen: the person changes it on their page, it is
    audited without the words, and the member view uses it at once."""
    jane = browser(app, "jane@example.org")
    reader = browser(app, "reader@example.org")
    set_level(jane, "member", "descriptor")
    assert "A local authority data lead" in notes_of(reader, 1)
    response = post_form(
        jane,
        "/me/attributions/descriptor",
        {"descriptor": "a county data convenor"},
        page="/me/attributions",
    )
    assert response.status_code == 302
    text = notes_of(reader, 1)
    assert "A county data convenor" in text and "local authority data lead" not in text
    with app.app_context():
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "person.update")
        ).one()
        assert event.details == {"changed": ["descriptor"]}
        assert "convenor" not in str(event.details)


def test_an_overlong_description_is_refused_beside_the_field(app, world):
    """A description over the limit is a 422 with the message beside it; nothing changes."""
    jane = browser(app, "jane@example.org")
    response = post_form(
        jane, "/me/attributions/descriptor", {"descriptor": "x" * 201}, page="/me/attributions"
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Person, world["jane"]).descriptor == "a local authority data lead"


def test_a_member_without_a_person_cannot_set_a_description(app, world):
    """Only a member linked to a person has a description to set: others get 404."""
    reader = browser(app, "reader@example.org")
    response = post_form(
        reader, "/me/attributions/descriptor", {"descriptor": "x"}, page="/me/attributions"
    )
    assert response.status_code == 404
