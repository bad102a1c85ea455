"""Every consent level × audience × confidentiality: whether the item is
shown, how its speaker is credited, and which fields only facilitators get."""

from __future__ import annotations

import pytest

from notesbase.disclosure import (
    PARTICIPANT,
    Audience,
    Confidentiality,
    ConsentAudience,
    Level,
    PersonFacts,
    attribution,
    disclose,
)
from tests.disclosure.builders_support import JANE, both, grant, item, notes

NAMED = "Jane Doe (Open Data Manchester)"
# The credit each consent level gives Jane; None stands for "no consent at all".
CREDIT: dict[Level | None, str] = {
    None: "A participant",
    Level.ANONYMOUS: "A participant",
    Level.DESCRIPTOR: "A local authority data lead",
    Level.AFFILIATION: "Someone from Open Data Manchester",
    Level.NAMED: NAMED,
}
SHOWN = {
    (Confidentiality.OPEN, Audience.PUBLIC): True,
    (Confidentiality.OPEN, Audience.MEMBER): True,
    (Confidentiality.OPEN, Audience.FACILITATOR): True,
    (Confidentiality.MEMBERS, Audience.PUBLIC): False,
    (Confidentiality.MEMBERS, Audience.MEMBER): True,
    (Confidentiality.MEMBERS, Audience.FACILITATOR): True,
    (Confidentiality.CONFIDENTIAL, Audience.PUBLIC): False,
    (Confidentiality.CONFIDENTIAL, Audience.MEMBER): False,
    (Confidentiality.CONFIDENTIAL, Audience.FACILITATOR): True,
}
LEVELS: list[Level | None] = [None, *Level]


@pytest.mark.parametrize("confidentiality", list(Confidentiality))
@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("level", LEVELS, ids=lambda level: str(level or "no-consent"))
def test_level_audience_confidentiality(
    level: Level | None, audience: Audience, confidentiality: Confidentiality
) -> None:
    """An item is shown to exactly the audiences its confidentiality allows,
    credited at the consented level (facilitators always see the name)."""
    grants = both(level) if level is not None else []
    body = "We should *publish* the register."
    view = disclose(notes([item(body, confidentiality, speaker_id=1)], grants=grants), audience)

    if not SHOWN[(confidentiality, audience)]:
        assert view.items == ()
        assert view.sections == []
        assert "register" not in view.text()
        return
    (shown,) = view.items
    assert shown.body_html == "<p>We should <em>publish</em> the register.</p>\n"
    assert shown.body_text == "We should publish the register."
    expected = NAMED if audience is Audience.FACILITATOR else CREDIT[level]
    assert shown.attribution == expected
    if audience is Audience.FACILITATOR:
        assert shown.body == body
        assert shown.speaker_id == 1
        assert shown.confidentiality is confidentiality
    else:
        assert shown.body is None
        assert shown.speaker_id is None
        assert shown.confidentiality is None


@pytest.mark.parametrize(
    ("member_level", "public_level", "members_read"),
    [
        (Level.NAMED, None, Level.NAMED),
        (None, Level.NAMED, Level.NAMED),
        (Level.DESCRIPTOR, Level.AFFILIATION, Level.AFFILIATION),
        (Level.NAMED, Level.DESCRIPTOR, Level.NAMED),
        (Level.ANONYMOUS, Level.DESCRIPTOR, Level.DESCRIPTOR),
    ],
)
def test_members_get_the_stronger_of_their_grant_and_the_publics(
    member_level: Level | None, public_level: Level | None, members_read: Level
) -> None:
    """A grant for members says nothing about the public; a grant for the
    public is a floor for members, who never see less than the public."""
    grants = []
    if member_level is not None:
        grants.append(grant(member_level, ConsentAudience.MEMBER))
    if public_level is not None:
        grants.append(grant(public_level, ConsentAudience.PUBLIC))
    meeting = notes([item("A point.", speaker_id=1)], grants=grants)
    assert disclose(meeting, Audience.MEMBER).items[0].attribution == CREDIT[members_read]
    assert disclose(meeting, Audience.PUBLIC).items[0].attribution == CREDIT[public_level]


