"""Which places hold the words a rule found (``places.Holding``): looked up
by their runs of word characters, the places found are exactly those a
look at every place's text finds, whatever the text around them, its
spaces, its letters or its marks. And words found again in one part of
the output are put at their places once, with every part carrying them."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.notes.items import ItemFields, create_item
from notesbase.publishing.leakcheck.places import Holding, Place
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    MEMBER_CHANNEL,
    channels_fixture,
    run_check,
    the_meeting,
    world_fixture,
)

# Word characters of several kinds ("_" and digits are word characters to
# ``\w``), look-alikes, a combining accent, a zero-width space, an
# apostrophe and punctuation, spaces and line breaks.
ALPHABET = "ab_1éаΑ\u0301\u200b'’-.,:()*@/ \n\t\u00a0"
some_text = st.text(alphabet=ALPHABET, max_size=40)


def every_place(texts: list[str], words: str) -> list[Place]:
    """The places a look at every text finds: as ``Places`` did before."""
    whole = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)")
    return [
        place
        for place, text in zip(places_of(texts), texts, strict=True)
        if whole.search(" ".join(text.split()))
    ]


def places_of(texts: list[str]) -> list[Place]:
    return [Place(f"item {n}", f"item #{n}") for n in range(1, len(texts) + 1)]


@settings(max_examples=400)
@given(st.lists(some_text, min_size=1, max_size=6), st.data())
def test_the_places_holding_words_are_those_a_look_at_every_place_finds(texts, data):
    holding = Holding(zip(places_of(texts), texts, strict=True))
    # Words cut from a text (found there, or with a word character cut in
    # two), a word of it, and words made up.
    source = " ".join(data.draw(st.sampled_from(texts)).split())
    start = data.draw(st.integers(0, len(source)))
    cut = source[start : data.draw(st.integers(start, len(source)))]
    word = data.draw(st.sampled_from(re.findall(r"\w+", source) or [""]))
    for words in (cut, word, " ".join(data.draw(some_text).split())):
        assert holding.places(words) == every_place(texts, words)


def test_a_word_is_held_only_as_a_whole():
    texts = [
        "Alexander spoke",
        "said Alex.",
        "alex_b and ALEX",
        "Alex Doe, Alex",
        "a - b",
        "x-Alex",
    ]
    holding = Holding(zip(places_of(texts), texts, strict=True))
    assert [p.where for p in holding.places("Alex")] == ["item 2", "item 4", "item 6"]
    assert [p.where for p in holding.places("Alex Doe")] == ["item 4"]
    assert [p.where for p in holding.places("ALEX")] == ["item 3"]
    assert holding.places("Alex Smith") == []
    # Words without a word character are looked for in every text.
    assert [p.where for p in holding.places("-")] == ["item 5"]
    assert holding.places(".") == []  # a word character touches it


def test_a_name_found_again_and_again_in_a_part_is_at_each_place_once(app, world, channels):
    """A part of the output that names Alex at every mention (a whole
    email), in two spellings: each item holding a spelling gets its
    finding, carried by every part that holds it."""
    with app.app_context():
        meeting = the_meeting()
        for body in ("Alex raised the register.", "ALEX wrote back.", "Alex agreed."):
            create_item(meeting, ItemFields(Kind.POINT, body), actor=None)
        db.session.commit()
        text = "Alex raised the register. ALEX wrote back. Alex agreed. Alex, again."
        report = run_check(MEMBER_CHANNEL, text, text)
        names = {
            (finding.where, finding.match): finding.parts
            for finding in report.findings
            if finding.rule == "name"
        }
    assert names == {
        ("item 6", "Alex"): ("body 1", "body 2"),
        ("item 7", "ALEX"): ("body 1", "body 2"),
        ("item 8", "Alex"): ("body 1", "body 2"),
    }
