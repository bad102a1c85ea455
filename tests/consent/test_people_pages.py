"""People, for facilitators: list and find, add and edit, link a member
account, record consent given in the room and withdraw it."""

from __future__ import annotations

import html
from datetime import date

import pytest
import sqlalchemy as sa

from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import Consent, Meeting, Member, Person, Role, Series
from notesbase.notes import items, people
from tests.conftest import PASSWORD, csrf_token_from, post_form

SECRET_TEXT = "Quillfeather confidential remark"
OPEN_TEXT = "Ragwort open remark"


@pytest.fixture
def world(app, make_member):
    """A series with two meetings, Jane (who spoke at both) and Bob."""
    with app.app_context():
        cop = Series(slug="cop", title="Community of Practice")
        m1 = Meeting(series=cop, number=1, title="First", date=date(2025, 1, 15))
        m2 = Meeting(series=cop, number=2, title="Second", date=date(2025, 2, 15))
        db.session.add_all([cop, m1, m2])
        db.session.flush()
        jane = people.create_person(
            people.PersonFields("Jane Doe", "Open Data Manchester", "a data lead", None),
            actor=None,
        )
        bob = people.create_person(people.PersonFields("Bob Brown", "Acme"), actor=None)
        for meeting, body, confidentiality in (
            (m1, OPEN_TEXT, Confidentiality.OPEN),
            (m1, SECRET_TEXT, Confidentiality.CONFIDENTIAL),
            (m2, "Second meeting remark", Confidentiality.OPEN),
        ):
            items.create_item(
                meeting,
                items.ItemFields(
                    kind=Kind.POINT,
                    body=body,
                    speaker_id=jane.id,
                    confidentiality=confidentiality,
                ),
                actor=None,
            )
        db.session.commit()
        ids = {"cop": cop.id, "m1": m1.id, "m2": m2.id, "jane": jane.id, "bob": bob.id}
    cop = Series(id=ids["cop"], slug="cop", title="Community of Practice")
    make_member("reader@example.org", series=[cop])
    return ids


def browser(app, email):
    client = app.test_client()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def facilitator(app, make_member):
    make_member("fac@example.org", role=Role.FACILITATOR, name="Fiona Fac")
    return browser(app, "fac@example.org")


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def person_row(app, person_id):
    with app.app_context():
        p = db.session.get(Person, person_id)
        return (p.name, p.affiliation, p.descriptor, p.email, p.member_id)


def grants_of(app, person_id):
    with app.app_context():
        return [
            (c.audience.value, c.level.value, c.series_id, c.meeting_id, c.note)
            for c in grants.active_grants(db.session.get(Person, person_id))
        ]


PAGES = ["/people/", "/people/new", "/people/{jane}"]
ACTIONS = [
    "/people/new",
    "/people/{jane}",
    "/people/{jane}/consent",
    "/people/{jane}/consent/{consent}/withdraw",
]


@pytest.mark.parametrize(
    ("method", "url"), [("GET", u) for u in PAGES] + [("POST", u) for u in ACTIONS]
)
@pytest.mark.parametrize("role", [None, Role.MEMBER], ids=["anonymous", "member"])
def test_people_pages_are_for_facilitators(app, world, method, url, role):
    """Anonymous → login; a member → 403; nothing changes."""
    with app.app_context():
        jane = db.session.get(Person, world["jane"])
        consent = grants.grant(jane, "member", "named", Scope(), actor=None)
        db.session.commit()
        consent_id = consent.id
    url = url.format(jane=world["jane"], consent=consent_id)
    client = app.test_client() if role is None else browser(app, "reader@example.org")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    data = {"csrf_token": token, "name": "X", "audience": "public", "level": "named"}
    response = client.open(url, method=method, data=data if method == "POST" else None)
    if role is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403
    assert person_row(app, world["jane"])[0] == "Jane Doe"
    assert grants_of(app, world["jane"]) == [("member", "named", None, None, "")]


def test_list_and_search_by_name(app, world, facilitator):
    """The list shows everyone; the search keeps names containing the words,
    ignoring case and accents."""
    everyone = text_of(facilitator.get("/people/"))
    assert "Jane Doe" in everyone and "Bob Brown" in everyone
    found = text_of(facilitator.get("/people/?q=JÁNE"))
    assert "Jane Doe" in found and "Bob Brown" not in found
    assert "Nobody matches that name." in text_of(facilitator.get("/people/?q=zebedee"))


def test_add_a_person_linked_to_a_member(app, world, facilitator):
    """A new person is created and linked to the member account named by email."""
    response = post_form(
        facilitator,
        "/people/new",
        {
            "name": "  Ann   Lee ",
            "affiliation": "City Council",
            "descriptor": "a planner",
            "email": "ann@council.example",
            "member_email": "READER@example.org",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        ann = db.session.scalar(sa.select(Person).where(Person.name == "Ann Lee"))
        reader = db.session.scalar(sa.select(Member).where(Member.email == "reader@example.org"))
        assert ann.member_id == reader.id
        assert (ann.affiliation, ann.descriptor, ann.email) == (
            "City Council",
            "a planner",
            "ann@council.example",
        )
        assert response.headers["Location"].endswith(f"/people/{ann.id}")
    reader = browser(app, "reader@example.org")
    assert "My attributions" in text_of(reader.get("/"))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the person's name."),
        ({"name": "Ann", "member_email": "nobody@example.org"}, "member_email", "no member"),
        ({"name": "Ann", "email": "not an email"}, "email", "not a valid email"),
        ({"name": "A" * 201}, "name", "characters"),
    ],
)
def test_a_refused_person_form_writes_nothing(app, world, facilitator, data, field, message):
    """Bad input: 422, the message beside its field, no person added."""
    response = post_form(facilitator, "/people/new", data)
    assert response.status_code == 422
    body = text_of(response)
    assert f'id="{field}-error"' in body
    assert message.lower() in body.lower()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 2


