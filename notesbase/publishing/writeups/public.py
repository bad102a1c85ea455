"""What the public reads of a write-up, worked out on every request.

A write-up's draft is what the facilitator chose: a summary in Markdown and
which open items go in, read live. Once it is published the public reads its
snapshot (``snapshot``), through ``disclose`` for the public with the
current people and consents, on every request: the summary as an open item
with no speaker (so unreleased names typed into it are replaced), and the
items as they were published (an item made confidential, purged or wholly
redacted since simply drops out; a later edit waits for the next
publishing). While the leak check finds something in that rendering the
write-up is withheld (``guard``): nothing of it reaches the public until a
facilitator publishes it again.

Nothing here writes: storing and publishing are in ``service``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from notesbase.db import db
from notesbase.disclosure import (
    Audience,
    Confidentiality,
    DisclosedItem,
    ItemFacts,
    Kind,
    NotesView,
    disclose,
)
from notesbase.models import Item, Meeting, Series, Topic, Writeup, WriteupSnapshot
from notesbase.notes import facts
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.errors import WriteupWithheld
from notesbase.publishing.writeups.snapshot import draft_facts, snapshot_facts

CHANNEL = "writeup"
# The summary's stand-in id in the disclosed view: item ids start at 1.
SUMMARY_ID = 0


@dataclass(frozen=True)
class PublicWriteup:
    """A write-up exactly as the public reads it now (or would, for a draft)."""

    meeting: Meeting
    writeup: Writeup | None
    title: str
    summary: DisclosedItem | None
    view: NotesView

    @property
    def published(self) -> bool:
        return self.writeup is not None and self.writeup.published

    @property
    def summary_html(self) -> str:
        return self.summary.body_html if self.summary is not None else ""

    @property
    def summary_text(self) -> str:
        return self.summary.body_text if self.summary is not None else ""

    @property
    def items(self) -> tuple[DisclosedItem, ...]:
        return self.view.items

    def text(self) -> str:
        """The plain text a reader gets: summary, then each section and item."""
        parts = [self.summary_text]
        for section in self.view.sections:
            parts.append(section.heading)
            for item in section.items:
                credit = f" ({item.attribution})" if item.attribution else ""
                parts.append(f"{item.kind.label}{credit}: {item.body_text}")
        return "\n".join(part for part in parts if part)


def writeup_title(meeting: Meeting) -> str:
    return f"Write-up of meeting {meeting.number}: {meeting.title}"


def session_of(meeting: Meeting) -> Session:
    """The session ``meeting`` was read in. The search index calls
    ``published_text`` from a session of its own, after the request's
    session has committed, so nothing here assumes ``db.session``."""
    return object_session(meeting) or db.session


def find_writeup(meeting: Meeting) -> Writeup | None:
    return session_of(meeting).scalar(sa.select(Writeup).where(Writeup.meeting_id == meeting.id))


def open_items(meeting: Meeting) -> list[Item]:
    """The items a write-up may carry: the meeting's open ones, in order."""
    return list(
        session_of(meeting).scalars(
            sa.select(Item)
            .where(Item.meeting_id == meeting.id, Item.confidentiality == Confidentiality.OPEN)
            .order_by(Item.position, Item.id)
        )
    )


def summary_facts(summary: str) -> ItemFacts:
    """The summary as ``disclose`` reads it: an open item nobody spoke."""
    return ItemFacts(
        id=SUMMARY_ID,
        position=-1,
        kind=Kind.POINT,
        body=summary,
        confidentiality=Confidentiality.OPEN,
    )


def public_view(meeting: Meeting, items: list[Item], summary: str = "") -> NotesView:
    """``disclose`` for the public of ``items`` (of this meeting only) and,
    first, the summary as the item ``SUMMARY_ID`` when there is one."""
    return facts_view(meeting, draft_facts(meeting, items), summary)


def facts_view(meeting: Meeting, items: list[ItemFacts], summary: str = "") -> NotesView:
    """``disclose`` for the public of ``items`` with the current people and
    grants, the summary first as the item ``SUMMARY_ID``."""
    notes = replace(facts.load_notes(meeting, []), items=items)
    if summary.strip():
        notes = replace(notes, items=[summary_facts(summary), *notes.items])
    return disclose(notes, Audience.PUBLIC)


