"""Delivering a circulation (step 3 of ``service``): each row not yet sent
is first *claimed* by an update guarded by ``status != 'sent'`` and
committed; only the request whose update changed the row sends that
message. A claimed row reads ``sent`` with no ``sent_at`` until the
transport answers: then it gets its ``sent_at``, or goes back to ``failed``
with a short reason. If the transport cannot say whether a message arrived,
the row stays claimed ("uncertain") and is never sent again by a resume."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from notesbase import audit
from notesbase.db import db
from notesbase.models import Circulation, CirculationRecipient, Member, series_memberships, utcnow
from notesbase.publishing.circulation import mail
from notesbase.publishing.circulation.mail_settings import MailSettings
from notesbase.publishing.circulation.message import Letter, Recipient, build_message
from notesbase.publishing.circulation.service import FAILED, SENT, CirculationError

log = logging.getLogger(__name__)
ERROR_MAX = 300


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
