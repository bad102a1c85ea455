"""Text is stored without the characters that disguise or reverse it (bidi
embeddings and overrides, fillers, zero-width spaces, smuggled tag
characters), and the writer is told which were taken out: a warning beside
the editor, a field in the API's answer. Right-to-left text keeps what it
needs (marks, isolates, joiners), and an emoji flag its tags."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import Item, Meeting, Member, Person, Role, Series
from notesbase.text import clean_line, clean_text, removed_characters, shown_order
from tests.conftest import post_form

RLO, PDF = "\u202e", "\u202c"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (f"We heard {RLO}ecalevoL adA{PDF} today", "We heard Ada Lovelace today"),
        (f"{RLO}dleifworraM", "Marrowfield"),  # an override open to the end
        (f"{RLO}ab\u202dcd{PDF}ef{PDF}", "fecdba"),  # a nested run moves whole
        ("Ada\u200bLovelace", "AdaLovelace"),
        ("Ada\u3164Lovelace and Ada\uffa0Lovelace", "AdaLovelace and AdaLovelace"),
        ("soft\u00adhyphen, joiner\u2060, bom\ufeff", "softhyphen, joiner, bom"),
        ("tags\U000e0041\U000e0042 smuggled", "tags smuggled"),
        (f"a flag {SCOTLAND} stays", f"a flag {SCOTLAND} stays"),
        ("a joiner in 👩\u200d💻 stays", "a joiner in 👩\u200d💻 stays"),
        ("مرحبا \u200fبالعالم", "مرحبا \u200fبالعالم"),  # a right-to-left mark stays
        ("x \u2067שלום\u2069 y", "x \u2067שלום\u2069 y"),  # an isolate stays
    ],
)
def test_what_is_stored(typed: str, stored: str) -> None:
    """Hidden characters go, what the reader saw stays, in the order they saw it."""
    assert clean_text(typed) == stored


def test_one_line_fields_lose_isolates_too() -> None:
    """A name or heading has no use for direction controls at all."""
    assert clean_line("x \u2067Ada\u2069 y") == "x Ada y"


def test_the_removed_characters_are_named() -> None:
    """Each removed character once, in order, by its Unicode name."""
    typed = f"{RLO}ecalevoL adA{PDF} and\u200bthe\u3164x\x07"
    assert removed_characters(typed) == [
        "U+202E RIGHT-TO-LEFT OVERRIDE",
        "U+202C POP DIRECTIONAL FORMATTING",
        "U+200B ZERO WIDTH SPACE",
        "U+3164 HANGUL FILLER",
        "U+0007 CONTROL CHARACTER",
    ]
    assert removed_characters("A plain line.\nAnother.") == []
    assert removed_characters(f"a flag {SCOTLAND}") == []


def test_shown_order_leaves_text_without_overrides_alone() -> None:
    text = "Nothing to turn around: مرحبا"
    assert shown_order(text) is text


@pytest.fixture
def world(app, make_series, login_as):
    cop = make_series("cop", "Community of Practice")
    with app.app_context():
        series = db.session.get(Series, cop.id)
        db.session.add(Meeting(series=series, number=1, title="First", date=date(2025, 1, 15)))
        db.session.commit()
    return login_as(Role.FACILITATOR)


def _items(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(sa.select(Item.body, Item.section))]


def test_the_editor_stores_clean_text_and_says_what_it_took_out(app, client, world) -> None:
    """The item is saved as the reader saw it, and the next page warns."""
    data = {
        "kind": "point",
        "speaker": "",
        "new_name": "",
        "new_affiliation": "",
        "new_descriptor": "",
        "section": "Open\u200bing",
        "confidentiality": "open",
        "body": f"We heard {RLO}ecalevoL adA{PDF} say\u3164so",
        "after": "",
    }
    response = post_form(client, "/series/cop/meetings/1/notes/edit", data)
    assert response.status_code == 302
    assert _items(app) == [("We heard Ada Lovelace sayso", "Opening")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-warning" in page
    for named in ("U+202E RIGHT-TO-LEFT OVERRIDE", "U+3164 HANGUL FILLER", "U+200B ZERO WIDTH"):
        assert named in page


def test_a_clean_save_warns_of_nothing(app, client, world) -> None:
    data = {
        "kind": "point",
        "speaker": "",
        "new_name": "",
        "new_affiliation": "",
        "new_descriptor": "",
        "section": "",
        "confidentiality": "open",
        "body": "An ordinary point.",
        "after": "",
    }
    response = post_form(client, "/series/cop/meetings/1/notes/edit", data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-warning" not in page


def test_the_api_answer_names_what_it_took_out(app, client, world) -> None:
    """A created item and person answer with ``removed_characters`` per field;
    an item changed later too; a clean write has no such field."""
    with app.app_context():
        facilitator = db.session.scalar(sa.select(Member).where(Member.role == Role.FACILITATOR))
        _row, token = tokens.create_token(facilitator, actor=None)
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/v1/series/cop/meetings/1/items",
        json={"kind": "point", "body": f"{RLO}dleifworraM{PDF} spoke", "section": "A\u200bB"},
        headers=headers,
    )
    assert created.status_code == 201
    assert created.get_json()["removed_characters"] == {
        "body": ["U+202E RIGHT-TO-LEFT OVERRIDE", "U+202C POP DIRECTIONAL FORMATTING"],
        "section": ["U+200B ZERO WIDTH SPACE"],
    }
    assert _items(app) == [("Marrowfield spoke", "AB")]
    item_id = created.get_json()["id"]
    changed = client.patch(
        f"/api/v1/items/{item_id}", json={"body": "Now\u3164clean"}, headers=headers
    )
    assert changed.get_json()["removed_characters"] == {"body": ["U+3164 HANGUL FILLER"]}
    plain = client.patch(f"/api/v1/items/{item_id}", json={"body": "Plain."}, headers=headers)
    assert "removed_characters" not in plain.get_json()
    person = client.post(
        "/api/v1/people", json={"name": "Quillon\u3164Marrowfield"}, headers=headers
    )
    assert person.status_code == 201
    assert person.get_json()["removed_characters"] == {"name": ["U+3164 HANGUL FILLER"]}
    with app.app_context():
        assert db.session.get(Person, person.get_json()["id"]).name == "QuillonMarrowfield"