def test_edit_details_and_unlink(app, world, facilitator, make_member):
    """Editing saves the details; linking to a member taken by another person
    is refused; clearing the member email unlinks."""
    url = f"/people/{world['jane']}"
    data = {"name": "Jane Doe", "affiliation": "ODM", "descriptor": "a lead", "email": ""}
    response = post_form(facilitator, url, {**data, "member_email": "reader@example.org"})
    assert response.status_code == 302
    _name, affiliation, descriptor, email, member_id = person_row(app, world["jane"])
    assert (affiliation, descriptor, email) == ("ODM", "a lead", None)
    assert member_id is not None
    # The same member cannot be linked to Bob as well; Bob's edit is not half-saved.
    response = post_form(
        facilitator,
        f"/people/{world['bob']}",
        {"name": "Robert Brown", "member_email": "reader@example.org"},
    )
    assert response.status_code == 422
    assert "already linked to another person" in text_of(response)
    assert person_row(app, world["bob"])[0] == "Bob Brown"
    response = post_form(facilitator, url, {**data, "member_email": ""})
    assert response.status_code == 302
    assert person_row(app, world["jane"])[4] is None


def test_missing_person_is_404(app, world, facilitator):
    """An unknown person id is a 404 on every people route."""
    assert facilitator.get("/people/9999").status_code == 404
    assert post_form(facilitator, "/people/9999/consent", {}, page="/people/").status_code == 404


def test_facilitator_records_consent_given_in_the_room(app, world, facilitator):
    """A recorded grant keeps the note and who recorded it, and the notes
    page credits the person on the very next request."""
    reader = browser(app, "reader@example.org")
    assert "Jane Doe" not in text_of(reader.get("/series/cop/meetings/1/notes"))
    url = f"/people/{world['jane']}/consent"
    response = post_form(
        facilitator,
        url,
        {
            "audience": "member",
            "level": "named",
            "scope": f"meeting-{world['m1']}",
            "note": "given in the room",
        },
        page=f"/people/{world['jane']}",
    )
    assert response.status_code == 302
    assert grants_of(app, world["jane"]) == [
        ("member", "named", None, world["m1"], "given in the room")
    ]
    with app.app_context():
        consent = db.session.scalar(sa.select(Consent))
        assert consent.granted_by.email == "fac@example.org"
    assert "Jane Doe (Open Data Manchester)" in text_of(reader.get("/series/cop/meetings/1/notes"))
    assert "Jane Doe" not in text_of(reader.get("/series/cop/meetings/2/notes"))
    page = text_of(facilitator.get(f"/people/{world['jane']}"))
    assert "given in the room" in page and "Fiona Fac" in page


def test_a_blank_note_gets_the_default(app, world, facilitator):
    """Without a note the grant says it was recorded by a facilitator."""
    response = post_form(
        facilitator,
        f"/people/{world['jane']}/consent",
        {"audience": "public", "level": "affiliation", "scope": f"series-{world['cop']}"},
        page=f"/people/{world['jane']}",
    )
    assert response.status_code == 302
    assert grants_of(app, world["jane"]) == [
        ("public", "affiliation", world["cop"], None, "Recorded by a facilitator")
    ]


def test_an_invalid_recording_is_refused(app, world, facilitator):
    """An unknown level or a note over 300 characters: 422, nothing recorded."""
    page = f"/people/{world['jane']}"
    base = {"audience": "member", "level": "named", "scope": "all"}
    for data, field in (({"level": "famous"}, "level"), ({"note": "x" * 301}, "note")):
        response = post_form(facilitator, f"{page}/consent", {**base, **data}, page=page)
        assert response.status_code == 422
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert grants_of(app, world["jane"]) == []


def test_withdraw_falls_back_and_checks_the_person(app, world, facilitator):
    """Withdrawing a meeting grant falls back to the everywhere grant; a grant
    of another person under this person's URL is a 404."""
    with app.app_context():
        jane = db.session.get(Person, world["jane"])
        bob = db.session.get(Person, world["bob"])
        meeting = db.session.get(Meeting, world["m1"])
        grants.grant(jane, ConsentAudience.MEMBER, Level.AFFILIATION, Scope(), actor=None)
        narrow = grants.grant(
            jane, ConsentAudience.MEMBER, Level.NAMED, Scope(meeting=meeting), actor=None
        )
        bobs = grants.grant(bob, ConsentAudience.MEMBER, Level.NAMED, Scope(), actor=None)
        db.session.commit()
        narrow_id, bobs_id = narrow.id, bobs.id
    page = f"/people/{world['jane']}"
    response = post_form(facilitator, f"{page}/consent/{bobs_id}/withdraw", {}, page=page)
    assert response.status_code == 404
    response = post_form(facilitator, f"{page}/consent/{narrow_id}/withdraw", {}, page=page)
    assert response.status_code == 302
    followed = text_of(facilitator.get(page))
    assert "from the grant for everywhere" in followed
    reader = browser(app, "reader@example.org")
    notes = text_of(reader.get("/series/cop/meetings/1/notes"))
    assert "Someone from Open Data Manchester" in notes
    assert "Jane Doe" not in notes


def test_person_page_lists_every_item_for_facilitators(app, world, facilitator):
    """Facilitators see every item recorded against the person, confidential
    ones marked, with how members and the public read each."""
    body = text_of(facilitator.get(f"/people/{world['jane']}"))
    assert OPEN_TEXT in body and SECRET_TEXT in body and "Second meeting remark" in body
    assert "Not shown to members: confidential." in body
    assert "Confidential" in body
