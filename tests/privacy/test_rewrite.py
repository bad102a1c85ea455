"""Taking people out of kept text (``privacy.rewrite``): nothing of them can
be read afterwards, however it was typed, and everything else stays."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notesbase.disclosure.facts import PersonFacts
from notesbase.disclosure.render import to_html, to_text
from notesbase.disclosure.spans import redacted_tokens
from notesbase.disclosure.vocabulary import Audience
from notesbase.privacy.rewrite import people_matcher, without_people

ADA = PersonFacts(1, "Ada Lovelace", "Heronsgate Borough Council", "a data lead", "ada@example.org")
BOB = PersonFacts(2, "Bob Marlow", "Fenwick Trust", "", "bob@example.org")


def _readable(text: str, person: PersonFacts = ADA) -> bool:
    matcher = people_matcher((person,))
    rendered = to_text(to_html(redacted_tokens(text, Audience.FACILITATOR)))
    return matcher.search(text) or matcher.search(rendered) or matcher.names_in_url(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ada Lovelace said the budget was short.",
        "Ada said so.",
        "Mrs Lovelace disagreed.",
        "\u0410da L\u043evelace (Cyrillic look-alikes) agreed.",
        "A\u200bda Love\u00adlace (invisible characters) agreed.",
        "ＡＤＡ ＬＯＶＥＬＡＣＥ in full width.",
        "**Ada** Lovelace agreed.",
        "Write to [her](mailto:ada@example.org) or ada@example.org.",
        "See https://example.org/people/ada-lovelace for the slides.",
        "The Heronsgate team will pay.",
        "Someone from the **Heronsgate Borough Council** spoke.",
        "A data lead asked a question.",
        "[Ada Lovelace]{.confidential} asked for the figures.",
        "# Lovelace's section",
    ],
)
def test_nothing_of_the_person_can_be_read_afterwards(text: str) -> None:
    """However the name, affiliation, descriptor or email was typed, none of it survives."""
    result = without_people(text, [ADA])
    assert result.changed
    assert not _readable(result.text)


def test_spans_formatting_and_other_people_stay() -> None:
    """A confidential span stays a span, emphasis stays balanced, Bob stays."""
    text = "**Ada** Lovelace told Bob Marlow that [Ada's budget]{.confidential} was short."
    result = without_people(text, [ADA])
    assert result.complete
    assert result.text == (
        "**A participant** told Bob Marlow that [a participant's budget]{.confidential} was short."
    )
    members = to_text(to_html(redacted_tokens(result.text, Audience.MEMBER)))
    assert "budget" not in members
    assert "Bob Marlow" in members


def test_text_without_them_is_returned_unchanged() -> None:
    """Text that never named them is not touched (nor is a common word like "data")."""
    text = "The data lead role was discussed; Bob Marlow agreed."
    result = without_people(text, [ADA])
    assert result == without_people(text, [])
    assert result.text == text
    assert not result.changed


def test_when_markup_hides_a_name_the_rewrite_says_it_is_incomplete() -> None:
    """A name broken up by markup inside a word cannot be replaced in place:
    the plain words come back, replaced, marked incomplete (the caller fails closed)."""
    result = without_people("Ada*Love*lace said yes", [ADA])
    assert not result.complete
    assert not _readable(result.text)
    assert "said yes" in result.text


@settings(max_examples=150, deadline=None)
@given(
    before=st.text(alphabet="abc *_[]{}.()\n", max_size=12),
    after=st.text(alphabet="xyz *_[]{}.()\n", max_size=12),
    spelling=st.sampled_from(
        [
            "Ada Lovelace",
            "ADA LOVELACE",
            "Lovelace",
            "\u0410da",
            "Ada\u200b Lovelace",
            "ada@example.org",
            "Heronsgate",
            "Heronsgate Borough Council",
        ]
    ),
)
def test_no_spelling_in_any_surroundings_survives(before: str, after: str, spelling: str) -> None:
    """Property: in any surroundings of markup, nothing of the person can be read afterwards."""
    result = without_people(f"{before} {spelling} {after}", [ADA])
    assert not _readable(result.text)


def test_words_that_only_make_a_name_when_run_together_are_left_alone() -> None:
    """ "love lace" is two words, not Lovelace: the text is not touched and
    not marked incomplete (reading the whole text run together would say so)."""
    text = "We bought love lace at the market."
    result = without_people(text, [ADA])
    assert (result.text, result.changed, result.complete) == (text, False, True)