# Set while the leak check and the renderings are asked about the draft
# (what publishing would fix) rather than the published snapshot.
_DRAFT: ContextVar[bool] = ContextVar("writeup_draft", default=False)


@contextmanager
def drafting() -> Iterator[None]:
    """Within: ``public_writeup`` and the leak check's "writeup" channel read
    the draft, even of a published write-up (the preview; publishing again)."""
    token = _DRAFT.set(True)
    try:
        yield
    finally:
        _DRAFT.reset(token)


def shown_snapshot(writeup: Writeup | None) -> WriteupSnapshot | None:
    """The snapshot the public reads (or would, were it not withheld); None
    for a draft, or inside ``drafting``."""
    if writeup is None or not writeup.published or _DRAFT.get():
        return None
    return writeup.snapshot


def writeup_sources(meeting: Meeting, writeup: Writeup | None) -> tuple[str, list[ItemFacts]]:
    """The summary and the items the public reading is made from: the
    published snapshot (``shown_snapshot``), else the draft's live items."""
    if writeup is None:
        return "", []
    snapshot = shown_snapshot(writeup)
    if snapshot is not None:
        return snapshot.summary, snapshot_facts(meeting, snapshot)
    return writeup.summary, draft_facts(meeting, list(writeup.items))


def public_writeup(meeting: Meeting, writeup: Writeup | None = None) -> PublicWriteup:
    """What the public reads of ``meeting``'s write-up: a published one's
    snapshot (withheld or not: callers serving the public ask
    ``published_writeup``), a draft as it would read if published."""
    if writeup is None:
        writeup = find_writeup(meeting)
    if writeup is None:
        view = NotesView(audience=Audience.PUBLIC)
    else:
        summary_text, items = writeup_sources(meeting, writeup)
        view = facts_view(meeting, items, summary_text)
    summary = next((item for item in view.items if item.id == SUMMARY_ID), None)
    items_shown = tuple(item for item in view.items if item.id != SUMMARY_ID)
    return PublicWriteup(
        meeting=meeting,
        writeup=writeup,
        title=writeup_title(meeting),
        summary=summary,
        view=NotesView(audience=Audience.PUBLIC, items=items_shown),
    )


def draft_writeup(meeting: Meeting, writeup: Writeup | None = None) -> PublicWriteup:
    """The draft as the public would read it, were it published now."""
    with drafting():
        return public_writeup(meeting, writeup)


def published_writeup(meeting: Meeting) -> PublicWriteup | None:
    """The public write-up while it is published and not withheld; None
    otherwise (the same None as for a write-up never published)."""
    writeup = find_writeup(meeting)
    if writeup is None or not writeup.public:
        return None
    with serving_snapshot():
        return public_writeup(meeting, writeup)


@contextmanager
def serving_snapshot() -> Iterator[None]:
    """The public is always served the snapshot, whoever asks."""
    token = _DRAFT.set(False)
    try:
        yield
    finally:
        _DRAFT.reset(token)


def exportable_writeup(meeting: Meeting, writeup: Writeup) -> PublicWriteup:
    """What the Markdown page is made from (the published snapshot, or a
    draft as it would read), once the leak check passes: ``WriteupWithheld``
    while it is withheld, ``LeakCheckFailed`` while a finding stands."""
    if writeup.withheld:
        raise WriteupWithheld()
    leakcheck.require_clean(meeting, CHANNEL)
    return public_writeup(meeting, writeup)


def published_meetings(
    *, series: Series | None = None, topic: Topic | None = None, limit: int | None = None
) -> list[Meeting]:
    """Meetings whose write-up the public reads (published, not withheld),
    latest meeting first."""
    query = (
        sa.select(Meeting)
        .join(Writeup, Writeup.meeting_id == Meeting.id)
        .join(WriteupSnapshot, WriteupSnapshot.writeup_id == Writeup.id)
        .where(Writeup.published_at.is_not(None), WriteupSnapshot.withheld_at.is_(None))
        .order_by(Meeting.date.desc(), Meeting.number.desc(), Meeting.id.desc())
    )
    if series is not None:
        query = query.where(Meeting.series_id == series.id)
    if topic is not None:
        query = query.where(Meeting.topics.any(Topic.id == topic.id))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))
