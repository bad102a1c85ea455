"""Unicode in names, titles and queries is handled one way everywhere: text
is stored in NFC, invisible and direction-changing characters are dropped
from one-line fields (so a name cannot be hidden or spoofed), and search
finds a word however its accents were typed, in both directions."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import Member, Person, Role, Series
from notesbase.search import service as search
from tests.conftest import post_form
from tests.hostile.world_support import add_meeting

COMPOSED = "José Núñez"
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)
# Zero-width space and joiner, right-to-left override, left-to-right isolate
# and pop, byte order mark: what a spoofed or hidden name is made of.
HIDDEN = "\u200b\u200d\u202e\u2066\u2069\ufeff"
SPOOFED = f"Jo{HIDDEN[:3]}se\u0301 N\u2066u\u0301n\u0303ez{HIDDEN}"
assert COMPOSED != DECOMPOSED


def _describe(app, text: str) -> None:
    """A public meeting whose description mentions ``text``."""
    add_meeting(app, description=f"{text} spoke.")


@pytest.mark.parametrize(
    ("stored", "typed"),
    [(COMPOSED, DECOMPOSED), (DECOMPOSED, COMPOSED)],
    ids=["composed-found-by-decomposed", "decomposed-found-by-composed"],
)
def test_search_finds_a_name_however_its_accents_were_typed(app, client, stored, typed):
    """Stored one way and searched the other, the name is found (the search
    page, and the service the API shares)."""
    _describe(app, stored)
    page = client.get("/search", query_string={"q": typed}).get_data(as_text=True)
    assert page.count('<li class="search-hit">') == 1
    with app.app_context():
        assert search.search(None, f'"{typed}"').total == 1


def test_invisible_characters_in_a_query_are_ignored(app, client):
    """A query with zero-width and direction-changing characters inside its
    words finds them as the reader sees them (the service, the page and the
    API)."""
    _describe(app, COMPOSED)
    with app.app_context():
        assert search.search(None, SPOOFED).total == 1
    page = client.get("/search", query_string={"q": SPOOFED}).get_data(as_text=True)
    assert page.count('<li class="search-hit">') == 1
    answer = client.get("/api/v1/search", query_string={"q": SPOOFED}).get_json()
    assert answer["total"] == 1


def test_names_and_titles_drop_invisible_and_bidi_characters(app, client, login_as):
    """A person's name, affiliation and descriptor, and a series' and a
    meeting's title, typed with zero-width and direction-changing
    characters, are stored as the reader sees them: NFC, none of those."""
    login_as(Role.FACILITATOR)
    response = post_form(
        client,
        "/people/new",
        {"name": SPOOFED, "affiliation": f"Acme{HIDDEN} Ltd", "descriptor": f"a{HIDDEN} lead"},
    )
    assert response.status_code == 302
    response = post_form(client, "/series/new", {"title": SPOOFED, "slug": "cop"})
    assert response.status_code == 302
    response = post_form(
        client,
        "/series/cop/meetings/new",
        {"number": "1", "title": f"Kick{HIDDEN}-off", "date": "2025-01-15"},
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(sa.select(Person))
        assert (person.name, person.affiliation, person.descriptor) == (
            COMPOSED,
            "Acme Ltd",
            "a lead",
        )
        series = db.session.scalar(sa.select(Series))
        assert (series.title, series.meetings[0].title) == (COMPOSED, "Kick-off")


def test_api_names_drop_invisible_characters(app, client, make_member):
    """The same through the JSON API."""
    facilitator = make_member("f@example.org", role=Role.FACILITATOR)
    with app.app_context():
        _, token = tokens.create_token(db.session.get(Member, facilitator.id), actor=None)
        db.session.commit()
    response = client.post(
        "/api/v1/people",
        json={"name": SPOOFED, "affiliation": f"Acme{HIDDEN}"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    with app.app_context():
        person = db.session.get(Person, response.get_json()["id"])
        assert (person.name, person.affiliation) == (COMPOSED, "Acme")


def test_a_name_of_invisible_characters_only_is_refused(app, client, login_as):
    """Nothing visible is no name: the form says so (422) and stores nothing."""
    login_as(Role.FACILITATOR)
    response = post_form(client, "/people/new", {"name": HIDDEN})
    assert response.status_code == 422
    assert "Enter the person" in response.get_data(as_text=True)
    response = post_form(client, "/series/new", {"title": HIDDEN, "slug": "cop"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Series.id))) == 0


def test_people_and_emails_typed_either_way_are_the_same(app, client, login_as):
    """Finding people matches either form, and an email address typed with
    a combining accent is stored as the precomposed one, so the two compare
    equal."""
    login_as(Role.FACILITATOR)
    for name, email in ((COMPOSED, "josé@example.org"), (DECOMPOSED, "jose\u0301@example.org")):
        response = post_form(client, "/people/new", {"name": name, "email": email})
        assert response.status_code == 302
    with app.app_context():
        rows = db.session.execute(sa.select(Person.name, Person.email)).all()
        assert [tuple(row) for row in rows] == [(COMPOSED, "josé@example.org")] * 2
    for query in (COMPOSED, DECOMPOSED):
        listing = client.get("/people/", query_string={"q": query}).get_data(as_text=True)
        assert listing.count(COMPOSED) >= 2


def test_member_accounts_are_one_per_address_however_it_was_typed(app, make_member):
    """An account's email and display name get the same cleaning: a second
    account for the decomposed form of an address is refused, and a display
    name loses NUL, zero-width and direction-changing characters."""
    from notesbase.auth import service as accounts

    make_member("josé@example.org")
    with app.app_context():
        with pytest.raises(accounts.AccountError, match="already an account"):
            accounts.check_new_email("jose\u0301@example.org")
        assert accounts.find_member_by_email(f"JOSE\u0301{HIDDEN}@example.org") is not None
        assert accounts.check_display_name(f"E\x00ve{HIDDEN} Smith") == "Eve Smith"
