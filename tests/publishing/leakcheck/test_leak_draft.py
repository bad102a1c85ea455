"""The names check of an item as it is typed (``leakcheck.draft``): what an
audience who would read the draft gets, after ``disclose``, judged by the
leak check's people rules, and found again where it was typed."""

from __future__ import annotations

import importlib

import pytest

from notesbase.disclosure import Audience, Confidentiality, ConsentAudience, Level, Notes
from notesbase.disclosure import PersonFacts as Person
from notesbase.publishing.leakcheck.draft import Draft, check_draft, utf16_offset
from notesbase.publishing.leakcheck.fixes import hidden_body, wrapped
from tests.disclosure.builders_support import MEETING, SERIES, grant

ADA = Person(
    id=2,
    name="Ada Lovelace",
    affiliation="Analytical Engine Society",
    descriptor="a mathematician",
    email="ada@example.org",
)
JANE = Person(id=1, name="Jane Doe", affiliation="Heronsgate Council", email="jane@example.org")
LI = Person(id=3, name="Li Ng", affiliation="Testshire Council")
BOTH = (Audience.MEMBER, Audience.PUBLIC)
ADA_TO_MEMBERS = (
    "“Ada” is part of the name of Ada Lovelace, who has not agreed to be named to members "
    "of the series."
)
ADA_TO_PUBLIC = (
    "“Ada” is part of the name of Ada Lovelace, who has not agreed to be named to the public."
)


def notes(*grants) -> Notes:
    """Ada and Li have agreed to nothing; Jane to what ``grants`` say."""
    return Notes(SERIES, MEETING, (), (JANE, ADA, LI), tuple(grants))


def found(body: str, section: str = "", audiences=BOTH, grants=(), **draft):
    return check_draft(notes(*grants), Draft(body, section, **draft), audiences)


def places(body: str, **kwargs) -> list[tuple[str, int | None, int | None, str]]:
    return [(f.field, f.start, f.end, f.text) for f in found(body, **kwargs)]


def test_a_first_name_alone_is_flagged_for_every_audience_with_its_fixes():
    """``disclose`` leaves a first name alone; members and the public would
    read it, so it is flagged, with the confidential span and item offered."""
    [finding] = found("Ada said the pilot worked.")
    assert (finding.field, finding.start, finding.end, finding.text) == ("body", 0, 3, "Ada")
    assert finding.rule == "name"
    assert finding.people == (ADA.id,)
    assert finding.audiences == [Audience.MEMBER, Audience.PUBLIC]
    assert finding.why == ADA_TO_MEMBERS
    assert [r.why for r in finding.refusals] == [ADA_TO_MEMBERS, ADA_TO_PUBLIC]
    assert finding.item_level is Confidentiality.CONFIDENTIAL
    assert finding.span is not None
    assert finding.span.level is Confidentiality.CONFIDENTIAL
    assert finding.span.places == ((0, 3),)


def test_a_short_surname_alone_is_flagged():
    """A surname under three letters is left by ``disclose``, found here."""
    [finding] = found("We agreed with Ng on this.")
    assert (finding.start, finding.end, finding.text, finding.people) == (15, 17, "Ng", (LI.id,))


@pytest.mark.parametrize(
    "body",
    [
        "Ada Lovelace said so.",  # a full name
        "Lovelace said so.",  # a surname
        "A Testshire officer said so.",  # a word that identifies an affiliation
        "The Analytical Engine Society said so.",  # an affiliation
        "Write to ada@example.org about it.",  # an email address
        "See [her page](https://example.org/ada-lovelace).",  # a name in an address
        "Said by a mathematician.",  # a descriptor
    ],
)
def test_what_disclose_replaces_is_not_flagged(body):
    """Members and the public never read these: ``disclose`` puts "a
    participant" or "an organisation" in their place, or drops the link."""
    assert found(body) == []


def test_a_first_name_is_found_beside_a_full_name_that_is_replaced():
    assert places("Ada Lovelace said so, and Ada agreed.") == [("body", 26, 29, "Ada")]


@pytest.mark.parametrize(
    ("body", "typed"),
    [
        ("\u13aada said so.", "\u13aada"),  # a Cherokee letter that looks like an A
        ("\u0410da said so.", "\u0410da"),  # a Cyrillic A
        ("A\u200bda said so.", "A\u200bda"),  # a zero-width space inside
        ("A\u00adda said so.", "A\u00adda"),  # a soft hyphen
        ("ＡＤＡ said so.", "ＡＤＡ"),  # full-width letters
    ],
)
def test_look_alike_letters_and_invisible_characters_are_flagged_as_typed(body, typed):
    [finding] = found(body)
    assert (finding.start, finding.end, finding.text) == (0, len(typed), typed)
    assert finding.people == (ADA.id,)


