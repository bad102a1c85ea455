"""The world of the consent page tests: two series in which Jane (a
member of cop) spoke, Bob in cop only, items of every confidentiality; and
the steps a member takes on their attributions page."""

from __future__ import annotations

import html
from datetime import date

import pytest

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import Meeting, Person, Series
from notesbase.notes import items, people
from tests.conftest import PASSWORD, post_form

JANE = "Jane Doe (Open Data Manchester)"
OPEN_TEXT = "Ragwort open remark"
MEMBERS_TEXT = "Bilberry members remark"
SECRET_TEXT = "Quillfeather confidential remark"
ELSEWHERE_TEXT = "Tansy elsewhere remark"
BOB_TEXT = "Yarrow remark by Bob"


def _item(meeting, body, speaker, confidentiality=Confidentiality.OPEN):
    return items.create_item(
        meeting,
        items.ItemFields(
            kind=Kind.POINT, body=body, speaker_id=speaker.id, confidentiality=confidentiality
        ),
        actor=None,
    )


@pytest.fixture(name="world")
def world_fixture(app, make_member):
    """Series cop (meetings 1 and 2) and other (meeting 1); Jane, a member of
    cop, spoke in both series; Bob too, in cop only."""
    with app.app_context():
        cop = Series(slug="cop", title="Community of Practice")
        other = Series(slug="other", title="Other Network")
        m1 = Meeting(series=cop, number=1, title="First", date=date(2025, 1, 15))
        m2 = Meeting(series=cop, number=2, title="Second", date=date(2025, 2, 15))
        elsewhere = Meeting(series=other, number=1, title="Elsewhere", date=date(2025, 1, 20))
        db.session.add_all([cop, other, m1, m2, elsewhere])
        db.session.flush()
        jane = people.create_person(
            people.PersonFields(
                "Jane Doe", "Open Data Manchester", "a local authority data lead", None
            ),
            actor=None,
        )
        bob = people.create_person(people.PersonFields("Bob Brown", "Acme"), actor=None)
        _item(m1, OPEN_TEXT, jane)
        _item(m1, MEMBERS_TEXT, jane, Confidentiality.MEMBERS)
        _item(m1, SECRET_TEXT, jane, Confidentiality.CONFIDENTIAL)
        _item(m2, "Second meeting remark", jane)
        _item(elsewhere, ELSEWHERE_TEXT, jane)
        _item(m1, BOB_TEXT, bob)
        db.session.commit()
        ids = {"cop": cop.id, "other": other.id, "m1": m1.id, "m2": m2.id}
        ids |= {"elsewhere": elsewhere.id, "jane": jane.id, "bob": bob.id}
    cop_series = Series(id=ids["cop"], slug="cop", title="Community of Practice")
    jane_member = make_member("jane@example.org", series=[cop_series])
    bob_member = make_member("bob@example.org", series=[cop_series])
    make_member("reader@example.org", series=[cop_series])
    with app.app_context():
        for person_id, member in ((ids["jane"], jane_member), (ids["bob"], bob_member)):
            people.link_member(db.session.get(Person, person_id), member, actor=None)
        db.session.commit()
    return ids


def browser(app, email):
    """A separate logged-in browser."""
    client = app.test_client()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def page_text(client, url):
    """The page at ``url`` (which must answer 200), its entities unescaped."""
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def set_level(client, audience, level, scope="all"):
    """Posts the attributions form: ``level`` for ``audience`` over ``scope``."""
    return post_form(
        client,
        "/me/attributions/consent",
        {"audience": audience, "level": level, "scope": scope},
        page="/me/attributions",
    )


def notes_of(client, number):
    """The text of cop's meeting ``number`` notes as ``client`` reads them."""
    return page_text(client, f"/series/cop/meetings/{number}/notes")
