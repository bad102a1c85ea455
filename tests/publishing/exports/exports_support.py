"""The world of the notes export tests (Markdown, print page, PDF): a
series whose notes plant a person released to nobody, confidential and
redacted text and an author whose name must not travel; and the check that
none of it reached an export."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

import pytest

from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import Meeting, Member, Role, Series
from notesbase.notes.items import ItemFields, create_item
from notesbase.notes.people import PersonFields, create_person

NOTES = "/series/cop/meetings/1/notes"
MARKDOWN = NOTES + ".md"
PRINT = NOTES + "/print"

# Named to members: shows in the exports.
JANE, JANE_ORG = "Jane Doe", "Open Data Manchester"
# Never released to anyone: must never show.
PLANTED = "Zebedee Quartermaine"
PLANTED_ORG = "Quillfeather Holdings"
PLANTED_EMAIL = "zebedee@quillfeather.example"
PLANTED_DESCRIPTOR = "a sea-shanty composer from Hull"
CONFIDENTIAL = "Project Nightjar will close in March"
REDACTED = "the Nightjar codename"
AUTHOR = "Fenella Notetaker"
MEMBERS_ONLY = "Members may see this remark"
BODIES = [
    f"{PLANTED} said the budget doubled.",
    f"{PLANTED.upper()} AGREED.",
    f"{PLANTED.split()[1]}'s plan was discussed.",
    "Z\u00e9b\u00e9d\u00e9e Quartermaine (accented) objected.",
    "Zebe\u200bdee Quarter\u200bmaine, zero-width split, replied.",
    f"Write to {PLANTED_EMAIL} for the slides.",
    f"Colleagues at {PLANTED_ORG} and {PLANTED_ORG.upper()}' staff.",
    f"Spoken by {PLANTED_DESCRIPTOR}.",
    f"An open point mentioning [{REDACTED}]{{.confidential}} in passing.",
]
FORBIDDEN = [PLANTED, "Quartermaine", PLANTED_ORG, PLANTED_EMAIL, PLANTED_DESCRIPTOR]
FORBIDDEN += [CONFIDENTIAL, REDACTED, AUTHOR]


def fold(text: str) -> str:
    """Case, accents and zero-width characters out, for "never appears" checks."""
    text = unicodedata.normalize("NFKD", text).replace("\u200b", "")
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def assert_clean(text: str, where: str) -> None:
    """Nothing forbidden in ``text``, however spelled, and no person or member ids."""
    folded = fold(text)
    for term in FORBIDDEN:
        assert fold(term) not in folded, f"{term!r} in {where}"
    ids = re.findall(r"(?:person|speaker|author|member)[_-]?id\W+\d+", text, re.IGNORECASE)
    assert not ids, where


@pytest.fixture(name="world")
def world_fixture(app, make_series, make_member):
    """Series cop (meeting 1 with notes, meeting 2 with a name in its title),
    series other; Jane named to members; the planted person released to
    nobody; items written by a facilitator whose name must not travel."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Other Series")
    author = make_member("author@example.org", role=Role.FACILITATOR, name=AUTHOR)
    with app.app_context():
        series = db.session.get(Series, cop.id)
        first = Meeting(
            series=series,
            number=1,
            title="Roundtable on shared data",
            date=date(2025, 6, 10),
            start_time=time(18, 0),
            timezone="Europe/London",
        )
        second = Meeting(
            series=series, number=2, title=f"Fireside chat with {PLANTED}", date=date(2025, 7, 1)
        )
        db.session.add_all([first, second])
        db.session.flush()
        writer = db.session.get(Member, author.id)
        jane = create_person(PersonFields(JANE, JANE_ORG), actor=writer)
        grants.grant(jane, ConsentAudience.MEMBER, Level.NAMED, Scope(), actor=writer)
        planted = create_person(
            PersonFields(PLANTED, PLANTED_ORG, PLANTED_DESCRIPTOR, PLANTED_EMAIL), actor=writer
        )
        rows = [
            (Kind.QUOTE, "Share the *data*, openly.", "Opening", jane.id, Confidentiality.OPEN),
            (Kind.POINT, MEMBERS_ONLY, "Opening", planted.id, Confidentiality.MEMBERS),
            (Kind.DECISION, CONFIDENTIAL, "Opening", jane.id, Confidentiality.CONFIDENTIAL),
        ]
        rows += [(Kind.POINT, body, "Discussion", None, Confidentiality.OPEN) for body in BODIES]
        for kind, body, section, speaker, confidentiality in rows:
            create_item(
                first, ItemFields(kind, body, section, speaker, confidentiality), actor=writer
            )
        create_item(second, ItemFields(Kind.POINT, "A quiet chat."), actor=writer)
        db.session.commit()
        ids = {"jane": jane.id, "planted": planted.id, "author": author.id}
    return {"cop": cop, "other": other, **ids}
