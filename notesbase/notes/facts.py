"""From stored rows to the pure records ``disclose`` reads."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from notesbase.db import db
from notesbase.disclosure import (
    Audience,
    ConsentAudience,
    Grant,
    ItemFacts,
    Notes,
    NotesView,
    PersonFacts,
    disclose,
)
from notesbase.models import Consent, Item, Meeting, Person


def person_facts(person: Person) -> PersonFacts:
    return PersonFacts(
        id=person.id,
        name=person.name,
        affiliation=person.affiliation,
        descriptor=person.descriptor,
        email=person.email,
    )


def grant_facts(consent: Consent) -> Grant:
    return Grant(
        person_id=consent.person_id,
        audience=consent.audience,
        level=consent.level,
        granted_at=consent.granted_at,
        series_id=consent.series_id,
        meeting_id=consent.meeting_id,
        withdrawn_at=consent.withdrawn_at,
    )


def item_facts(item: Item) -> ItemFacts:
    return ItemFacts(
        id=item.id,
        position=item.position,
        kind=item.kind,
        body=item.body,
        confidentiality=item.confidentiality,
        section=item.section,
        speaker_id=item.speaker_id,
        version=item.version,
    )


def meeting_items(meeting: Meeting) -> list[Item]:
    return list(
        db.session.scalars(
            sa.select(Item).where(Item.meeting_id == meeting.id).order_by(Item.position, Item.id)
        )
    )


def people_facts(session: Session) -> tuple[PersonFacts, ...]:
    """Every person, as plain rows: a page or a search reads hundreds of
    people, and building ORM objects for them cost more than the rest."""
    rows = session.execute(
        sa.select(
            Person.id, Person.name, Person.affiliation, Person.descriptor, Person.email
        ).order_by(Person.id)
    )
    return tuple(PersonFacts(*row) for row in rows)


def active_grants(session: Session, *where: sa.ColumnElement[bool]) -> tuple[Grant, ...]:
    """The grants not withdrawn (``where`` narrows them), as plain rows."""
    rows = session.execute(
        sa.select(
            Consent.person_id,
            Consent.audience,
            Consent.level,
            Consent.granted_at,
            Consent.series_id,
            Consent.meeting_id,
            Consent.withdrawn_at,
        ).where(Consent.withdrawn_at.is_(None), *where)
    )
    return tuple(Grant(*row) for row in rows)


def grants_reaching(
    session: Session,
    meetings: Sequence[Meeting],
    audiences: Sequence[ConsentAudience] | None = None,
) -> tuple[Grant, ...]:
    """The active grants that bear on these meetings: those for everywhere,
    for their series and for the meetings themselves; only those for
    ``audiences`` when given."""
    where = [
        sa.or_(
            sa.and_(Consent.series_id.is_(None), Consent.meeting_id.is_(None)),
            Consent.series_id.in_(sorted({m.series_id for m in meetings})),
            Consent.meeting_id.in_(sorted({m.id for m in meetings})),
        )
    ]
    if audiences is not None:
        if not audiences:
            return ()
        where.append(Consent.audience.in_(sorted(set(audiences))))
    return active_grants(session, *where)


def load_notes(meeting: Meeting, items: list[Item] | None = None) -> Notes:
    """A meeting's notes as it stands now. Every person is included, not only
    the speakers, so a name typed into a body is withheld wherever it is not
    released; active grants only, in the scopes that reach this meeting."""
    # The session the meeting was read in: index work reads in one of its own.
    session = object_session(meeting) or db.session
    if items is None:
        statement = sa.select(Item).where(Item.meeting_id == meeting.id)
        items = list(session.scalars(statement.order_by(Item.position, Item.id)))
    grants = grants_reaching(session, [meeting])
    return Notes(
        series_id=meeting.series_id,
        meeting_id=meeting.id,
        items=[item_facts(item) for item in items],
        people=people_facts(session),
        grants=grants,
    )


def meeting_view(meeting: Meeting, audience: Audience) -> NotesView:
    """What ``audience`` sees of ``meeting``'s notes, from the current rows."""
    return disclose(load_notes(meeting), audience)


def meeting_views(meeting: Meeting, *audiences: Audience) -> dict[Audience, NotesView]:
    """Several audiences' views of ``meeting``, from one reading of the rows."""
    notes = load_notes(meeting)
    return {audience: disclose(notes, audience) for audience in audiences}
