"""Which consent grant applies: the narrowest scope wins (meeting, then
series, then everywhere), the latest among equals, withdrawn grants count
for nothing, and members never read less than the public."""

from __future__ import annotations

import pytest

from notesbase.disclosure import Audience, ConsentAudience, Grant, Level, disclose, effective_level
from tests.disclosure.builders_support import (
    MEETING,
    OTHER_MEETING,
    OTHER_SERIES,
    SERIES,
    grant,
    item,
    notes,
)

MEMBER = ConsentAudience.MEMBER
PUBLIC = ConsentAudience.PUBLIC


def level_for(grants: list[Grant], audience: Audience = Audience.MEMBER) -> Level:
    return effective_level(grants, 1, audience, series_id=SERIES, meeting_id=MEETING)


def test_no_grant_means_anonymous() -> None:
    """Without any grant a person is anonymous to members and the public."""
    assert level_for([]) is Level.ANONYMOUS
    assert level_for([], Audience.PUBLIC) is Level.ANONYMOUS


@pytest.mark.parametrize("order", ["oldest-first", "newest-first"])
def test_meeting_beats_series_beats_everywhere(order: str) -> None:
    """The narrowest grant wins even when a wider one is newer."""
    everywhere = grant(Level.NAMED, minutes=30)
    series = grant(Level.AFFILIATION, minutes=20, series_id=SERIES)
    meeting = grant(Level.DESCRIPTOR, minutes=10, meeting_id=MEETING)
    grants = [meeting, series, everywhere]
    if order == "newest-first":
        grants.reverse()
    assert level_for(grants) is Level.DESCRIPTOR
    assert level_for([g for g in grants if g is not meeting]) is Level.AFFILIATION
    assert level_for([everywhere]) is Level.NAMED


def test_latest_among_equally_narrow_grants_wins() -> None:
    """Two grants of the same scope: the later one counts, in any order."""
    older = grant(Level.NAMED, minutes=0, series_id=SERIES)
    newer = grant(Level.ANONYMOUS, minutes=5, series_id=SERIES)
    assert level_for([older, newer]) is Level.ANONYMOUS
    assert level_for([newer, older]) is Level.ANONYMOUS


def test_withdrawn_grant_falls_back_to_the_wider_one() -> None:
    """Withdrawing the meeting grant leaves the series grant in force, and
    withdrawing that leaves the grant for everywhere."""
    everywhere = grant(Level.DESCRIPTOR)
    series = grant(Level.AFFILIATION, series_id=SERIES, withdrawn=True)
    meeting = grant(Level.NAMED, meeting_id=MEETING, withdrawn=True)
    assert level_for([everywhere, series, meeting]) is Level.DESCRIPTOR
    live_series = grant(Level.AFFILIATION, series_id=SERIES)
    assert level_for([everywhere, live_series, meeting]) is Level.AFFILIATION


def test_withdrawing_the_only_grant_means_anonymous() -> None:
    """A withdrawn grant is history: with nothing else, the person is anonymous."""
    assert level_for([grant(Level.NAMED, withdrawn=True)]) is Level.ANONYMOUS


def test_newer_withdrawn_grant_does_not_hide_an_older_live_one() -> None:
    """Among equals, the latest *active* grant counts."""
    live = grant(Level.AFFILIATION, minutes=0)
    withdrawn = grant(Level.NAMED, minutes=10, withdrawn=True)
    assert level_for([live, withdrawn]) is Level.AFFILIATION


def test_grants_for_other_series_and_meetings_are_ignored() -> None:
    """A grant scoped to another series or another meeting says nothing here."""
    grants = [
        grant(Level.NAMED, series_id=OTHER_SERIES),
        grant(Level.NAMED, meeting_id=OTHER_MEETING),
    ]
    assert level_for(grants) is Level.ANONYMOUS
    assert level_for([*grants, grant(Level.DESCRIPTOR)]) is Level.DESCRIPTOR


def test_grants_of_other_people_are_ignored() -> None:
    """Someone else's consent never credits this person."""
    assert level_for([grant(Level.NAMED, person_id=2)]) is Level.ANONYMOUS


