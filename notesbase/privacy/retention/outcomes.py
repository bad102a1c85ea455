"""The three retention outcomes, carried out on one meeting. Each flushes
and never commits: the caller commits per meeting, so a crash leaves each
meeting either done or untouched. With ``dry_run`` nothing is written and
the counts say what would change.

- ``purge_restricted``: confidential items purged; facilitators-only spans
  (and unreadable markup, fail closed) cut from the current text and
  headings, and from the published copies; review requests' suggested
  text, comments and answers, and leak overrides' reasons, emptied;
- ``anonymise``: ``anonymising``;
- ``purge_notes``: every item and version purged, except the items the
  published write-up shows, which keep only their published content (a
  snapshot's item goes with its item); review rounds go.

Every outcome purges every earlier version, asks search to leave no trace,
records ``meeting.retention`` with the counts, and marks the meeting."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import (
    Item,
    LeakOverride,
    Meeting,
    Member,
    RetentionAction,
    ReviewRound,
    Writeup,
    WriteupSnapshot,
    WriteupSnapshotItem,
    utcnow,
)
from notesbase.privacy.retention import anonymising
from notesbase.privacy.retention.cutting import cut_heading, cut_restricted
from notesbase.privacy.retention.work import (
    Work,
    change_item,
    confidential,
    finish,
    purge_items,
    review_requests,
    snapshot_rows,
)

# Left in place of a leak override's reason, which may quote what was found.
REASON_REMOVED = "(removed by the retention schedule)"


@dataclass
class Outcome:
    """What was (or would be) done to one meeting."""

    meeting_id: int
    action: RetentionAction
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def carry_out(
    meeting: Meeting, action: RetentionAction, *, actor: Member | None = None, dry_run: bool = False
) -> Outcome:
    """Carry out ``action`` on ``meeting`` (or, with ``dry_run``, count it)."""
    work = Work.read(meeting, dry_run=dry_run)
    if action is RetentionAction.PURGE_RESTRICTED:
        purge_restricted(work)
    elif action is RetentionAction.ANONYMISE:
        anonymising.anonymise(work)
    elif action is RetentionAction.PURGE_NOTES:
        purge_notes(work)
    else:  # pragma: no cover - the enum has three members
        raise ValueError(action)
    finish(work)
    counts = {name: value for name, value in sorted(work.counts.items()) if value}
    outcome = Outcome(meeting.id, action, counts, work.notes)
    if not dry_run:
        previous = meeting.retention_applied
        meeting.retention_applied = action
        meeting.retention_applied_at = utcnow()
        audit.record(
            "meeting.retention",
            "meeting",
            meeting.id,
            actor=actor,
            meeting_id=meeting.id,
            retention=action.value,
            previous=previous.value if previous is not None else None,
            made_confidential=len(work.notes),
            **counts,
        )
        db.session.flush()
    return outcome


def purge_restricted(work: Work) -> None:
    """Facilitators-only text goes; what members and the public read stays."""
    purge_items(work, confidential(work.items))
    for item in work.items:
        if item.id in work.removed:
            continue
        body, section = cut_restricted(item.body), cut_heading(item.section)
        if not body.changed and not section.changed:
            continue
        if not body.text.strip():
            # Nothing in it but facilitators-only text: it goes whole.
            purge_items(work, [item])
            continue
        fields: dict[str, object] = {"body": body.text, "section": section.text}
        if (body.members_only or section.members_only) and (
            item.confidentiality is Confidentiality.OPEN
        ):
            fields["confidentiality"] = Confidentiality.MEMBERS
            work.notes.append(
                f"item {item.id}: its markup could not be cut exactly; kept as plain"
                " words for members only"
            )
        if not work.dry_run:
            change_item(work, item, **fields)
        else:
            work.rewritten[item.id] = item
    for row in snapshot_rows(work):
        if row.item_id in work.removed:
            continue
        body, section = cut_restricted(row.body), cut_heading(row.section)
        if (body.changed or section.changed) and not work.dry_run:
            row.body, row.section = body.text, section.text
    _empty_review_texts(work)
    _empty_override_reasons(work)


def _empty_review_texts(work: Work) -> None:
    for request in review_requests(work.meeting):
        texts = [request.suggested, request.comment, request.reason]
        if any(texts):
            work.counts["review_texts_removed"] += 1
            if not work.dry_run:
                request.suggested = request.comment = request.reason = ""


def _empty_override_reasons(work: Work) -> None:
    overrides = db.session.scalars(
        sa.select(LeakOverride).where(
            LeakOverride.meeting_id == work.meeting.id, LeakOverride.reason != REASON_REMOVED
        )
    )
    for override in overrides:
        work.counts["override_reasons_removed"] += 1
        if not work.dry_run:
            override.reason = REASON_REMOVED


def purge_notes(work: Work) -> None:
    """The notes go; the meeting, its draft summary and the published
    write-up stay (its items keep only what was published)."""
    published = {row.item_id: row for row in _published_rows(work.meeting)}
    purge_items(work, [item for item in work.items if item.id not in published])
    for item in work.items:
        row = published.get(item.id)
        if row is None:
            continue
        if work.dry_run:
            if item.version != row.version:
                work.rewritten[item.id] = item
            continue
        row.version = item.version  # followed to the new version by ``finish``
        change_item(
            work,
            item,
            body=row.body,
            section=row.section,
            kind=row.kind,
            speaker_id=row.speaker_id,
            confidentiality=row.confidentiality,
        )
    rounds = db.session.scalars(
        sa.select(ReviewRound).where(ReviewRound.meeting_id == work.meeting.id)
    ).all()
    work.counts["review_rounds_removed"] += len(rounds)
    if rounds and not work.dry_run:
        db.session.execute(sa.delete(ReviewRound).where(ReviewRound.id.in_([r.id for r in rounds])))
        for review in rounds:
            db.session.expunge(review)


def _published_rows(meeting: Meeting) -> list[WriteupSnapshotItem]:
    return list(
        db.session.scalars(
            sa.select(WriteupSnapshotItem)
            .join(WriteupSnapshot, WriteupSnapshot.id == WriteupSnapshotItem.snapshot_id)
            .join(Writeup, Writeup.id == WriteupSnapshot.writeup_id)
            .where(Writeup.meeting_id == meeting.id, Writeup.published_at.is_not(None))
        )
    )


def item_count(meeting: Meeting) -> int:
    return int(
        db.session.scalar(sa.select(sa.func.count(Item.id)).where(Item.meeting_id == meeting.id))
        or 0
    )
