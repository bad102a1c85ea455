"""What outbox rows ask of the index: the meetings, items and write-ups
they touch (``expand``), the deletions and documents that bring those up to
date, made a part at a time (``parts``), and their writing in as few commits
as the parts' size allows (``write_parts``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from notesbase.models import Item, meeting_topics
from notesbase.search.documents import Builder, Document
from notesbase.search.engine import Engine
from notesbase.search.naming import chunks, items_mentioning


@dataclass(frozen=True)
class Work:
    """One outbox row, read once (a failed attempt rolls the session back)."""

    id: int
    target: str
    target_id: int


def expand(session: Session, rows: Iterable[Work]) -> tuple[set[int], set[int], set[int]]:
    """What the rows ask for, as (meetings to redo whole, items, write-ups)."""
    by_target: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_target[row.target].add(row.target_id)
    meetings = set(by_target["meeting"])
    # A purge asks that no old text stay on disk (the write rewrites every
    # segment holding a deleted document): an item purged away has its
    # documents deleted; one still there (its history purged) is redone
    # only if another row asks, since its documents hold its current text.
    purged = set(by_target["purge"])
    kept = {
        item_id
        for some in chunks(purged)
        for item_id in session.scalars(sa.select(Item.id).where(Item.id.in_(some)))
    }
    items = set(by_target["item"]) | (purged - kept)
    writeups = set(by_target["writeup"])
    for topics in chunks(by_target["topic"]):
        meetings.update(
            session.scalars(
                sa.select(meeting_topics.c.meeting_id).where(meeting_topics.c.topic_id.in_(topics))
            )
        )
    if by_target["person"]:
        # Who names or credits them, as recorded; items naming them by new
        # details are added by the scan (``scan_mentions``), which queues them.
        items.update(items_mentioning(session, by_target["person"]))
    return meetings, items, writeups - meetings


# Work is made a part at a time (whole meetings, or items), and parts are
# written together until a commit holds this many documents and deletions:
# a save is one commit, a bulk change a few of bounded size.
MEETINGS_PER_PART = 20
ITEMS_PER_PART = 500
DOCUMENTS_PER_WRITE = 2000

Part = tuple[list[tuple[str, str]], list[Document]]


def parts(
    session: Session, meetings: set[int], items: set[int], writeups: set[int]
) -> Iterator[Part]:
    """What to delete and add for the rows, in parts of bounded size."""
    by_meeting: dict[int, list[Item]] = defaultdict(list)
    whole: set[int] = set()  # items of meetings redone whole, scope and all
    for some in chunks(items):
        for item in session.scalars(sa.select(Item).where(Item.id.in_(some))):
            if item.meeting_id in meetings:
                whole.add(item.id)
            else:
                by_meeting[item.meeting_id].append(item)
    # A published write-up shows its items as they read now: redo it too.
    writeups = (writeups | set(by_meeting)) - meetings
    # One builder reads the people and the grants bearing on every meeting once.
    builder = Builder(session, meetings | set(by_meeting) | writeups)
    for some in chunks(meetings, MEETINGS_PER_PART):
        documents = [d for m in builder.meetings(some) for d in builder.meeting_documents(m)]
        yield [("scope", f"meeting:{m}") for m in some], documents
    # Items of meetings that are not redone whole; items gone are deleted.
    for some in chunks(items - whole, ITEMS_PER_PART):
        wanted = set(some)
        touched = {m: [i for i in found if i.id in wanted] for m, found in by_meeting.items()}
        touched = {m: found for m, found in touched.items() if found}
        documents = [
            d for m in builder.meetings(touched) for d in builder.item_documents(m, touched[m.id])
        ]
        yield [("key", f"item:{i}") for i in some], documents
    for some in chunks(writeups, MEETINGS_PER_PART):
        documents = [
            d
            for m in builder.meetings(some)
            if (d := builder.source_document(m, "writeup")) is not None
        ]
        yield [("key", f"writeup:{m}") for m in some], documents


# From this many items to redo, the documents are written as a rebuild
# writes them (``many``): a save, or a few hundred items, a commit at a time.
MANY_ITEMS = 2_000


def many(session: Session, meetings: set[int], items: set[int]) -> bool:
    """Whether the work redoes ``MANY_ITEMS`` items or more, counting every
    item of the meetings redone whole."""
    count = len(items)
    for some in chunks(meetings):
        if count >= MANY_ITEMS:
            break
        count += session.scalar(sa.select(sa.func.count(Item.id)).where(Item.meeting_id.in_(some)))
    return count >= MANY_ITEMS


def write_parts(
    engine: Engine,
    path: Path,
    parts: Iterator[Part],
    *,
    optimize: bool,
    bulk: bool = False,
    progress: Callable[[str], None] | None = None,
) -> bool:
    """Write ``parts`` in as few commits as their size allows (deletions of
    a commit happen before its additions, so parts must not overlap);
    whether a tier of segments is full. With ``optimize``, the last commit
    rewrites every segment holding a deleted document (after a purge). With
    ``bulk`` (``many``), in one commit of large segments
    (``Writer.write_many``, telling ``progress``), where the writer can."""
    if bulk and engine.writer.parallel_segments:
        named: list[tuple[str, str]] = []

        def streamed() -> Iterator[Document]:
            for part_replace, part_documents in parts:
                named.extend(part_replace)
                yield from part_documents

        return engine.write_many(path, named, streamed(), optimize=optimize, progress=progress)
    full = False
    replace: list[tuple[str, str]] = []
    documents: list[Document] = []
    for part_replace, part_documents in parts:
        replace += part_replace
        documents += part_documents
        if len(replace) + len(documents) >= DOCUMENTS_PER_WRITE:
            full = engine.write(path, replace, documents) or full
            replace, documents = [], []
    if replace or documents or optimize:
        full = engine.write(path, replace, documents, optimize=optimize) or full
    return full
