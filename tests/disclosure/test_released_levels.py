"""``released_levels`` works out every person's level at once, skipping the
grants for other audiences and the people with none; it must give what
asking ``effective_level`` for each person in turn gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from notesbase.disclosure import (
    Audience,
    ConsentAudience,
    Grant,
    Level,
    Notes,
    PersonFacts,
    effective_level,
)
from notesbase.disclosure.consent import released_level, released_levels
from tests.disclosure.builders_support import MEETING, OTHER_MEETING, OTHER_SERIES, SERIES, at

people = st.lists(
    st.builds(
        PersonFacts,
        id=st.integers(1, 5),
        name=st.just("Jane Doe"),
        affiliation=st.sampled_from(["", " ", "Open Data Manchester"]),
        descriptor=st.sampled_from(["", "a data lead"]),
    ),
    max_size=6,
)
grants = st.lists(
    st.builds(
        Grant,
        person_id=st.integers(1, 6),
        audience=st.sampled_from(list(ConsentAudience)),
        level=st.sampled_from(list(Level)),
        granted_at=st.integers(0, 3).map(at),
        series_id=st.sampled_from([None, SERIES, OTHER_SERIES]),
        meeting_id=st.sampled_from([None, None, MEETING, OTHER_MEETING]),
        withdrawn_at=st.sampled_from([None, at(5)]),
    ),
    max_size=12,
)


def levels_one_by_one(notes: Notes, audience: Audience) -> dict[int, Level]:
    """The reference: each person's deciding grant looked up on its own."""
    return {
        person.id: released_level(
            person,
            effective_level(
                notes.grants,
                person.id,
                audience,
                series_id=notes.series_id,
                meeting_id=notes.meeting_id,
            ),
        )
        for person in notes.people
    }


@settings(max_examples=300, deadline=None)
@given(people, grants, st.sampled_from(list(Audience)))
def test_levels_at_once_are_the_levels_one_by_one(
    persons: list[PersonFacts], given_grants: list[Grant], audience: Audience
) -> None:
    """Every person gets the level their own deciding grant gives, or anonymous."""
    notes = Notes(SERIES, MEETING, items=(), people=persons, grants=given_grants)
    assert released_levels(notes, audience) == levels_one_by_one(notes, audience)


def test_levels_kept_follow_a_withdrawal_at_once(monkeypatch):
    """The levels of the same people and grants are worked out once and
    kept; a grant withdrawn (or any other change) is another key, so the
    next view already has the person anonymous again."""
    from notesbase.disclosure import consent

    person = PersonFacts(1, "Jane Doe", "Open Data Manchester")
    granted = Grant(1, ConsentAudience.MEMBER, Level.NAMED, at(0), series_id=SERIES)
    notes = Notes(SERIES, MEETING, items=(), people=[person], grants=[granted])
    consent._levels.cache_clear()
    asked: list[int] = []
    real = consent.level_in_force

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(consent, "level_in_force", counting)
    assert released_levels(notes, Audience.MEMBER) == {1: Level.NAMED}
    assert released_levels(notes, Audience.MEMBER) == {1: Level.NAMED}
    assert len(asked) == 1  # kept
    withdrawn = Grant(
        1, ConsentAudience.MEMBER, Level.NAMED, at(0), series_id=SERIES, withdrawn_at=at(1)
    )
    after = Notes(SERIES, MEETING, items=(), people=[person], grants=[withdrawn])
    assert released_levels(after, Audience.MEMBER) == {1: Level.ANONYMOUS}
    assert released_levels(notes, Audience.PUBLIC) == {1: Level.ANONYMOUS}
    # What is handed out is the caller's own: changing it changes nothing kept.
    released_levels(notes, Audience.MEMBER)[1] = Level.ANONYMOUS
    assert released_levels(notes, Audience.MEMBER) == {1: Level.NAMED}
