"""The snapshot a published write-up is read from.

Publishing fixes what the write-up shows: its summary, and each chosen
item's content (text, kind, section, speaker, confidentiality) at its
version. People and consents are not fixed: every rendering runs
``disclose`` for the public over the snapshot with the current people and
grants, so a withdrawal takes effect on the next request. An item made
confidential (or members-only) since, or deleted or purged, drops out: what
the notes say now about who may see an item always wins (fail closed).

The snapshot also records who it names or credits (``Mentions`` over its
text, and its speakers), so a change to a person or their consent re-checks
exactly the write-ups that name them (``guard``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from notesbase.db import db
from notesbase.disclosure import Confidentiality, ItemFacts
from notesbase.disclosure.mentions import Mentions
from notesbase.models import (
    Item,
    Meeting,
    Writeup,
    WriteupSnapshot,
    WriteupSnapshotItem,
    utcnow,
    writeup_snapshot_people,
)
from notesbase.notes.facts import item_facts, people_facts


def session_for(obj: object) -> Session:
    """The session ``obj`` was read in (the index reads in one of its own)."""
    return object_session(obj) or db.session


def take_snapshot(writeup: Writeup, items: Sequence[Item]) -> WriteupSnapshot:
    """Fix the summary and ``items`` (open items of the write-up's meeting,
    as they are now) as what the public reads; replaces any earlier snapshot
    and lifts nothing else (``withheld_at`` is the caller's). Flushes."""
    session = session_for(writeup)
    snapshot = writeup.snapshot
    if snapshot is None:
        snapshot = WriteupSnapshot(writeup=writeup, summary="", withheld_findings=0)
        session.add(snapshot)
        session.flush()
    else:
        session.execute(
            sa.delete(WriteupSnapshotItem).where(WriteupSnapshotItem.snapshot_id == snapshot.id)
        )
        session.execute(
            sa.delete(writeup_snapshot_people).where(
                writeup_snapshot_people.c.snapshot_id == snapshot.id
            )
        )
        session.expire(snapshot, ["items"])
    snapshot.summary = writeup.summary
    snapshot.taken_at = utcnow()
    own = [i for i in items if i.meeting_id == writeup.meeting_id]
    for item in own:
        session.add(
            WriteupSnapshotItem(
                snapshot_id=snapshot.id,
                item_id=item.id,
                version=item.version,
                position=item.position,
                section=item.section,
                kind=item.kind,
                body=item.body,
                speaker_id=item.speaker_id,
                confidentiality=item.confidentiality,
            )
        )
    session.flush()
    session.expire(snapshot, ["items"])
    record_people(snapshot, named_people(session, snapshot))
    return snapshot


def snapshot_texts(snapshot: WriteupSnapshot) -> list[str]:
    """Every text the snapshot was made of: the summary, headings and bodies."""
    texts = [snapshot.summary]
    for item in snapshot.items:
        texts += [item.section, item.body]
    return texts


def named_people(session: Session, snapshot: WriteupSnapshot) -> set[int]:
    """Everyone the snapshot names (however typed) or credits as a speaker."""
    named = set(Mentions(people_facts(session)).people_in_all(snapshot_texts(snapshot)))
    return named | {item.speaker_id for item in snapshot.items if item.speaker_id is not None}


def record_people(snapshot: WriteupSnapshot, people: set[int]) -> None:
    """Add ``people`` to those the snapshot names (those already there stay)."""
    session = session_for(snapshot)
    known = set(
        session.scalars(
            sa.select(writeup_snapshot_people.c.person_id).where(
                writeup_snapshot_people.c.snapshot_id == snapshot.id
            )
        )
    )
    new = sorted(people - known)
    if new:
        session.execute(
            sa.insert(writeup_snapshot_people),
            [{"snapshot_id": snapshot.id, "person_id": person} for person in new],
        )


def snapshot_facts(meeting: Meeting, snapshot: WriteupSnapshot) -> list[ItemFacts]:
    """The snapshot's items as ``disclose`` reads them, in order, leaving out
    any item that is no longer open now (or is gone): fail closed."""
    session = session_for(snapshot)
    rows = list(snapshot.items)
    if not rows:
        return []
    current = dict(
        session.execute(
            sa.select(Item.id, Item.confidentiality).where(
                Item.id.in_([row.item_id for row in rows]), Item.meeting_id == meeting.id
            )
        ).all()
    )
    shown = [
        row
        for row in rows
        if current.get(row.item_id) is Confidentiality.OPEN
        and row.confidentiality is Confidentiality.OPEN
    ]
    return [
        ItemFacts(
            id=row.item_id,
            position=row.position,
            kind=row.kind,
            body=row.body,
            confidentiality=row.confidentiality,
            section=row.section,
            speaker_id=row.speaker_id,
            version=row.version,
        )
        for row in sorted(shown, key=lambda row: (row.position, row.item_id))
    ]


def draft_facts(meeting: Meeting, items: Sequence[Item]) -> list[ItemFacts]:
    """Chosen live items of this meeting, in order, as ``disclose`` reads them."""
    own = sorted(
        (item for item in items if item.meeting_id == meeting.id),
        key=lambda item: (item.position, item.id),
    )
    return [item_facts(item) for item in own]


@dataclass(frozen=True)
class NewerVersion:
    """An included item changed since publishing: the public reads ``published``."""

    item_id: int
    position: int
    published: int
    current: int


def newer_versions(writeup: Writeup) -> list[NewerVersion]:
    """The snapshot's items that have a newer version than the published one."""
    snapshot = writeup.snapshot
    if snapshot is None or not snapshot.items:
        return []
    session = session_for(writeup)
    versions = dict(
        session.execute(
            sa.select(Item.id, Item.version).where(
                Item.id.in_([row.item_id for row in snapshot.items])
            )
        ).all()
    )
    return [
        NewerVersion(row.item_id, row.position, row.version, versions[row.item_id])
        for row in snapshot.items
        if versions.get(row.item_id, row.version) > row.version
    ]


def drop_superseded(session: Session, item_id: int) -> set[int]:
    """After an item's earlier versions were purged: a snapshot holding one
    of them loses that item (the text is gone for good, so is its copy).
    Returns the meetings whose write-ups changed."""
    version = session.scalar(sa.select(Item.version).where(Item.id == item_id))
    rows = session.execute(
        sa.select(WriteupSnapshotItem.snapshot_id, Writeup.meeting_id)
        .join(WriteupSnapshot, WriteupSnapshot.id == WriteupSnapshotItem.snapshot_id)
        .join(Writeup, Writeup.id == WriteupSnapshot.writeup_id)
        .where(WriteupSnapshotItem.item_id == item_id)
        .where(
            sa.true() if version is None else WriteupSnapshotItem.version != version,
        )
    ).all()
    if not rows:
        return set()
    session.execute(
        sa.delete(WriteupSnapshotItem).where(
            WriteupSnapshotItem.item_id == item_id,
            WriteupSnapshotItem.snapshot_id.in_([row.snapshot_id for row in rows]),
        )
    )
    for row in rows:
        snapshot = session.get(WriteupSnapshot, row.snapshot_id)
        if snapshot is not None:
            session.expire(snapshot, ["items"])
    return {row.meeting_id for row in rows}
