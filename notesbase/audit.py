"""Recording and reading the audit log. Callers pass what changed by name and
safe values (levels, kinds, versions, ids); never the text of the notes.

Every action is one of ``ACTIONS``: ``record`` refuses any other, so a new
kind of event is added here first, and the admin's audit page (which words
each action, ``notesbase.admin.audit_words``) is tested to word every one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase.db import db
from notesbase.models import AuditEvent, Member

COMMAND_LINE = "command line"
# The actor of what someone not logged in tried (a failed or throttled login).
VISITOR = "visitor (not logged in)"

# Every action the app records.
ACTIONS = frozenset(
    {
        # accounts, invitations and logins
        "account.create",
        "account.deactivate",
        "account.invite.accept",
        "account.invite.create",
        "account.invite.revoke",
        "account.login",
        "account.login.failed",
        "account.login.throttled",
        "account.logout",
        "account.password",
        "account.reactivate",
        "account.rename",
        "account.role",
        "account.series",
        "series.add_member",
        "token.create",
        "token.revoke",
        # the notes
        "item.confidentiality",
        "item.create",
        "item.delete",
        "item.purge",
        "item.purge_history",
        "item.reorder",
        "item.update",
        "notes.import",
        # people and consent
        "person.create",
        "person.erase",
        "person.link",
        "person.update",
        "consent.grant",
        "consent.withdraw",
        # publishing
        "circulation.resume",
        "circulation.send",
        "leakcheck.override",
        "writeup.publish",
        "writeup.save",
        "writeup.unpublish",
        "writeup.withhold",
        # review rounds (the agreed record)
        "review.accept",
        "review.approve",
        "review.close",
        "review.create",
        "review.link",
        "review.reject",
        "review.remind",
        "review.request",
        "review.revoke",
        "review.sign_in",
        "review.start",
        # data protection
        "backup.write",
        # data protection: subject access and the privacy notice
        "person.subject_access",
        "site.privacy_notice",
        "meeting.retention",
        "series.retention",
    }
)


class UnknownAction(ValueError):
    """An action that is not in ``ACTIONS``: a programming error, never a user's."""


def record(
    action: str,
    target_type: str,
    target_id: int | None,
    *,
    actor: Member | None,
    actor_label: str | None = None,
    meeting_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one event to the session (the caller commits it with the change)."""
    if action not in ACTIONS:
        raise UnknownAction(f"{action!r} is not an audit action (add it to audit.ACTIONS)")
    label = actor_label if actor_label is not None else (actor.email if actor else COMMAND_LINE)
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        meeting_id=meeting_id,
        details={key: _safe(value) for key, value in details.items()},
    )
    db.session.add(event)
    return event


def recorded_since(action: str, target_type: str, target_id: int | None, since: datetime) -> bool:
    """Whether ``action`` on this target was recorded at or after ``since``
    (so that a flood of identical events is recorded once a while)."""
    same_target = (
        AuditEvent.target_id.is_(None) if target_id is None else AuditEvent.target_id == target_id
    )
    query = sa.select(AuditEvent.id).where(
        AuditEvent.action == action,
        AuditEvent.target_type == target_type,
        same_target,
        AuditEvent.at >= since,
    )
    return db.session.scalar(query.limit(1)) is not None


def _safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class EventFilter:
    """Which events the audit page lists: by who acted (a member's id, or
    the label of the command line or of visitors), by action, and from
    ``since`` (inclusive) to ``until`` (exclusive)."""

    actor_id: int | None = None
    actor_label: str | None = None
    actions: frozenset[str] | None = None
    since: datetime | None = None
    until: datetime | None = None


def recent(
    *, limit: int = 100, before_id: int | None = None, where: EventFilter | None = None
) -> Sequence[AuditEvent]:
    """The latest events first (older than ``before_id``), for the admin's audit page."""
    where = where or EventFilter()
    query = sa.select(AuditEvent).options(selectinload(AuditEvent.actor))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if where.actor_id is not None:
        query = query.where(AuditEvent.actor_id == where.actor_id)
    if where.actor_label is not None:
        query = query.where(
            AuditEvent.actor_id.is_(None), AuditEvent.actor_label == where.actor_label
        )
    if where.actions is not None:
        query = query.where(AuditEvent.action.in_(sorted(where.actions)))
    if where.since is not None:
        query = query.where(AuditEvent.at >= where.since)
    if where.until is not None:
        query = query.where(AuditEvent.at < where.until)
    return db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
