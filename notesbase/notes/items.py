"""Writing a meeting's items. Services flush and never commit; each change
keeps a revision of the new content and an audit event without the text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from blinker import Namespace

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import Item, ItemRevision, Meeting, Member, Person
from notesbase.models.search import request_purge
from notesbase.notes.errors import NotesError, StaleItem
from notesbase.text import clean_line, clean_text

BODY_MAX = 20_000
# Sent (with ``item_id``) when an item's text is deleted or purged, in the
# same transaction, so nothing elsewhere keeps a copy of it.
text_removed = Namespace().signal("item-text-removed")
SECTION_MAX = 200


@dataclass
class ItemFields:
    kind: Kind
    body: str
    section: str = ""
    speaker_id: int | None = None
    confidentiality: Confidentiality = Confidentiality.OPEN


def check_fields(fields: ItemFields) -> ItemFields:
    """Normalised fields, or NotesError naming the field that is wrong."""
    try:
        kind = Kind(fields.kind)
    except ValueError:
        raise NotesError("kind", f"Choose a kind: {', '.join(k.value for k in Kind)}.") from None
    try:
        confidentiality = Confidentiality(fields.confidentiality)
    except ValueError:
        choices = ", ".join(c.value for c in Confidentiality)
        raise NotesError("confidentiality", f"Choose a confidentiality: {choices}.") from None
    body = clean_text(fields.body).strip("\n")
    if not body.strip():
        raise NotesError("body", "Write what was said or agreed.")
    if len(body) > BODY_MAX:
        raise NotesError("body", f"An item is at most {BODY_MAX:,} characters long.")
    section = clean_line(fields.section)
    if len(section) > SECTION_MAX:
        raise NotesError("section", f"A section heading is at most {SECTION_MAX} characters.")
    if fields.speaker_id is not None and db.session.get(Person, fields.speaker_id) is None:
        raise NotesError("speaker", "There is no such person.")
    return ItemFields(kind, body, section, fields.speaker_id, confidentiality)


def revision_columns(item: Item) -> dict[str, Any]:
    """What a revision records of ``item`` as it stands (``ItemRevision``)."""
    return {
        "version": item.version,
        "section": item.section,
        "kind": item.kind,
        "body": item.body,
        "speaker_id": item.speaker_id,
        "confidentiality": item.confidentiality,
    }


def _snapshot(item: Item, author: Member | None) -> ItemRevision:
    author_id = author.id if author is not None else None
    return ItemRevision(item=item, author_id=author_id, **revision_columns(item))


def _next_position(meeting: Meeting) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(Item.position)).where(Item.meeting_id == meeting.id)
    )
    return (highest or 0) + 1


def create_item(
    meeting: Meeting,
    fields: ItemFields,
    *,
    actor: Member | None,
    after: Item | None = None,
) -> Item:
    """Add an item at the end of the notes, or just after ``after``."""
    fields = check_fields(fields)
    if after is not None and after.meeting_id != meeting.id:
        raise NotesError("after", "That item belongs to another meeting.")
    if after is None:
        position = _next_position(meeting)
    else:
        position = after.position + 1
        for later in db.session.scalars(
            sa.select(Item).where(Item.meeting_id == meeting.id, Item.position >= position)
        ):
            later.position += 1
    item = Item(
        meeting_id=meeting.id,
        position=position,
        kind=fields.kind,
        body=fields.body,
        section=fields.section,
        speaker_id=fields.speaker_id,
        confidentiality=fields.confidentiality,
        author_id=actor.id if actor is not None else None,
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(_snapshot(item, actor))
    audit.record(
        "item.create",
        "item",
        item.id,
        actor=actor,
        meeting_id=meeting.id,
        kind=item.kind.value,
        confidentiality=item.confidentiality.value,
        speaker_id=item.speaker_id,
    )
    db.session.flush()
    return item


def update_item(
    item: Item,
    fields: ItemFields,
    *,
    actor: Member | None,
    expected_version: int | None = None,
) -> bool:
    """Change an item; False when nothing changed (no new version then).
    ``expected_version`` is the version the editor started from."""
    fields = check_fields(fields)
    if expected_version is not None and expected_version != item.version:
        raise StaleItem(item.version)
    before = {
        "kind": item.kind,
        "body": item.body,
        "section": item.section,
        "speaker_id": item.speaker_id,
        "confidentiality": item.confidentiality,
    }
    after = {
        "kind": fields.kind,
        "body": fields.body,
        "section": fields.section,
        "speaker_id": fields.speaker_id,
        "confidentiality": fields.confidentiality,
    }
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return False
    for name in changed:
        setattr(item, name, after[name])
    db.session.flush()  # the version counter rises here
    db.session.add(_snapshot(item, actor))
    details: dict[str, object] = {"changed": changed, "version": item.version}
    for name in ("kind", "confidentiality", "speaker_id"):
        if name in changed:
            old, new = before[name], after[name]
            details[name] = [getattr(old, "value", old), getattr(new, "value", new)]
    action = "item.confidentiality" if "confidentiality" in changed else "item.update"
    audit.record(action, "item", item.id, actor=actor, meeting_id=item.meeting_id, **details)
    db.session.flush()
    return True


def delete_item(item: Item, *, actor: Member | None) -> None:
    """Delete an item and its revisions."""
    audit.record(
        "item.delete",
        "item",
        item.id,
        actor=actor,
        meeting_id=item.meeting_id,
        confidentiality=item.confidentiality.value,
        version=item.version,
    )
    item_id = item.id
    db.session.delete(item)
    db.session.flush()
    text_removed.send(None, item_id=item_id)


def reorder(meeting: Meeting, ordered_ids: list[int], *, actor: Member | None) -> None:
    """Put the meeting's items in the order of ``ordered_ids`` (all of them)."""
    items = {item.id: item for item in meeting_items_for_update(meeting)}
    if sorted(ordered_ids) != sorted(items):
        raise NotesError("order", "The order must list every item of this meeting once.")
    moved = 0
    for position, item_id in enumerate(ordered_ids, start=1):
        item = items[item_id]
        if item.position != position:
            item.position = position
            moved += 1
    if moved:
        audit.record("item.reorder", "meeting", meeting.id, actor=actor, meeting_id=meeting.id)
    db.session.flush()


