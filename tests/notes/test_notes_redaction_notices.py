"""The editor tells the facilitator, beside the item, about every redaction
that cannot be read (hidden from members and the public until fixed) and
every sentence a redaction leaves broken: on the item's form, in the list of
items, after saving, and in the preview, whose columns never show the words."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import Item, Meeting, Role, Series
from notesbase.notes.items import ItemFields, create_item, update_item
from tests.conftest import post_form

NOTES = "/series/cop/meetings/1/notes"
SECRET = "Quillfeather"
TYPO = f"We met [{SECRET}]{{.confidental}} today."
BROKEN = "The pilot ran in [Northtown]{.confidential} and [Southtown]{.confidential}; it is over."


@pytest.fixture
def world(app, make_series):
    """Meeting 1 of 'cop': a clean item, one with a mistyped class, one whose
    cut leaves a broken sentence, and one under a heading that cannot be read."""
    cop = make_series("cop", "Community of Practice")
    with app.app_context():
        series = db.session.get(Series, cop.id)
        meeting = Meeting(series=series, number=1, title="First", date=date(2025, 1, 15))
        db.session.add(meeting)
        db.session.flush()
        ids = [
            create_item(meeting, ItemFields(Kind.POINT, body, section), actor=None).id
            for body, section in (
                ("We met [Ann]{.confidential} yesterday.", "Opening"),
                (TYPO, "Opening"),
                (BROKEN, "Opening"),
                ("Open words.", f"Budget [{SECRET}] {{.members}}"),
            )
        ]
        db.session.commit()
        return ids


@pytest.fixture
def facilitator(login_as):
    return login_as(Role.FACILITATOR)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_item_form_warns_about_a_mistyped_class(app, client, facilitator, world):
    """The item's page says, as an alert, which markup could not be read,
    what to write instead and that the words are hidden meanwhile."""
    html = page(client, f"{NOTES}/items/{world[1]}/edit")
    assert 'role="alert"' in html
    assert "Item 2: a redaction cannot be read" in html
    assert (
        "`{.confidental}` is not a redaction class: did you mean `{.confidential}`? "
        "The words it marks are hidden from members and the public until you fix it."
    ) in html


def test_item_form_of_a_clean_item_has_no_warning(app, client, facilitator, world):
    """A clean cut gives no warning."""
    html = page(client, f"{NOTES}/items/{world[0]}/edit")
    assert "redaction-notices" not in html


def test_item_form_tells_what_a_broken_sentence_will_read(app, client, facilitator, world):
    """A sentence a cut leaves broken is quoted as the readers will read it."""
    html = page(client, f"{NOTES}/items/{world[2]}/edit")
    assert (
        "After redaction, members and the public will read: “The pilot ran in and; it is "
        'over.” — add alt="…" to the span to say what they read instead.'
    ) in html


def test_editor_lists_the_warnings_beside_each_item(app, client, facilitator, world):
    """The list of items carries each item's warning, the heading's included."""
    html = page(client, f"{NOTES}/edit")
    assert "Item 2: a redaction cannot be read" in html
    assert "Item 3: a sentence reads broken" in html
    assert "Item 4: a redaction cannot be read" in html
    assert "The section heading is hidden from members and the public" in html
    assert html.count("redaction-notices") == 3


def test_saving_a_mistyped_class_warns_at_once(app, client, facilitator, world):
    """Saving an item with markup that cannot be read says so straight away."""
    data = {
        "kind": "point",
        "speaker": "",
        "new_name": "",
        "new_affiliation": "",
        "new_descriptor": "",
        "section": "Opening",
        "confidentiality": "open",
        "body": "We met [the CDO]{.members-only} there.",
        "after": "",
    }
    response = post_form(client, f"{NOTES}/edit", data, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "was saved, but a redaction in it cannot be read" in html
    assert "`{.members-only}` is not a redaction class: did you mean `{.members}`?" in html


def test_preview_lists_what_to_fix_and_no_column_shows_the_words(app, client, facilitator, world):
    """The preview lists the items to fix or check, with a link to each, and
    neither the members' nor the public's column shows the hidden words."""
    html = page(client, f"{NOTES}/preview")
    assert "Redactions to fix or check: 3 items" in html
    assert f"{NOTES}/items/{world[1]}/edit" in html
    assert "After redaction, members and the public will read" in html
    columns = html.split('class="preview-columns"', 1)[1]
    assert SECRET not in columns
    assert "Budget" not in columns


def test_members_see_neither_the_words_nor_the_warnings(app, client, login_as, world):
    """A member of the series reads the notes without the hidden words, the
    heading that could not be read, or any warning."""
    with app.app_context():
        series = db.session.scalar(sa.select(Series).where(Series.slug == "cop"))
    login_as(Role.MEMBER, series=[series])
    html = page(client, NOTES)
    assert "Open words." in html
    assert SECRET not in html
    assert "Budget" not in html
    assert "redaction-notices" not in html
    assert "cannot be read" not in html


def test_the_warnings_follow_an_item_when_it_is_fixed(app, client, facilitator, world):
    """The editor keeps what it told about each saved item; once an item is
    fixed, its warning goes from the next page, and only its own."""
    assert "Item 2: a redaction cannot be read" in page(client, f"{NOTES}/edit")
    with app.app_context():
        item = db.session.get(Item, world[1])
        fixed = ItemFields(item.kind, TYPO.replace("confidental", "confidential"), item.section)
        update_item(item, fixed, actor=None)
        db.session.commit()
    html = page(client, f"{NOTES}/edit")
    assert "Item 2: a redaction cannot be read" not in html
    assert "Item 3: a sentence reads broken" in html
    assert html.count("redaction-notices") == 2
