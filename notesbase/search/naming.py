"""Who is named where: the ``item_mentions`` record, kept by the one matcher
``disclose`` uses (``notesbase.disclosure.mentions.Mentions``), so a person
or consent change re-indexes exactly the items that name or credit them.

- ``record`` writes an item's row set when the item is saved (the session
  hooks in ``outbox`` call it for every path: web, API, import, command);
- ``items_mentioning`` reads the items of some people, for the outbox;
- ``request_scan`` / ``scan_requested`` find the items that name a created
  or renamed person by their new details: every item is read once, in
  pages, where the outbox is applied.

The record errs towards too many rows, never too few: a scan only adds,
and a row an item no longer earns costs one needless re-index."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from notesbase.disclosure.facts import PersonFacts
from notesbase.disclosure.mentions import Mentions
from notesbase.models import IndexOutbox, Item, MentionScan, Person, item_mentions, utcnow

T = TypeVar("T")

# At most this many ids in one ``IN (...)`` list: far below SQLite's limit
# on bound values and PostgreSQL's, and small enough to plan quickly.
IDS_PER_QUERY = 500
# People scanned for together: one matcher over them, one pass over the items.
PEOPLE_PER_SCAN = 5000

Executor = Session | sa.Connection


def chunks(values: Iterable[T], size: int = IDS_PER_QUERY) -> Iterator[list[T]]:
    """``values`` sorted, in lists of at most ``size``."""
    ordered = sorted(values)  # type: ignore[type-var]
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def like_pattern(text: str) -> str:
    """A ``LIKE`` pattern for ``text`` anywhere, ignoring case. Only for
    public words (topic names, meeting titles in search suggestions): who
    is named where is never decided by ``LIKE``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


@dataclass(frozen=True)
class Saved:
    """What of an item decides who it names."""

    id: int
    body: str
    section: str
    speaker_id: int | None


def people_named(mentions: Mentions, item: Saved) -> set[int]:
    """The people ``item`` names in its body or heading, and its speaker."""
    found = set(mentions.people_in_all([item.body or "", item.section or ""]))
    if item.speaker_id is not None:
        found.add(item.speaker_id)
    return found


def record(executor: Executor, mentions: Mentions, items: Sequence[Saved]) -> None:
    """Replace the rows of ``items`` with the people each names now."""
    ordered = sorted(items, key=lambda item: item.id)
    for start in range(0, len(ordered), IDS_PER_QUERY):
        some = ordered[start : start + IDS_PER_QUERY]
        ids = [item.id for item in some]
        executor.execute(sa.delete(item_mentions).where(item_mentions.c.item_id.in_(ids)))
        rows = [
            {"item_id": item.id, "person_id": person}
            for item in some
            for person in sorted(people_named(mentions, item))
        ]
        if rows:
            executor.execute(sa.insert(item_mentions), rows)


def _add(executor: Executor, pairs: set[tuple[int, int]]) -> None:
    """Insert (item, person) rows, leaving those already there."""
    dialect = _dialect(executor)
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    for some in chunks(pairs, IDS_PER_QUERY):
        statement = insert(item_mentions).on_conflict_do_nothing()
        executor.execute(statement, [{"item_id": i, "person_id": p} for i, p in some])


def _dialect(executor: Executor) -> str:
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    return bind.dialect.name


def items_mentioning(executor: Executor, person_ids: Iterable[int]) -> set[int]:
    """Items whose text names one of ``person_ids`` or that one of them
    speaks in, as recorded (speakers are read from the items too)."""
    found: set[int] = set()
    for ids in chunks(set(person_ids)):
        found.update(
            executor.execute(
                sa.select(item_mentions.c.item_id).where(item_mentions.c.person_id.in_(ids))
            ).scalars()
        )
        found.update(executor.execute(sa.select(Item.id).where(Item.speaker_id.in_(ids))).scalars())
    return found


# -- new details: a scan of every item -------------------------------------------


def request_scan(executor: Executor, person_ids: Iterable[int]) -> None:
    """Ask for the items naming these people by their details as they now
    are (a created person, a new name or affiliation): in the transaction
    of the change, so it commits, or rolls back, with it."""
    ids = sorted(set(person_ids))
    for some in chunks(ids):
        executor.execute(sa.delete(MentionScan).where(MentionScan.person_id.in_(some)))
    if ids:
        now = utcnow()
        executor.execute(
            sa.insert(MentionScan),
            [{"person_id": i, "token": secrets.token_hex(16), "requested_at": now} for i in ids],
        )


def scans_pending(executor: Executor) -> int:
    """How many people's new details are not looked for in the items yet."""
    return int(executor.execute(sa.select(sa.func.count()).select_from(MentionScan)).scalar() or 0)


def scan_requested(session: Session, *, page: int = IDS_PER_QUERY) -> set[int]:
    """Look for the people waiting for a scan in every item (read ``page``
    at a time), add the rows found to ``item_mentions``, ask the outbox to
    re-index those items, and clear the requests that are still the ones
    read; flushes, the caller commits. Returns the items found."""
    requests = session.execute(
        sa.select(MentionScan.person_id, MentionScan.token)
        .order_by(MentionScan.person_id)
        .limit(PEOPLE_PER_SCAN)
    ).all()
    if not requests:
        return set()
    people = _people(session, [person for person, _ in requests])
    found = items_naming(session, people, page=page)
    _add(session, found)
    items = {item for item, _ in found}
    if items:
        now = utcnow()
        session.execute(
            sa.insert(IndexOutbox),
            [{"target": "item", "target_id": i, "created_at": now} for i in sorted(items)],
        )
    for person, token in requests:
        done = sa.and_(MentionScan.person_id == person, MentionScan.token == token)
        session.execute(sa.delete(MentionScan).where(done))
    return items


def _people(session: Session, ids: Sequence[int]) -> list[PersonFacts]:
    found: list[PersonFacts] = []
    for some in chunks(ids):
        rows = session.execute(
            sa.select(
                Person.id, Person.name, Person.affiliation, Person.descriptor, Person.email
            ).where(Person.id.in_(some))
        )
        found.extend(PersonFacts(*row) for row in rows)
    return found


def items_naming(
    executor: Executor,
    people: Sequence[PersonFacts],
    *,
    page: int = IDS_PER_QUERY,
    after: int = 0,
) -> set[tuple[int, int]]:
    """(item, person) for every item (past id ``after``) whose text names
    one of ``people`` or that one of them speaks in: each item read once,
    ``page`` at a time."""
    if not people:
        return set()
    mentions = Mentions(people)
    wanted = {person.id for person in people}
    found: set[tuple[int, int]] = set()
    last = after
    while True:
        rows = executor.execute(
            sa.select(Item.id, Item.body, Item.section, Item.speaker_id)
            .where(Item.id > last)
            .order_by(Item.id)
            .limit(page)
        ).all()
        for row in rows:
            named = people_named(mentions, Saved(*row))
            found.update((row[0], person) for person in named & wanted)
        if len(rows) < page:
            return found
        last = rows[-1][0]


def record_all(executor: Executor, *, after: int = 0) -> int:
    """Fill ``item_mentions`` afresh for every item past id ``after``, over
    everyone (a migration, rows loaded without the session hooks); how many
    rows."""
    people = [
        PersonFacts(*row)
        for row in executor.execute(
            sa.select(
                Person.id, Person.name, Person.affiliation, Person.descriptor, Person.email
            ).order_by(Person.id)
        )
    ]
    executor.execute(sa.delete(item_mentions).where(item_mentions.c.item_id > after))
    pairs = items_naming(executor, people, after=after)
    _add(executor, pairs)
    return len(pairs)
