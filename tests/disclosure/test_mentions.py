"""The record of who is named where: every spelling the scrub and the leak
check see through names the person here too."""

import pytest

from notesbase.disclosure import PersonFacts
from notesbase.disclosure.mentions import Mentions

RONAN = PersonFacts(id=1, name="Ronan Keane", affiliation="Marrowfield Borough Council")
ADA = PersonFacts(id=2, name="Ada Lovelace", email="ada@example.org", descriptor="a data lead")
WILL = PersonFacts(id=3, name="Will Bell")
PEOPLE = [RONAN, ADA, WILL]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Marrowfield\nBorough said no", {1}),
        ("the Marrowfield  Borough team", {1}),
        ("*Marrowfield* Borough", {1}),
        ("[Marrowfield](https://example.org) Borough", {1}),
        ("М\u0430rrowfield is hiring", {1}),  # Cyrillic look-alikes
        ("Mar\u200browfield council", {1}),  # zero-width space
        ("Ronan explained the budget", {1}),
        ("keane agreed", {1}),
        ("see https://example.org/ada-lovelace/talk", {2}),
        ("see https://example.org/adalovelace", {2}),
        ("mail ADA@EXAMPLE.ORG", {2}),
        ("said a data lead", {2}),
        ("Bell rang", {3}),
        ("the bell rang and we will go", set()),
        ("nothing about anyone", set()),
    ],
)
def test_every_spelling_names_the_person(text, named):
    assert Mentions(PEOPLE).people_in(text) == named


def test_people_sharing_a_word_are_all_named():
    twin = PersonFacts(id=9, name="Ronan Price")
    assert Mentions([RONAN, twin]).people_in("Ronan was there") == {1, 9}


def test_no_people_names_nobody():
    assert Mentions([]).people_in("Ronan Keane") == frozenset()