def test_a_member_grant_never_reaches_the_public() -> None:
    """A grant for members leaves the public anonymous, however strong."""
    member_meeting = grant(Level.NAMED, MEMBER, meeting_id=MEETING)
    assert level_for([member_meeting], Audience.MEMBER) is Level.NAMED
    assert level_for([member_meeting], Audience.PUBLIC) is Level.ANONYMOUS


def test_members_never_see_less_than_the_public() -> None:
    """A grant to the public applies to members too where it releases more:
    with nothing granted to members, or a weaker grant to them, even a
    narrower or newer one."""
    public_everywhere = grant(Level.AFFILIATION, PUBLIC, minutes=10)
    assert level_for([public_everywhere], Audience.MEMBER) is Level.AFFILIATION
    member_meeting = grant(Level.ANONYMOUS, MEMBER, meeting_id=MEETING, minutes=20)
    assert level_for([public_everywhere, member_meeting], Audience.MEMBER) is Level.AFFILIATION
    assert level_for([public_everywhere, member_meeting], Audience.PUBLIC) is Level.AFFILIATION


def test_a_stronger_member_grant_still_wins_for_members() -> None:
    """The public's level is a floor for members, not a ceiling."""
    grants = [grant(Level.NAMED, MEMBER, meeting_id=MEETING), grant(Level.AFFILIATION, PUBLIC)]
    assert level_for(grants, Audience.MEMBER) is Level.NAMED
    assert level_for(grants, Audience.PUBLIC) is Level.AFFILIATION


def test_withdrawing_the_public_grant_lowers_members_again() -> None:
    """The floor lasts only as long as the public's grant: withdrawn, members
    fall back to their own grant at once."""
    withdrawn = grant(Level.NAMED, PUBLIC, withdrawn=True)
    member = grant(Level.DESCRIPTOR, MEMBER)
    assert level_for([withdrawn, member], Audience.MEMBER) is Level.DESCRIPTOR


def test_the_public_floor_is_the_one_in_force_at_this_meeting() -> None:
    """The public's deciding grant here sets the floor: a narrower public
    grant that is weaker lowers it, one for another meeting does not count."""
    everywhere = grant(Level.NAMED, PUBLIC)
    here = grant(Level.DESCRIPTOR, PUBLIC, meeting_id=MEETING)
    elsewhere = grant(Level.NAMED, PUBLIC, meeting_id=OTHER_MEETING)
    assert level_for([everywhere, here], Audience.MEMBER) is Level.DESCRIPTOR
    assert level_for([here, elsewhere], Audience.MEMBER) is Level.DESCRIPTOR


def test_facilitators_always_get_the_name() -> None:
    """Consent governs members and the public; facilitators know who spoke."""
    assert level_for([grant(Level.ANONYMOUS)], Audience.FACILITATOR) is Level.NAMED


def test_withdrawal_changes_the_very_next_view() -> None:
    """The view is computed from the grants it is given: withdraw one and the
    next disclosure credits the speaker anonymously, names scrubbed."""
    body = "Jane Doe explained the pilot."
    live = grant(Level.NAMED, minutes=0)
    before = disclose(notes([item(body, speaker_id=1)], grants=[live]), Audience.MEMBER)
    assert before.items[0].attribution == "Jane Doe (Open Data Manchester)"
    assert before.items[0].body_text == body
    withdrawn = grant(Level.NAMED, minutes=0, withdrawn=True)
    after = disclose(notes([item(body, speaker_id=1)], grants=[withdrawn]), Audience.MEMBER)
    assert after.items[0].attribution == "A participant"
    assert after.items[0].body_text == "A participant explained the pilot."
    assert "Jane" not in after.text()
    assert "Doe" not in after.text()


def test_meeting_grant_narrows_a_generous_series_grant_in_the_view() -> None:
    """A person named across the series but anonymous for one meeting is
    anonymous in that meeting's view."""
    grants = [grant(Level.NAMED, series_id=SERIES), grant(Level.ANONYMOUS, meeting_id=MEETING)]
    view = disclose(notes([item("A point.", speaker_id=1)], grants=grants), Audience.MEMBER)
    assert view.items[0].attribution == "A participant"
