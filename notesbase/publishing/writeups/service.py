"""Writing and publishing public write-ups: the draft (a summary in
Markdown and the chosen open items), the snapshot publishing takes of it
(``snapshot``), and taking it out of public view again. What the public
reads of it is ``public``.

Services flush and never commit; publishing runs the leak check on the new
snapshot first."""

from __future__ import annotations

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import Item, Meeting, Member, Writeup, utcnow
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.errors import NothingToPublish, StaleWriteup, WriteupError
from notesbase.publishing.writeups.public import CHANNEL, find_writeup, open_items
from notesbase.publishing.writeups.snapshot import take_snapshot
from notesbase.text import clean_text

SUMMARY_MAX = 20_000
# More items than any meeting has: a longer list is refused before any lookup.
ITEMS_MAX = 10_000


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
