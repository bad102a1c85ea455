"""From stored rows to the pure records ``disclose`` reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from weakref import WeakKeyDictionary

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
from notesbase.disclosure.mentions import Mentions
from notesbase.models import Consent, DisclosureStamp, Item, Meeting, Person
from notesbase.models.stamp import current_token


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


@dataclass(frozen=True)
class _Kept:
    token: str
    people: tuple[PersonFacts, ...]
    grants: tuple[Grant, ...]


# Per database engine: the people and active grants read under a stamp
# token (``notesbase.models.stamp``), kept while the token stays the same.
_kept: WeakKeyDictionary[sa.Engine, _Kept] = WeakKeyDictionary()
_stamped: WeakKeyDictionary[sa.Engine, bool] = WeakKeyDictionary()


def _kept_facts(session: Session) -> _Kept | None:
    """Everyone and every active grant, as plain rows, kept between requests
    while the database's stamp token is unchanged and read afresh otherwise;
    None where the database has no stamp to vouch for them.
    The token is read first, in the same transaction and after the session's
    waiting changes are flushed (a change to people or consents gives the
    transaction a token of its own), so what is kept is never older than the
    token it is kept under."""
    engine = session.get_bind()
    token = _token(session, engine) if isinstance(engine, sa.Engine) else None
    if token is None:
        return None
    kept = _kept.get(engine)  # type: ignore[arg-type]
    if kept is None or kept.token != token:
        kept = _Kept(token, _read_people(session), _read_active_grants(session))
        _kept[engine] = kept  # type: ignore[index]
    return kept


def _token(session: Session, engine: sa.Engine) -> str | None:
    if engine not in _stamped:  # an older schema has no stamp: keep nothing
        # Asked on the session's own connection: a connection of its own
        # would wait (SQLite begins every transaction IMMEDIATE) for the
        # write lock the session may hold in the middle of a flush.
        connection = session.connection()
        _stamped[engine] = sa.inspect(connection).has_table(DisclosureStamp.__tablename__)
    if not _stamped[engine]:
        return None
    return current_token(session, engine.dialect.name)


def _read_people(session: Session) -> tuple[PersonFacts, ...]:
    rows = session.execute(
        sa.select(
            Person.id, Person.name, Person.affiliation, Person.descriptor, Person.email
        ).order_by(Person.id)
    )
    return tuple(PersonFacts(*row) for row in rows)


def _read_active_grants(session: Session) -> tuple[Grant, ...]:
    rows = session.execute(
        sa.select(
            Consent.person_id,
            Consent.audience,
            Consent.level,
            Consent.granted_at,
            Consent.series_id,
            Consent.meeting_id,
            Consent.withdrawn_at,
        )
        .where(Consent.withdrawn_at.is_(None))
        .order_by(Consent.id)
    )
    return tuple(Grant(*row) for row in rows)


def people_facts(session: Session) -> tuple[PersonFacts, ...]:
    """Every person, as plain rows: a page or a search reads hundreds of
    people, and building ORM objects for them cost more than the rest."""
    kept = _kept_facts(session)
    return kept.people if kept is not None else _read_people(session)


# Per database engine: the ``Mentions`` of everyone, with the people it was
# built from; rebuilt only when those change (not for a consent change).
_mentions: WeakKeyDictionary[sa.Engine, tuple[tuple[PersonFacts, ...], Mentions]] = (
    WeakKeyDictionary()
)


def people_mentions(session: Session) -> Mentions:
    """Who a text names, over every person as they are now. Building it
    for thousands of people costs a fraction of a second, so it is kept
    between flushes and requests while the people are unchanged (read under
    the disclosure stamp, as ``people_facts``)."""
    people = people_facts(session)
    engine = session.get_bind()
    if not isinstance(engine, sa.Engine):
        return Mentions(people)
    kept = _mentions.get(engine)
    if kept is None or (kept[0] is not people and kept[0] != people):
        kept = (people, Mentions(people))
        _mentions[engine] = kept
    return kept[1]


def active_grants(session: Session) -> tuple[Grant, ...]:
    """Every grant not withdrawn, as plain rows."""
    kept = _kept_facts(session)
    return kept.grants if kept is not None else _read_active_grants(session)


def grants_reaching(
    session: Session,
    meetings: Sequence[Meeting],
    audiences: Sequence[ConsentAudience] | None = None,
) -> tuple[Grant, ...]:
    """The active grants that bear on these meetings: those for everywhere,
    for their series and for the meetings themselves; only those for
    ``audiences`` when given."""
    if audiences is not None and not audiences:
        return ()
    series = {m.series_id for m in meetings}
    meeting_ids = {m.id for m in meetings}
    wanted = set(audiences) if audiences is not None else None
    return tuple(
        grant
        for grant in active_grants(session)
        if (wanted is None or grant.audience in wanted)
        and (
            grant.meeting_id in meeting_ids
            if grant.meeting_id is not None
            else grant.series_id is None or grant.series_id in series
        )
    )


def load_notes(meeting: Meeting, items: list[Item] | None = None) -> Notes:
    """A meeting's notes as it stands now. Every person is included, not only
    the speakers, so a name typed into a body is withheld wherever it is not
    released; active grants only, in the scopes that reach this meeting.
    Inside ``one_reading``, read once."""
    kept = _KEPT.get()
    if kept is not None and items is None:
        key = (meeting.id, None)
        if key not in kept:
            kept[key] = _load_notes(meeting, None)
        return kept[key]  # type: ignore[return-value]
    return _load_notes(meeting, items)


def _load_notes(meeting: Meeting, items: list[Item] | None) -> Notes:
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


def meeting_view(meeting: Meeting, audience: Audience, notes: Notes | None = None) -> NotesView:
    """What ``audience`` sees of ``meeting``'s notes, from the current rows
    (or ``notes``, read from them already); inside ``one_reading``, made once."""
    kept = _KEPT.get()
    if kept is None or (notes is not None and notes is not kept.get((meeting.id, None))):
        return disclose(notes if notes is not None else load_notes(meeting), audience)
    key = (meeting.id, audience)
    if key not in kept:
        kept[key] = disclose(load_notes(meeting), audience)
    return kept[key]  # type: ignore[return-value]


# A page that shows several outputs of the same notes (the leak check's
# channels, the circulated message beside its check) reads them once.
_KEPT: ContextVar[dict[tuple[int, Audience | None], Notes | NotesView] | None] = ContextVar(
    "notes_read_once", default=None
)


@contextmanager
def one_reading() -> Iterator[None]:
    """Within the block, each meeting's notes are read from the rows once
    and each audience's view of them made once (``load_notes``,
    ``meeting_view``): for a page showing several outputs of the same notes,
    which nothing changes meanwhile."""
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)


def meeting_views(meeting: Meeting, *audiences: Audience) -> dict[Audience, NotesView]:
    """Several audiences' views of ``meeting``, from one reading of the rows."""
    notes = load_notes(meeting)
    return {audience: disclose(notes, audience) for audience in audiences}
