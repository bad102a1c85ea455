"""Writing, publishing and reading public write-ups.

A write-up's draft is what the facilitator chose: a summary in Markdown and
which open items go in, read live. Publishing takes a snapshot of it
(``snapshot``): the public reads the snapshot, through ``disclose``
for the public with the current people and consents, on every request: the
summary as an open item with no speaker (so unreleased names typed into it
are replaced), and the items as they were published (an item made
confidential, purged or wholly redacted since simply drops out; a later
edit waits for the next publishing). While the leak check finds something
in that rendering the write-up is withheld (``guard``): nothing of
it reaches the public until a facilitator publishes it again.

Services flush and never commit; publishing runs the leak check on the new
snapshot first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from notesbase import audit
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
from notesbase.models import (
    Item,
    Meeting,
    Member,
    Series,
    Topic,
    Writeup,
    WriteupSnapshot,
    utcnow,
)
from notesbase.notes import facts
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.snapshot import draft_facts, snapshot_facts, take_snapshot
from notesbase.text import clean_text

CHANNEL = "writeup"
SUMMARY_MAX = 20_000
# More items than any meeting has: a longer list is refused before any lookup.
ITEMS_MAX = 10_000
# The summary's stand-in id in the disclosed view: item ids start at 1.
SUMMARY_ID = 0


class WriteupError(ValueError):
    """Input a write-up cannot take; ``field`` names the form or JSON field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class StaleWriteup(WriteupError):
    """The write-up changed since the facilitator loaded it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "version",
            "Someone else changed this write-up while you were working on it; "
            "their version is below. Saving again replaces it with yours.",
        )
        self.current_version = current_version


class NothingToPublish(WriteupError):
    def __init__(self) -> None:
        super().__init__(
            "summary", "Write a summary or choose at least one item before publishing."
        )


class WriteupWithheld(WriteupError):
    """The write-up is withheld from the public until it is published again."""

    def __init__(self) -> None:
        super().__init__(
            "published",
            "This write-up is withheld from the public: the leak check found something "
            "the public may not see in it. Fix it, then publish it again.",
        )


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


def _clean_summary(summary: str) -> str:
    summary = clean_text(summary).strip("\n")
    if len(summary) > SUMMARY_MAX:
        raise WriteupError("summary", f"A summary is at most {SUMMARY_MAX:,} characters long.")
    return summary


def _chosen(meeting: Meeting, item_ids: list[int]) -> list[Item]:
    by_id = {item.id: item for item in open_items(meeting)}
    unknown = [i for i in item_ids if i not in by_id]
    if unknown:
        raise WriteupError(
            "items", "Only open items of this meeting can go in the write-up; reload and choose."
        )
    return [by_id[i] for i in sorted(set(item_ids), key=list(by_id).index)]


def check_version(writeup: Writeup | None, expected_version: int | None) -> None:
    """``expected_version`` 0 means "there was no write-up yet"; None skips."""
    current = writeup.version if writeup is not None else 0
    if expected_version is not None and expected_version != current:
        raise StaleWriteup(current)


def save_writeup(
    meeting: Meeting,
    summary: str,
    item_ids: list[int],
    *,
    actor: Member | None,
    expected_version: int | None,
) -> tuple[Writeup, bool]:
    """Store the summary and the chosen items; (write-up, whether it changed).
    A published write-up changes in public at once (a new snapshot is
    taken), so its new text must pass the leak check (``LeakCheckFailed``;
    the caller rolls back); a withheld one stays withheld until published
    again, and is not checked here."""
    writeup = find_writeup(meeting)
    check_version(writeup, expected_version)
    summary = _clean_summary(summary)
    items = _chosen(meeting, item_ids)
    if writeup is None:
        writeup = Writeup(meeting_id=meeting.id, summary="")
        db.session.add(writeup)
    changed = writeup.id is None or (
        writeup.summary != summary or [i.id for i in writeup.items] != [i.id for i in items]
    )
    if not changed:
        return writeup, False
    writeup.summary = summary
    writeup.items = items
    # A change of the chosen items alone updates no column; this one bumps
    # the version too, so a concurrent editor is told.
    writeup.updated_at = utcnow()
    db.session.flush()
    if writeup.published:
        take_snapshot(writeup, items)
        if not writeup.withheld:
            leakcheck.require_clean(meeting, CHANNEL)
    audit.record(
        "writeup.save",
        "writeup",
        writeup.id,
        actor=actor,
        meeting_id=meeting.id,
        version=writeup.version,
        items=len(items),
        published=writeup.published,
    )
    return writeup, True


def _fixed(writeup: Writeup) -> tuple[object, ...] | None:
    """What a snapshot fixes, to tell whether publishing again changed it."""
    snapshot = writeup.snapshot
    if snapshot is None:
        return None
    rows = sorted((row.item_id, row.version) for row in snapshot.items)
    return snapshot.summary, tuple(rows)


def publish_writeup(
    meeting: Meeting, *, actor: Member | None, expected_version: int | None = None
) -> tuple[Writeup, bool]:
    """Take a new snapshot of the draft and publish it after the leak check
    (``LeakCheckFailed`` while a finding stands; the caller rolls back).
    Publishing again takes in the items' newer versions and lifts a
    withholding. (write-up, whether what the public reads changed)."""
    writeup = find_writeup(meeting)
    if writeup is None:
        raise NothingToPublish()
    check_version(writeup, expected_version)
    if not writeup.summary.strip() and not writeup.items:
        raise NothingToPublish()
    was_public, was_withheld, before = writeup.public, writeup.withheld, _fixed(writeup)
    items = open_items_chosen(writeup)
    snapshot = take_snapshot(writeup, items)
    report = leakcheck.require_clean(meeting, CHANNEL)
    snapshot.withheld_at = None
    snapshot.withheld_findings = 0
    changed = not was_public or _fixed(writeup) != before
    if not changed:
        return writeup, False
    now = utcnow()
    if writeup.published_at is None or was_withheld:
        writeup.published_at = now
    else:
        # The version rises, so a concurrent editor is told.
        writeup.updated_at = now
    if writeup.first_published_at is None:
        writeup.first_published_at = now
    db.session.flush()
    audit.record(
        "writeup.publish",
        "writeup",
        writeup.id,
        actor=actor,
        meeting_id=meeting.id,
        version=writeup.version,
        items=len(snapshot.items),
        overridden=len(report.findings),
        republished=before is not None,
        lifted=was_withheld,
    )
    return writeup, True


def open_items_chosen(writeup: Writeup) -> list[Item]:
    """The draft's items that are still open items of its meeting."""
    return [
        item
        for item in writeup.items
        if item.meeting_id == writeup.meeting_id and item.confidentiality is Confidentiality.OPEN
    ]


def unpublish_writeup(meeting: Meeting, *, actor: Member | None) -> bool:
    """Take the write-up out of public view (its snapshot goes too); False
    when it was not published."""
    writeup = find_writeup(meeting)
    if writeup is None or not writeup.published:
        return False
    writeup.published_at = None
    writeup.snapshot = None
    db.session.flush()
    audit.record(
        "writeup.unpublish",
        "writeup",
        writeup.id,
        actor=actor,
        meeting_id=meeting.id,
        version=writeup.version,
    )
    return True


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
