"""A name, affiliation or descriptor is replaced wherever it is typed in the
notes for those it is withheld from, so one that would rewrite ordinary text
(a stop word, under three letters, a common English word) is refused with a
clear message: on the people pages, on the member's own page and in the API.
One already stored is read safely: a stop word is not withheld, a common
word only where it is written with a capital."""

from __future__ import annotations

import html
from datetime import date

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.disclosure import (
    Audience,
    Confidentiality,
    ItemFacts,
    Kind,
    Notes,
    PersonFacts,
    disclose,
)
from notesbase.disclosure.words import GENERIC_ORGANISATION_WORDS, distinctive_words, term_problem
from notesbase.models import Meeting, Member, Person, Role, Series
from notesbase.notes import people
from tests.conftest import PASSWORD, post_form

REFUSED = [
    ("name", "Will", "common English word"),
    ("name", "the", "common English word"),
    ("name", "Jo", "shorter than three letters"),
    ("name", "of the", "such as “the” and “of”"),
    ("affiliation", "Data", "common English word"),
    ("affiliation", "tһe", "common English word"),  # a Cyrillic һ
    ("descriptor", "the", "common English word"),
    ("descriptor", "lead", "common English word"),
    ("descriptor", "AI", "shorter than three letters"),
]
ACCEPTED = [
    ("name", "Ada Lovelace"),
    ("name", "Ada"),
    ("name", "王小明"),  # a whole name in two or three signs
    ("affiliation", "Cabinet Office"),
    ("affiliation", "Heronsgate Council"),
    ("descriptor", "a local authority data lead"),
]


@pytest.mark.parametrize(("field", "value", "message"), REFUSED)
def test_term_problem_says_why(field, value, message) -> None:
    """Each refused term gets a message saying what would go wrong."""
    problem = term_problem(value, field)
    assert problem is not None and message in problem


@pytest.mark.parametrize(("field", "value"), ACCEPTED)
def test_ordinary_terms_are_accepted(field, value) -> None:
    assert term_problem(value, field) is None


@pytest.fixture
def facilitator(app, make_member):
    make_member("fac@example.org", role=Role.FACILITATOR)
    client = app.test_client()
    assert post_form(client, "/login", {"email": "fac@example.org", "password": PASSWORD})
    return client


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


@pytest.mark.parametrize(("field", "value", "message"), REFUSED)
def test_the_people_form_refuses_a_term_that_would_rewrite_the_notes(
    app, facilitator, field, value, message
) -> None:
    """422, the message beside its field, nobody added."""
    data = {"name": "Ada Lovelace", field: value}
    response = post_form(facilitator, "/people/new", data)
    assert response.status_code == 422
    body = html.unescape(response.get_data(as_text=True))
    assert f'id="{field}-error"' in body
    assert message in body
    assert _people(app) == 0


@pytest.mark.parametrize(("field", "value", "message"), REFUSED)
def test_the_api_refuses_a_term_that_would_rewrite_the_notes(
    app, make_member, field, value, message
) -> None:
    """422 naming the field, nobody added."""
    member = make_member("fac@example.org", role=Role.FACILITATOR)
    with app.app_context():
        _row, token = tokens.create_token(db.session.get(Member, member.id), actor=None)
        db.session.commit()
    response = app.test_client().post(
        "/api/v1/people",
        json={"name": "Ada Lovelace", field: value},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert message in response.get_json()["error"]["fields"][field]
    assert _people(app) == 0


def test_a_member_may_not_describe_themself_with_a_common_word(app, make_member) -> None:
    """The member's own descriptor form refuses "the" and keeps the old one."""
    with app.app_context():
        series = Series(slug="cop", title="Community of Practice")
        meeting = Meeting(series=series, number=1, title="First", date=date(2025, 1, 1))
        db.session.add_all([series, meeting])
        db.session.commit()
        series_id = series.id
    member = make_member("ada@example.org", series=[db_series(app, series_id)])
    with app.app_context():
        person = people.create_person(
            people.PersonFields("Ada Lovelace", "", "a data lead"), actor=None
        )
        people.link_member(person, db.session.get(Member, member.id), actor=None)
        db.session.commit()
        person_id = person.id
    client = app.test_client()
    post_form(client, "/login", {"email": "ada@example.org", "password": PASSWORD})
    response = post_form(
        client, "/me/attributions/descriptor", {"descriptor": "the"}, page="/me/attributions"
    )
    assert response.status_code == 422
    assert "common English word" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Person, person_id).descriptor == "a data lead"


def db_series(app, series_id: int) -> Series:
    with app.app_context():
        return db.session.get(Series, series_id)


def test_a_stored_common_word_does_not_rewrite_every_text() -> None:
    """Stored before it was refused, the descriptor "the" withholds nothing,
    and a name "Grace" only where it is written with a capital."""
    person = PersonFacts(1, "Grace", "", "the")
    notes = Notes(
        1,
        1,
        [
            ItemFacts(
                1, 0, Kind.POINT, "The group reviewed the data standards.", Confidentiality.OPEN
            ),
            ItemFacts(2, 1, Kind.POINT, "We said grace. Grace said so.", Confidentiality.OPEN),
        ],
        [person],
    )
    shown = [item.body_text for item in disclose(notes, Audience.PUBLIC).items]
    assert shown == [
        "The group reviewed the data standards.",
        "We said grace. A participant said so.",
    ]


@pytest.mark.parametrize(
    ("affiliation", "distinctive"),
    [
        ("Heronsgate Council", ["Heronsgate"]),
        ("Testshire County Council", ["Testshire"]),
        ("Marrowfield Borough", ["Marrowfield"]),
        ("London Borough of Camden", ["Camden"]),
        ("Open Data Manchester", ["Manchester"]),
        ("Government Digital Service", []),
        ("Cabinet Office", []),
        ("NHS England", []),
    ],
)
def test_the_words_that_identify_an_affiliation(affiliation, distinctive) -> None:
    """Generic, common and stop words never identify an organisation alone."""
    assert list(distinctive_words(affiliation)) == distinctive


def test_no_generic_organisation_word_is_distinctive() -> None:
    """The domain list: every word in it is generic however it is typed."""
    for word in sorted(GENERIC_ORGANISATION_WORDS):
        assert distinctive_words(word.title()) == (), word
        assert distinctive_words(word.upper()) == (), word
