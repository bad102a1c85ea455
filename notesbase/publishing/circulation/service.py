"""Circulating a meeting's notes by email, resumably and never twice.

1. ``prepare``: the leak check passes, the letter is composed from the
   current rows, the mail settings are read. Nothing is written yet.
2. ``start``: a ``Circulation`` and one ``pending`` row per active member of
   the series are committed before any message goes out. Starting again for
   a meeting already circulated needs the id of the latest circulation as
   confirmation, checked under a lock, so a double click cannot send twice.
3. ``deliver``: each row not yet sent is first *claimed* by an update
   guarded by ``status != 'sent'`` and committed; only the request whose
   update changed the row sends that message. A claimed row reads ``sent``
   with no ``sent_at`` until the transport answers: then it gets its
   ``sent_at``, or goes back to ``failed`` with a short reason. If the
   transport cannot say whether a message arrived, the row stays claimed
   ("uncertain") and is never sent again by a resume."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase import audit
from notesbase.db import db
from notesbase.models import (
    Circulation,
    CirculationRecipient,
    Meeting,
    Member,
    RecipientStatus,
    series_memberships,
    utcnow,
)
from notesbase.publishing.circulation import mail
from notesbase.publishing.circulation.mail_settings import (
    MailConfigError,
    MailSettings,
    settings_for,
)
from notesbase.publishing.circulation.message import (
    CHANNEL,
    AddressUnknown,
    Letter,
    Recipient,
    build_message,
    compose,
    notes_url,
    subject_for,
)
from notesbase.publishing.leakcheck import check as leakcheck

log = logging.getLogger(__name__)
SENT = RecipientStatus.SENT
FAILED = RecipientStatus.FAILED
PENDING = RecipientStatus.PENDING
ERROR_MAX = 300


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


@dataclass
class Attempt:
    """What one ``deliver`` did."""

    delivered: int = 0
    failed: int = 0
    uncertain: int = 0
    already_taken: int = 0  # claimed by a concurrent sending
    not_attempted: int = 0  # left for a resume after the sending stopped
    stopped: str = ""  # why the sending stopped early, if it did
    failures: list[tuple[str, str]] = field(default_factory=list)  # (address, reason)

    def summary(self) -> str:
        parts = [f"sent to {self.delivered}"]
        if self.failed:
            parts.append(f"failed for {self.failed}")
        if self.uncertain:
            parts.append(f"uncertain for {self.uncertain}")
        if self.not_attempted:
            parts.append(f"not yet tried for {self.not_attempted}")
        if self.already_taken:
            parts.append(f"{self.already_taken} already being sent by someone else")
        return ", ".join(parts)


# Reading ---------------------------------------------------------------------


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


# Preparing and starting --------------------------------------------------------


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


# Delivering ---------------------------------------------------------------------


def deliver(circulation_id: int, letter: Letter, settings: MailSettings) -> Attempt:
    """Send to every recipient of the circulation not yet sent, one by one,
    committing after each. A refused message is recorded and the next one
    tried; when the transport is down the sending stops, and the rest wait
    for a resume."""
    circulation = db.session.get(Circulation, circulation_id)
    if circulation is None:
        raise CirculationError("There is no such circulation.")
    series_id = circulation.meeting.series_id
    todo = list(
        db.session.scalars(
            sa.select(CirculationRecipient.id)
            .where(
                CirculationRecipient.circulation_id == circulation_id,
                CirculationRecipient.status != SENT,
            )
            .order_by(CirculationRecipient.id)
        )
    )
    db.session.commit()
    attempt = Attempt()
    with mail.connect(settings) as transport:
        for index, row_id in enumerate(todo):
            if not _claim(row_id):
                attempt.already_taken += 1
                continue
            stop = _send_one(row_id, series_id, letter, settings, transport, attempt)
            if stop:
                attempt.not_attempted = len(todo) - index - 1
                break
    _finish_if_complete(circulation_id)
    return attempt


def _send_one(
    row_id: int,
    series_id: int,
    letter: Letter,
    settings: MailSettings,
    transport: mail.Transport,
    attempt: Attempt,
) -> bool:
    """Send one claimed row's message and record what happened; True when
    the sending must stop."""
    row = db.session.get(CirculationRecipient, row_id)
    assert row is not None
    address, member = row.email, row.member
    entitled = member is not None and _still_entitled(member, series_id)
    name = member.display_name if member is not None else ""
    # No transaction stays open while the message travels (and on SQLite
    # a transaction that has read cannot write once another has).
    db.session.commit()
    if not entitled:
        _record_failure(row_id, address, "no longer an active member of the series", attempt)
        return False
    try:
        message = build_message(letter, Recipient(name, address), settings)
    except (ValueError, TypeError, IndexError):
        _record_failure(row_id, address, "the address cannot be used for email", attempt)
        return False
    try:
        transport.send(message)
    except mail.MessageRefused as error:
        _record_failure(row_id, address, error.reason, attempt)
        return False
    except mail.MailUnavailable as error:
        _record_failure(row_id, address, error.reason, attempt)
        attempt.stopped = error.reason
        return True
    except mail.DeliveryUncertain as error:
        _record_uncertain(row_id, error.reason, attempt)
        return True
    except Exception:  # whether it went out is unknown: never resend
        log.exception("unexpected error sending circulation message %s", row_id)
        _record_uncertain(row_id, "an unexpected error while sending", attempt)
        return True
    _update(row_id, sent_at=utcnow(), error="")
    attempt.delivered += 1
    return False


def _still_entitled(member: Member, series_id: int) -> bool:
    """Someone deactivated or removed from the series since the start gets nothing."""
    if not member.active:
        return False
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(series_memberships)
            .where(
                series_memberships.c.member_id == member.id,
                series_memberships.c.series_id == series_id,
            )
        )
        > 0
    )


def _claim(row_id: int) -> bool:
    """Take the row for sending; False when it is already sent or taken."""
    result = db.session.execute(
        sa.update(CirculationRecipient)
        .where(CirculationRecipient.id == row_id, CirculationRecipient.status != SENT)
        .values(status=SENT, sent_at=None, error="")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _record_failure(row_id: int, address: str, reason: str, attempt: Attempt) -> None:
    _update(row_id, status=FAILED, sent_at=None, error=reason[:ERROR_MAX])
    attempt.failed += 1
    attempt.failures.append((address, reason))


def _record_uncertain(row_id: int, reason: str, attempt: Attempt) -> None:
    """The row stays claimed (``sent`` without ``sent_at``): a resume skips it."""
    _update(row_id, error=reason[:ERROR_MAX])
    attempt.uncertain += 1
    attempt.stopped = reason


def _update(row_id: int, **values: object) -> None:
    db.session.execute(
        sa.update(CirculationRecipient)
        .where(CirculationRecipient.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _finish_if_complete(circulation_id: int) -> None:
    """A circulation is finished once every recipient has it (one guarded
    statement, so it cannot race a concurrent sending)."""
    left = (
        sa.select(CirculationRecipient.id)
        .where(
            CirculationRecipient.circulation_id == circulation_id,
            sa.or_(CirculationRecipient.status != SENT, CirculationRecipient.sent_at.is_(None)),
        )
        .exists()
    )
    db.session.execute(
        sa.update(Circulation)
        .where(Circulation.id == circulation_id, Circulation.finished_at.is_(None), ~left)
        .values(finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def record_attempt(
    action: str, circulation_id: int, attempt: Attempt, *, actor: Member | None
) -> None:
    """Audit a sending with ids and counts only: addresses are personal data
    and stay out of the log."""
    meeting_id, recipients = db.session.execute(
        sa.select(Circulation.meeting_id, sa.func.count(CirculationRecipient.id))
        .join(CirculationRecipient, isouter=True)
        .where(Circulation.id == circulation_id)
        .group_by(Circulation.meeting_id)
    ).one()
    audit.record(
        action,
        "circulation",
        circulation_id,
        actor=actor,
        meeting_id=meeting_id,
        recipients=recipients,
        sent=attempt.delivered,
        failed=attempt.failed,
        uncertain=attempt.uncertain,
        not_attempted=attempt.not_attempted,
    )
    db.session.commit()
