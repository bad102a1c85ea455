"""Withheld names, surnames, affiliations (whole and by their distinctive
words), descriptors and email addresses typed every hostile way the
confusables data allows (``tests.hostile.spellings_support``): nothing withheld can
be read in what members or the public are shown, in any Markdown context,
and a title or article never dangles before a stand-in."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.disclosure import (
    Audience,
    Confidentiality,
    ConsentAudience,
    Grant,
    ItemFacts,
    Kind,
    Level,
    Notes,
    disclose,
)
from notesbase.text import clean_line, clean_text
from tests.disclosure.builders_support import CONTEXTS, MEETING, QUILLON, SERIES, TERMS, at
from tests.hostile.spellings_support import Spelling, spellings, survivors

# Released to members by descriptor only: name, affiliation and email stay
# withheld there; the public gets nothing.
GRANTS = (Grant(1, ConsentAudience.MEMBER, Level.DESCRIPTOR, at(1), series_id=SERIES),)
WITHHELD = {
    Audience.PUBLIC: set(TERMS.values()),
    Audience.MEMBER: set(TERMS.values()) - {QUILLON.descriptor},
}
STAND_INS = ("a participant", "an organisation", "Thornbury data steward")
HONORIFIC_BEFORE_STAND_IN = re.compile(
    r"\b(?:mr|mrs|ms|mx|dr|prof|cllr)\.?\s+(?:" + "|".join(STAND_INS) + ")", re.IGNORECASE
)
ARTICLE_BEFORE_STAND_IN = re.compile(r"\b(?:the|an?)\s+an organisation\b", re.IGNORECASE)

SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _notes(bodies: list[str], section: str = "") -> Notes:
    items = [
        ItemFacts(index + 1, index, Kind.POINT, clean_text(body), Confidentiality.OPEN, section)
        for index, body in enumerate(bodies)
    ]
    return Notes(SERIES, MEETING, items, [QUILLON], GRANTS)


def _check(notes: Notes, where: str) -> None:
    for audience in (Audience.PUBLIC, Audience.MEMBER):
        view = disclose(notes, audience)
        shown = view.text()
        assert not survivors(shown, WITHHELD[audience]), (audience, where, shown)
        assert not HONORIFIC_BEFORE_STAND_IN.search(shown), (audience, where, shown)
        assert not ARTICLE_BEFORE_STAND_IN.search(shown), (audience, where, shown)


@SETTINGS
@given(spellings(TERMS), st.sampled_from(CONTEXTS))
def test_no_hostile_spelling_is_shown(spelling: Spelling, context: str) -> None:
    """Typed however the confusables data allows, in any context, the term
    cannot be read in a member's or the public's view (stored as the door
    stores it, and as it was before the door: both are read)."""
    body = context.format(spelling.text)
    _check(_notes([body]), repr(body))
    raw = Notes(
        SERIES,
        MEETING,
        [ItemFacts(1, 0, Kind.POINT, body, Confidentiality.OPEN)],
        [QUILLON],
        GRANTS,
    )
    _check(raw, "unstored " + repr(body))


@settings(SETTINGS, max_examples=100)
@given(spellings(TERMS))
def test_no_hostile_spelling_is_shown_in_a_heading(spelling: Spelling) -> None:
    """A section heading is a line: typed hostile, it shows nothing withheld."""
    _check(_notes(["An ordinary point."], clean_line(spelling.text)), repr(spelling.text))


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("ꓠꓳꓪ Quillon ꓟarrowfield", "name"),  # Lisu look-alikes
        ("ǫᴜɪʟʟᴏɴ ᴍᴀʀʀᴏᴡꜰɪᴇʟᴅ", "name"),  # small capitals
        ("Quillon\u3164Marrowfield", "name"),  # Hangul filler between
        ("Quillon\uffa0Marrowfield", "name"),
        ("Quillon\u200bMarrowfield", "name"),  # zero width space between
        ("Quil\u200blon Marrow\u200bfield", "name"),  # and inside
        ("\u202edleifworraM nolliuQ\u202c", "name"),  # shown reversed, reads right
        ("Mr Marrowfield", "surname"),
        ("DR. MARROWFIELD", "surname"),
        ("Mаrrоwfiеld", "surname"),  # Cyrillic а, о, е
        ("ΜΑRRΟWFΙΕLD", "surname"),  # Greek capitals
        ("Marrowfıeld", "surname"),  # dotless i
        ("MarrowfieId", "surname"),  # a capital I for the l
        ("A Heronsgate officer", "fragment"),
        ("The Heronsgate team", "fragment"),
        ("Heronsgate-Council", "affiliation"),
        ("ꓧeronsgate Council", "affiliation"),  # a Lisu H
        ("HERONSGATE\nCOUNCIL", "affiliation"),
        ("quillon.marrowfield＠heronsgate.example", "email"),
    ],
)
def test_the_reported_spellings(typed: str, kind: str) -> None:
    """Each spelling that reached members and the public before, in every context."""
    for context in CONTEXTS:
        _check(_notes([context.format(typed)]), f"{kind}: {context.format(typed)!r}")


def test_an_honorific_goes_with_the_name_and_the_sentence_keeps_its_capital() -> None:
    """ "Mr Marrowfield said" reads "A participant said"; mid-sentence, lower case."""
    view = disclose(
        _notes(["Mr Marrowfield said the budget will be cut.", "We asked Dr. Marrowfield."]),
        Audience.PUBLIC,
    )
    assert [item.body_text for item in view.items] == [
        "A participant said the budget will be cut.",
        "We asked a participant.",
    ]


def test_an_article_goes_with_the_organisation() -> None:
    """ "A Heronsgate officer" reads "An organisation officer", not "A an organisation"."""
    view = disclose(
        _notes(["A Heronsgate officer said so.", "We met the Heronsgate Council team."]),
        Audience.PUBLIC,
    )
    assert [item.body_text for item in view.items] == [
        "An organisation officer said so.",
        "We met an organisation team.",
    ]