@pytest.mark.parametrize(
    ("affiliation", "descriptor", "level", "expected"),
    [
        ("", "a data lead", Level.AFFILIATION, "A data lead"),
        ("", "", Level.AFFILIATION, PARTICIPANT),
        ("Open Data Manchester", "", Level.DESCRIPTOR, PARTICIPANT),
        ("", "", Level.DESCRIPTOR, PARTICIPANT),
        ("", "a data lead", Level.NAMED, "Jane Doe"),
        ("  ", "  ", Level.AFFILIATION, PARTICIPANT),
        ("Open Data Manchester", "NHS analyst", Level.DESCRIPTOR, "NHS analyst"),
    ],
)
def test_missing_descriptor_or_affiliation_falls_back(
    affiliation: str, descriptor: str, level: Level, expected: str
) -> None:
    """A level naming something the person never gave falls back to the next
    weaker one, never to an empty or broken credit."""
    person = PersonFacts(id=1, name="Jane Doe", affiliation=affiliation, descriptor=descriptor)
    assert attribution(person, level) == expected
    meeting = notes([item("A point.", speaker_id=1)], people=[person], grants=both(level))
    for audience in (Audience.MEMBER, Audience.PUBLIC):
        assert disclose(meeting, audience).items[0].attribution == expected


@pytest.mark.parametrize("audience", list(Audience))
def test_item_without_speaker_has_no_attribution(audience: Audience) -> None:
    """An item nobody is recorded against carries no credit at all."""
    view = disclose(notes([item("Minutes agreed.")], grants=both(Level.NAMED)), audience)
    assert view.items[0].attribution is None


def test_facilitators_see_names_whatever_the_consent() -> None:
    """Facilitators always know who spoke, even with anonymous consent everywhere."""
    meeting = notes([item("A point.", speaker_id=1)], grants=both(Level.ANONYMOUS))
    assert disclose(meeting, Audience.FACILITATOR).items[0].attribution == NAMED


@pytest.mark.parametrize("audience", list(Audience))
def test_sections_of_excluded_items_vanish(audience: Audience) -> None:
    """A section whose items are all hidden from the audience disappears; the
    others keep their order and headings."""
    meeting = notes(
        [
            item("Opening.", id=1, section="Welcome"),
            item("Budget talk.", Confidentiality.CONFIDENTIAL, id=2, section="Budget"),
            item("More budget.", Confidentiality.MEMBERS, id=3, section="Budget"),
            item("Next steps.", id=4, section="Actions"),
        ]
    )
    headings = [section.heading for section in disclose(meeting, audience).sections]
    expected = {
        Audience.PUBLIC: ["Welcome", "Actions"],
        Audience.MEMBER: ["Welcome", "Budget", "Actions"],
        Audience.FACILITATOR: ["Welcome", "Budget", "Actions"],
    }[audience]
    assert headings == expected


def test_items_come_in_position_order() -> None:
    """Items are ordered by position, whatever order they were given in."""
    meeting = notes([item("Second.", id=1, position=2), item("First.", id=2, position=1)])
    view = disclose(meeting, Audience.PUBLIC)
    assert [shown.body_text for shown in view.items] == ["First.", "Second."]


def test_the_name_is_shown_only_where_released() -> None:
    """Jane's own words about herself follow her consent in each audience."""
    meeting = notes(
        [item("Jane Doe from Open Data Manchester presented.", speaker_id=1)],
        grants=[grant(Level.NAMED, ConsentAudience.MEMBER)],
    )
    assert disclose(meeting, Audience.MEMBER).items[0].body_text == (
        "Jane Doe from Open Data Manchester presented."
    )
    assert disclose(meeting, Audience.PUBLIC).items[0].body_text == (
        "A participant from an organisation presented."
    )
    assert JANE.name in disclose(meeting, Audience.FACILITATOR).items[0].body_text
