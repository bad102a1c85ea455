"""Circulating a meeting's notes by email, resumably and never twice.

1. ``prepare``: the leak check passes, the letter is composed from the
   current rows, the mail settings are read. Nothing is written yet.
2. ``start``: a ``Circulation`` and one ``pending`` row per active member of
   the series are committed before any message goes out. Starting again for
   a meeting already circulated needs the id of the latest circulation as
   confirmation, checked under a lock, so a double click cannot send twice.
3. ``delivery.deliver``: each row not yet sent is claimed, then sent, once.

Here too: reading a meeting's circulations and where each recipient stands."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase.db import db
from notesbase.models import (
    Circulation,
    CirculationRecipient,
    Meeting,
    Member,
    RecipientStatus,
    series_memberships,
)
from notesbase.publishing.circulation.mail_settings import (
    MailConfigError,
    MailSettings,
    settings_for,
)
from notesbase.publishing.circulation.message import (
    CHANNEL,
    AddressUnknown,
    Letter,
    compose,
    notes_url,
    subject_for,
)
from notesbase.publishing.leakcheck import check as leakcheck

SENT = RecipientStatus.SENT
FAILED = RecipientStatus.FAILED


class CirculationError(Exception):
    """Why nothing can be sent now, in words for the facilitator."""


class RecipientsChanged(CirculationError):
    """Who would receive the notes is not who the facilitator confirmed."""


class NeedsConfirmation(Exception):
    """The meeting was circulated before: sending again must be confirmed
    against ``latest``, the circulation the facilitator was shown."""

    def __init__(self, latest: Circulation) -> None:
        super().__init__(f"meeting already circulated (circulation {latest.id})")
        self.latest = latest


@dataclass
class Tally:
    """Where each recipient of one circulation stands."""

    recipients: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    uncertain: int = 0

    @property
    def unsent(self) -> int:
        """Those a resume would send to."""
        return self.failed + self.pending


def active_members(series_id: int) -> list[Member]:
    """Who a circulation goes to: the active members of the series, no one else."""
    return list(
        db.session.scalars(
            sa.select(Member)
            .join(series_memberships, series_memberships.c.member_id == Member.id)
            .where(series_memberships.c.series_id == series_id, Member.active.is_(True))
            .order_by(Member.id)
        )
    )


def history(meeting: Meeting) -> list[Circulation]:
    """The meeting's circulations, latest first, with their recipients."""
    return list(
        db.session.scalars(
            sa.select(Circulation)
            .where(Circulation.meeting_id == meeting.id)
            .options(
                selectinload(Circulation.recipients).selectinload(CirculationRecipient.member),
                selectinload(Circulation.started_by),
            )
            .order_by(Circulation.id.desc())
        )
    )


def latest(meeting_id: int) -> Circulation | None:
    return db.session.scalar(
        sa.select(Circulation)
        .where(Circulation.meeting_id == meeting_id)
        .order_by(Circulation.id.desc())
        .limit(1)
    )


def tally(circulation: Circulation) -> Tally:
    counts = Tally(recipients=len(circulation.recipients))
    for row in circulation.recipients:
        if is_uncertain(row):
            counts.uncertain += 1
        elif row.status is SENT:
            counts.delivered += 1
        elif row.status is FAILED:
            counts.failed += 1
        else:
            counts.pending += 1
    return counts


def is_uncertain(row: CirculationRecipient) -> bool:
    """Claimed but never confirmed: being sent right now, or interrupted
    after the message was handed over (it may have arrived)."""
    return row.status is SENT and row.sent_at is None


def circulation_of(meeting: Meeting, circulation_id: int) -> Circulation | None:
    """The circulation, if it is one of this meeting's."""
    found = db.session.get(Circulation, circulation_id)
    return found if found is not None and found.meeting_id == meeting.id else None


def prepare(meeting: Meeting, settings: MailSettings | None = None) -> Letter:
    """The letter to send now. Raises ``leakcheck.LeakCheckFailed`` while a
    finding stands, ``CirculationError`` when there is nothing to send or
    no way to send it. Writes nothing."""
    leakcheck.require_clean(meeting, CHANNEL)
    return letter_for(meeting)


def letter_for(meeting: Meeting) -> Letter:
    """The letter from the current rows, for a caller that has run the leak
    check itself; ``CirculationError`` when there is nothing to send."""
    try:
        letter = compose(meeting, notes_url(meeting))
    except AddressUnknown as error:
        raise CirculationError(str(error)) from None
    if not letter.sections:
        raise CirculationError("Members can read no notes of this meeting yet: nothing to send.")
    return letter


def mail_settings(app: object) -> MailSettings:
    try:
        return settings_for(app)
    except MailConfigError as error:
        raise CirculationError(f"Mail is not set up correctly: {error.reason}.") from None


def start(
    meeting: Meeting,
    *,
    actor: Member | None,
    confirm_after: int | None,
    confirmed_members: list[int] | None = None,
) -> int:
    """Record a new circulation to every active member, all ``pending``,
    and commit it; return its id. Raises ``NeedsConfirmation`` when the
    meeting has a circulation other than ``confirm_after`` (the latest one
    the facilitator confirmed over), ``CirculationError`` with no recipients,
    and ``RecipientsChanged`` when they are not ``confirmed_members`` (ids)."""
    meeting_id, series_id = meeting.id, meeting.series_id
    subject = subject_for(meeting)
    actor_id = actor.id if actor is not None else None
    # End this request's reads: what follows must decide on fresh rows.
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Starters for one meeting queue here until the first commits.
        db.session.execute(sa.select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())
    circulation = Circulation(meeting_id=meeting_id, subject=subject, started_by_id=actor_id)
    db.session.add(circulation)
    # On SQLite this insert, the transaction's first statement, takes the
    # database's write lock: starters queue here instead.
    db.session.flush()
    earlier = db.session.scalar(
        sa.select(sa.func.max(Circulation.id)).where(
            Circulation.meeting_id == meeting_id, Circulation.id != circulation.id
        )
    )
    if earlier is not None and earlier != confirm_after:
        db.session.rollback()
        found = db.session.get(Circulation, earlier)
        assert found is not None
        raise NeedsConfirmation(found)
    members = active_members(series_id)
    if not members:
        db.session.rollback()
        raise CirculationError("The series has no active members to send the notes to.")
    if confirmed_members is not None and [m.id for m in members] != confirmed_members:
        db.session.rollback()
        raise RecipientsChanged("The series' members changed since you confirmed.")
    for member in members:
        db.session.add(
            CirculationRecipient(
                circulation_id=circulation.id, member_id=member.id, email=member.email
            )
        )
    circulation_id = circulation.id
    db.session.commit()
    return circulation_id