def move(item: Item, offset: int, *, actor: Member | None) -> bool:
    """Move an item up (-1) or down (+1); False at either end."""
    meeting = db.session.get(Meeting, item.meeting_id)
    assert meeting is not None
    ids = [i.id for i in meeting_items_for_update(meeting)]
    index = ids.index(item.id)
    target = index + offset
    if target < 0 or target >= len(ids):
        return False
    ids[index], ids[target] = ids[target], ids[index]
    reorder(meeting, ids, actor=actor)
    return True


def meeting_items_for_update(meeting: Meeting) -> list[Item]:
    return list(
        db.session.scalars(
            sa.select(Item).where(Item.meeting_id == meeting.id).order_by(Item.position, Item.id)
        )
    )


def revisions(item: Item) -> list[ItemRevision]:
    """Every kept version, newest first (facilitators only)."""
    return list(
        db.session.scalars(
            sa.select(ItemRevision)
            .where(ItemRevision.item_id == item.id)
            .order_by(ItemRevision.version.desc())
        )
    )


def purge_item(item: Item, *, actor: Member | None) -> None:
    """Remove a confidential item and every version of it for good."""
    if item.confidentiality is not Confidentiality.CONFIDENTIAL:
        raise NotesError(
            "confidentiality", "Only confidential items are purged; delete this one instead."
        )
    audit.record(
        "item.purge", "item", item.id, actor=actor, meeting_id=item.meeting_id, version=item.version
    )
    db.session.execute(sa.delete(ItemRevision).where(ItemRevision.item_id == item.id))
    request_purge(db.session, item.id)
    item_id = item.id
    db.session.delete(item)
    db.session.flush()
    text_removed.send(None, item_id=item_id)


def purge_history(item: Item, *, actor: Member | None) -> int:
    """Drop every earlier version of an item, keeping only the current one:
    how a redacted span removed in an edit is purged for good. Returns how
    many versions were removed."""
    result = db.session.execute(
        sa.delete(ItemRevision).where(
            ItemRevision.item_id == item.id, ItemRevision.version != item.version
        )
    )
    removed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    request_purge(db.session, item.id)
    audit.record(
        "item.purge_history",
        "item",
        item.id,
        actor=actor,
        meeting_id=item.meeting_id,
        removed=removed,
        version=item.version,
    )
    db.session.flush()
    text_removed.send(None, item_id=item.id)
    db.session.expire(item, ["revisions"])
    return removed


def clear_freed_space() -> None:
    """After a purge has committed: leave no old copy in the database files.
    SQLite overwrites deleted rows (``secure_delete``) and its write-ahead log
    is checkpointed and truncated here; PostgreSQL's dead rows are vacuumed."""
    engine = db.engine
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # Outside any transaction: a write request's BEGIN IMMEDIATE
            # would hold the lock the checkpoint needs.
            raw = connection.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        elif engine.dialect.name == "postgresql":
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM items, item_revisions")
