"""Which consent level applies to a person for an audience at a meeting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

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


def effective_level(
    grants: Iterable[Grant],
    person_id: int,
    audience: Audience,
    *,
    series_id: int,
    meeting_id: int,
) -> Level:
    """The level of the deciding grant for this person, audience and meeting;
    anonymous when there is none. Facilitators always know who spoke."""
    if audience is Audience.FACILITATOR:
        return Level.NAMED
    grant = deciding_grant(
        grants,
        person_id,
        ConsentAudience(audience.value),
        series_id=series_id,
        meeting_id=meeting_id,
    )
    return grant.level if grant is not None else Level.ANONYMOUS


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
    """Each person's level for ``audience`` at this meeting: the deciding
    grant's, as far as what they have given allows (``released_level``).
    The grants for this audience are grouped by person first, and each
    person's looked for among their own: a meeting has hundreds of people."""
    if audience is Audience.FACILITATOR:  # they always know who spoke
        return {person.id: Level.NAMED for person in notes.people}
    wanted = ConsentAudience(audience.value)
    by_person: dict[int, list[Grant]] = {}
    for grant in notes.grants:
        if grant.audience == wanted:
            by_person.setdefault(grant.person_id, []).append(grant)
    levels: dict[int, Level] = {}
    for person in notes.people:
        grant = deciding_grant(
            by_person.get(person.id, ()),
            person.id,
            wanted,
            series_id=notes.series_id,
            meeting_id=notes.meeting_id,
        )
        levels[person.id] = (
            Level.ANONYMOUS if grant is None else released_level(person, grant.level)
        )
    return levels


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
