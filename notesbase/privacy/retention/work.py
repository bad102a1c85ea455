"""What every retention outcome shares: a meeting's notes read once, the
count of what changes, items written as a new version with every earlier
version purged, and items purged whole. Flushes, never commits; nothing
is written while ``Work.dry_run`` is set."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import (
    IdempotencyKey,
    IndexOutbox,
    Item,
    ItemRevision,
    Meeting,
    Reviewer,
    ReviewRequest,
    ReviewRound,
    WriteupSnapshotItem,
)
from notesbase.models.search import request_purge
from notesbase.notes.items import revision_columns, text_removed
from notesbase.search.naming import chunks


@dataclass
class Work:
    """One meeting's retention: its items (one query), what was counted,
    and the items whose text left (for the search purge and the signal)."""

    meeting: Meeting
    dry_run: bool
    items: list[Item] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    removed: set[int] = field(default_factory=set)
    rewritten: dict[int, Item] = field(default_factory=dict)

    @classmethod
    def read(cls, meeting: Meeting, *, dry_run: bool) -> Work:
        items = list(
            db.session.scalars(
                sa.select(Item).where(Item.meeting_id == meeting.id).order_by(Item.position)
            )
        )
        return cls(meeting, dry_run, items)

    def item_ids(self) -> list[int]:
        return [item.id for item in self.items]


def earlier_versions(item_ids: list[int]) -> int:
    """How many versions of these items are not their current one (one query)."""
    if not item_ids:
        return 0
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ItemRevision)
            .join(Item, Item.id == ItemRevision.item_id)
            .where(ItemRevision.item_id.in_(item_ids), ItemRevision.version != Item.version)
        )
        or 0
    )


def change_item(work: Work, item: Item, **fields: object) -> None:
    """Set ``fields`` on ``item``; written as a new version by ``finish``."""
    for name, value in fields.items():
        if getattr(item, name) != value:
            setattr(item, name, value)
            work.rewritten[item.id] = item


def purge_items(work: Work, items: list[Item]) -> None:
    """Remove ``items`` and every version of them for good (Core deletes:
    one statement per meeting, not per item)."""
    if not items:
        return
    ids = [item.id for item in items]
    work.counts["items_purged"] += len(ids)
    work.removed.update(ids)
    if work.dry_run:
        return
    for item in items:
        db.session.expunge(item)
    db.session.execute(sa.delete(ItemRevision).where(ItemRevision.item_id.in_(ids)))
    db.session.execute(sa.delete(Item).where(Item.id.in_(ids)))


def finish(work: Work) -> None:
    """Write each changed item as a new version (so stale views are checked
    again), purge every earlier version of the meeting's items, ask search
    to leave no trace of what left, and tell the rest of the app."""
    kept = [item for item in work.items if item.id not in work.removed]
    work.counts["versions_purged"] += earlier_versions([i.id for i in kept]) + len(
        [i for i in work.rewritten if i not in work.removed]
    )
    work.counts["items_rewritten"] += len(set(work.rewritten) - work.removed)
    if work.dry_run:
        return
    db.session.flush()  # versions rise here
    versioned = [item for item in work.rewritten.values() if item.id not in work.removed]
    # By id, not ``item=``: that would load each item's revisions to add to them.
    db.session.add_all(
        ItemRevision(item_id=item.id, author_id=None, **revision_columns(item))
        for item in versioned
    )
    db.session.flush()
    _follow_snapshots([item.id for item in versioned])
    if kept:
        db.session.execute(
            sa.delete(ItemRevision).where(
                ItemRevision.item_id.in_([i.id for i in kept]),
                ItemRevision.version
                != sa.select(Item.version).where(Item.id == ItemRevision.item_id).scalar_subquery(),
            )
        )
    touched = work.removed | {item.id for item in kept}
    _ask_the_index(work, kept)
    db.session.flush()
    for item_id in sorted(touched & _kept_elsewhere(touched)):
        text_removed.send(None, item_id=item_id)


def _ask_the_index(work: Work, kept: list[Item]) -> None:
    """Ask search for exactly what changed: an item rewritten asks by itself
    (the outbox sees it saved); the items removed with a Core delete are
    asked for here, one by one, or, when they are most of the meeting, as
    the whole meeting (one deletion by its scope, and documents made again
    only for what is left); and their published write-up. Every request is
    a purge, so the index rewrites each segment holding a deleted document
    (its earlier versions' text included) and keeps no trace of them."""
    if work.removed and len(work.removed) >= len(kept):
        db.session.add(IndexOutbox(target="meeting", target_id=work.meeting.id))
        request_purge(db.session, min(work.removed))
    elif work.removed:
        db.session.add(IndexOutbox(target="writeup", target_id=work.meeting.id))
        for item_id in sorted(work.removed):
            request_purge(db.session, item_id)
    elif kept:
        request_purge(db.session, min(item.id for item in kept))


def _kept_elsewhere(item_ids: set[int]) -> set[int]:
    """The items whose text something else keeps a copy of (a published
    snapshot, a kept API answer): only they need ``text_removed``, so a
    meeting costs two queries, not a few per item."""
    if not item_ids:
        return set()
    copied = set(
        db.session.scalars(
            sa.select(WriteupSnapshotItem.item_id).where(WriteupSnapshotItem.item_id.in_(item_ids))
        )
    )
    for path in db.session.scalars(
        sa.select(IdempotencyKey.path).where(IdempotencyKey.path.contains("/items/"))
    ):
        tail = path.rsplit("/", 1)[-1]
        if tail.isdigit():
            copied.add(int(tail))
    return copied


def _follow_snapshots(item_ids: list[int]) -> None:
    """The published copies of the items' previous versions are written
    again as the new ones (retention changed what they hold the same way):
    one statement for the meeting, not one per item."""
    current = sa.select(Item.version).where(Item.id == WriteupSnapshotItem.item_id)
    for some in chunks(item_ids):
        db.session.execute(
            sa.update(WriteupSnapshotItem)
            .where(
                WriteupSnapshotItem.item_id.in_(some),
                WriteupSnapshotItem.version == current.scalar_subquery() - 1,
            )
            .values(version=WriteupSnapshotItem.version + 1)
        )


def snapshot_rows(work: Work) -> list[WriteupSnapshotItem]:
    """The published copies of this meeting's items."""
    ids = work.item_ids()
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(WriteupSnapshotItem).where(WriteupSnapshotItem.item_id.in_(ids))
        )
    )


def review_requests(meeting: Meeting) -> list[ReviewRequest]:
    return list(
        db.session.scalars(
            sa.select(ReviewRequest)
            .join(Reviewer, Reviewer.id == ReviewRequest.reviewer_id)
            .join(ReviewRound, ReviewRound.id == Reviewer.round_id)
            .where(ReviewRound.meeting_id == meeting.id)
        )
    )


def confidential(items: list[Item]) -> list[Item]:
    return [item for item in items if item.confidentiality is Confidentiality.CONFIDENTIAL]