def test_words_in_a_members_span_are_flagged_for_members_only():
    """A members span keeps the words from the public, not from members
    (who read members-only words): members would still read "Ada"."""
    [finding] = found("[Ada]{.members} said so.")
    assert finding.audiences == [Audience.MEMBER]
    assert (finding.start, finding.end) == (1, 4)
    # Inside a span already: no span around it; the item can be made confidential.
    assert finding.span is None
    assert finding.item_level is Confidentiality.CONFIDENTIAL


def test_words_in_a_confidential_span_are_not_flagged():
    assert found('[Ada]{.confidential} said so. Then [Ada]{.confidential alt="she"} left.') == []


def test_only_the_occurrence_outside_a_span_is_flagged():
    assert places("[Ada]{.confidential} said so, and Ada agreed.") == [("body", 34, 37, "Ada")]


def test_a_consenting_person_is_not_flagged():
    named = [grant(Level.NAMED, audience) for audience in ConsentAudience]
    assert found("Jane said so.", grants=named) == []


def test_a_name_released_to_members_is_flagged_for_the_public_only():
    """Members may read it: a members span (left out of the public write-up)
    or a members-only item is enough, and those are the fixes offered."""
    [finding] = found("Jane said so.", grants=[grant(Level.NAMED, ConsentAudience.MEMBER)])
    assert finding.audiences == [Audience.PUBLIC]
    assert finding.why == (
        "“Jane” is part of the name of Jane Doe, who has not agreed to be named to the public."
    )
    assert finding.span is not None and finding.span.level is Confidentiality.MEMBERS
    assert finding.item_level is Confidentiality.MEMBERS


def test_a_confidential_item_has_nothing_to_flag():
    """Only facilitators would read it."""
    assert found("Ada said so.", confidentiality=Confidentiality.CONFIDENTIAL) == []


def test_a_members_only_item_is_checked_for_members_alone():
    [finding] = found("Ada said so.", confidentiality=Confidentiality.MEMBERS)
    assert finding.audiences == [Audience.MEMBER]
    assert finding.item_level is Confidentiality.CONFIDENTIAL


def test_only_the_audiences_asked_for_are_checked():
    """The audiences come from the leak check's channels."""
    [finding] = found("Ada said so.", audiences=[Audience.PUBLIC])
    assert finding.audiences == [Audience.PUBLIC]
    assert found("Ada said so.", audiences=[Audience.FACILITATOR]) == []


def test_a_name_in_the_section_heading_is_flagged_there():
    [finding] = found("A point.", section="What Ada asked")
    assert (finding.field, finding.start, finding.end, finding.text) == ("section", 5, 8, "Ada")
    assert finding.span is None  # a heading's spans are written by hand
    assert finding.item_level is Confidentiality.CONFIDENTIAL


def test_words_that_cannot_be_traced_to_one_place_are_flagged_without_one():
    """Members would read "Ada" once the emphasis marks are gone; it stands
    nowhere as typed, so it is listed without a place or a span."""
    [finding] = found("A**da** said so.")
    assert (finding.field, finding.start, finding.end) == ("body", None, None)
    assert finding.why == ADA_TO_MEMBERS
    assert finding.span is None
    assert finding.item_level is Confidentiality.CONFIDENTIAL


def test_every_occurrence_is_flagged_and_one_span_fix_covers_them_all():
    body = "Ada, then Ada again."
    findings = found(body)
    assert [(f.start, f.end) for f in findings] == [(0, 3), (10, 13)]
    fix = findings[0].span
    assert fix is not None and fix.places == ((0, 3), (10, 13))
    # The fix the editor makes is exactly the one the leak-check page makes.
    changed = wrapped(body, list(fix.places), fix.level)
    assert changed == hidden_body(body, "Ada", fix.level)
    assert changed == "[Ada]{.confidential}, then [Ada]{.confidential} again."
    assert found(changed) == []


def test_no_span_is_offered_where_it_cannot_be_placed_safely():
    """Inside a link's words a span would change what facilitators read."""
    [finding] = found("[Ada](https://example.org/ab) said so.")
    assert finding.span is None
    assert finding.item_level is Confidentiality.CONFIDENTIAL


def test_places_count_as_a_browser_counts():
    """Offsets go to a text box: a character beyond the BMP is two units."""
    text = "\U0001f600 Ada"
    [finding] = found(text)
    assert (finding.start, finding.end) == (2, 5)
    assert (utf16_offset(text, finding.start), utf16_offset(text, finding.end)) == (3, 6)
    assert utf16_offset("Ada", 3) == 3


def test_a_made_up_word_already_in_the_text_is_not_used_to_trace_it():
    """The words put in the places of names are ones the draft does not hold."""
    body = "zqxvjajvxqz Ada zqxvjbjvxqz said so."
    assert places(body) == [("body", 12, 15, "Ada")]


def test_the_draft_is_not_kept():
    """``disclose`` keeps bodies it showed; a draft it checks, never."""
    disclose_module = importlib.import_module("notesbase.disclosure.disclose")
    before = list(disclose_module._BODIES)
    found("Ada said something nobody else wrote: 41 kept.")
    assert list(disclose_module._BODIES) == before
