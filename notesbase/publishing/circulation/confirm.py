"""The confirmation a facilitator gives before the notes go out by email
from the web: what they were shown (how many will receive it, the leak
check's state, the message) and a fingerprint of it.

The sending form carries the fingerprint; the sending works it out again
from the current rows and refuses when they differ, so a confirmation given
before an edit of the meeting, its items, a consent or the series'
membership never sends what the facilitator did not see. The fingerprint is
a hash: it holds no text of the notes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Item, Meeting, Member
from notesbase.publishing.circulation import service
from notesbase.publishing.circulation.message import (
    CHANNEL,
    STAND_IN,
    Letter,
    html_body,
    text_body,
)
from notesbase.publishing.leakcheck import check as leakcheck

FINGERPRINT_PATTERN = r"^[0-9a-f]{64}$"


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page shows, and the fingerprint it sends back.
    ``problem`` says why nothing can be sent now (then there is no
    fingerprint); ``report`` is the leak check of the message."""

    recipients: int
    report: leakcheck.LeakReport
    letter: Letter | None = None
    fingerprint: str = ""
    problem: str = ""

    @property
    def overridden(self) -> int:
        return sum(1 for finding in self.report.findings if finding.override is not None)


def fingerprint(meeting: Meeting, letter: Letter, members: list[Member]) -> str:
    """A hash of what a sending would do now: the message as it would be
    sent, the meeting's and every item's version, and who would receive it."""
    items = db.session.execute(
        sa.select(Item.id, Item.version).where(Item.meeting_id == meeting.id).order_by(Item.id)
    ).all()
    state = {
        "meeting": [meeting.id, meeting.updated_at.isoformat() if meeting.updated_at else ""],
        "items": [list(row) for row in items],
        "recipients": [[m.id, m.email] for m in members],
        "subject": letter.subject,
        "text": text_body(letter, STAND_IN),
        "html": html_body(letter, STAND_IN),
    }
    encoded = json.dumps(state, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def confirmation(meeting: Meeting) -> Confirmation:
    """The confirmation of sending the notes now. Writes nothing."""
    members = service.active_members(meeting.series_id)
    report = leakcheck.check(meeting, CHANNEL)
    if not report.ok:
        return Confirmation(len(members), report, problem=_standing(report))
    if not members:
        return Confirmation(0, report, problem="The series has no active members to send to.")
    try:
        letter = service.letter_for(meeting)
    except service.CirculationError as error:
        return Confirmation(len(members), report, problem=str(error))
    return Confirmation(len(members), report, letter, fingerprint(meeting, letter, members))


def _standing(report: leakcheck.LeakReport) -> str:
    count = len(report.blocking)
    return (
        f"{count} leak-check finding{'s' if count != 1 else ''} "
        f"stand{'s' if count == 1 else ''}: fix the notes or override "
        f"{'it' if count == 1 else 'each'} first."
    )
