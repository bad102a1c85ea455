"""Which consent level applies to a person for an audience at a meeting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from notesbase.disclosure.facts import Grant, Notes, PersonFacts
from notesbase.disclosure.vocabulary import Audience, ConsentAudience, Level

PARTICIPANT = "A participant"


def _scope_rank(grant: Grant, series_id: int | None, meeting_id: int | None) -> int | None:
    """How narrow a grant is for this place (higher wins), or None if it
    does not apply here. ``None`` ids describe a wider place: a whole series
    (no meeting) or everywhere (neither)."""
    if grant.meeting_id is not None:
        return 2 if meeting_id is not None and grant.meeting_id == meeting_id else None
    if grant.series_id is not None:
        return 1 if series_id is not None and grant.series_id == series_id else None
    return 0


def deciding_grant(
    grants: Iterable[Grant],
    person_id: int,
    audience: ConsentAudience,
    *,
    series_id: int | None,
    meeting_id: int | None,
) -> Grant | None:
    """The grant that decides how this person is credited to ``audience`` at
    this place: the narrowest active one, the latest among equally narrow
    ones; None when nothing applies (anonymous)."""
    best: tuple[int, datetime] | None = None
    found: Grant | None = None
    for grant in grants:
        if grant.person_id != person_id or grant.audience != audience:
            continue
        if grant.withdrawn_at is not None:
            continue
        rank = _scope_rank(grant, series_id, meeting_id)
        if rank is None:
            continue
        key = (rank, grant.granted_at)
        if best is None or key > best:
            best, found = key, grant
    return found


def deciding_audiences(audience: Audience) -> tuple[ConsentAudience, ...]:
    """Whose grants decide what ``audience`` reads: the public's own; the
    members' and the public's (members never see less than the public, see
    ``level_in_force``); none for facilitators, who always know who spoke."""
    if audience is Audience.PUBLIC:
        return (ConsentAudience.PUBLIC,)
    if audience is Audience.MEMBER:
        return (ConsentAudience.MEMBER, ConsentAudience.PUBLIC)
    return ()


def level_in_force(
    grants: Iterable[Grant],
    person_id: int,
    audience: ConsentAudience,
    *,
    series_id: int | None,
    meeting_id: int | None,
) -> tuple[Level, Grant | None]:
    """The level that applies to ``audience`` at this place, and the grant it
    comes from (None: nothing granted, so anonymous).

    Members never see less than the public: anything the public may read,
    members of the series may read too. So for members it is the stronger of
    their own deciding grant and the public's, and the public's grant is the
    source when it releases more."""
    where = {"series_id": series_id, "meeting_id": meeting_id}
    grant = deciding_grant(grants, person_id, audience, **where)
    level = grant.level if grant is not None else Level.ANONYMOUS
    if audience is ConsentAudience.MEMBER:
        public = deciding_grant(grants, person_id, ConsentAudience.PUBLIC, **where)
        if public is not None and public.level.rank > level.rank:
            return public.level, public
    return level, grant


def effective_level(
    grants: Iterable[Grant],
    person_id: int,
    audience: Audience,
    *,
    series_id: int,
    meeting_id: int,
) -> Level:
    """The level in force for this person, audience and meeting
    (``level_in_force``); anonymous when nothing is granted. Facilitators
    always know who spoke."""
    if audience is Audience.FACILITATOR:
        return Level.NAMED
    level, _grant = level_in_force(
        grants,
        person_id,
        ConsentAudience(audience.value),
        series_id=series_id,
        meeting_id=meeting_id,
    )
    return level


def released_level(person: PersonFacts, level: Level) -> Level:
    """The level actually shown: a level naming something the person never
    gave (no descriptor, no affiliation) falls back to the next weaker one."""
    if level is Level.NAMED:
        return level
    if level is Level.AFFILIATION and not person.affiliation.strip():
        level = Level.DESCRIPTOR
    if level is Level.DESCRIPTOR and not person.descriptor.strip():
        level = Level.ANONYMOUS
    return level


def released_levels(notes: Notes, audience: Audience) -> dict[int, Level]:
    """Each person's level for ``audience`` at this meeting: the level in
    force (``level_in_force``: for members never weaker than the public's), as
    far as what they have given allows (``released_level``). The grants are
    grouped by person first, and each person's looked for among their own: a
    meeting has hundreds of people. The levels depend on nothing else, so
    the last ones worked out are kept (a page of search hits asks for the
    same series' levels again and again); a changed grant or person is
    another key."""
    if audience is Audience.FACILITATOR:  # they always know who spoke
        return {person.id: Level.NAMED for person in notes.people}
    people, grants = tuple(notes.people), tuple(notes.grants)
    # A meeting no grant names has its series' levels (``_scope_rank``):
    # one key for all of them.
    meeting_id = notes.meeting_id
    if not any(grant.meeting_id == meeting_id for grant in grants):
        meeting_id = None
    return dict(_levels(people, grants, notes.series_id, meeting_id, audience))


@lru_cache(maxsize=64)
def _levels(
    people: tuple[PersonFacts, ...],
    grants: tuple[Grant, ...],
    series_id: int | None,
    meeting_id: int | None,
    audience: Audience,
) -> tuple[tuple[int, Level], ...]:
    wanted = ConsentAudience(audience.value)
    by_person: dict[int, list[Grant]] = {}
    for grant in grants:
        by_person.setdefault(grant.person_id, []).append(grant)
    levels: list[tuple[int, Level]] = []
    for person in people:
        level, _grant = level_in_force(
            by_person.get(person.id, ()),
            person.id,
            wanted,
            series_id=series_id,
            meeting_id=meeting_id,
        )
        levels.append((person.id, released_level(person, level)))
    return tuple(levels)


def attribution(person: PersonFacts, level: Level) -> str:
    """The display text crediting ``person`` at ``level``."""
    level = released_level(person, level)
    if level is Level.ANONYMOUS:
        return PARTICIPANT
    if level is Level.DESCRIPTOR:
        text = person.descriptor.strip()
        return text[:1].upper() + text[1:]
    if level is Level.AFFILIATION:
        return f"Someone from {person.affiliation.strip()}"
    if level is Level.NAMED:
        name = person.name.strip()
        affiliation = person.affiliation.strip()
        return f"{name} ({affiliation})" if affiliation else name
    raise ValueError(f"unknown level {level!r}")
