"""Recording and reading the audit log. Callers pass what changed by name and
safe values (levels, kinds, versions, ids); never the text of the notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase.db import db
from notesbase.models import AuditEvent, Member

COMMAND_LINE = "command line"
# The actor of what someone not logged in tried (a failed or throttled login).
VISITOR = "visitor (not logged in)"


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


def recent(
    *, limit: int = 100, before_id: int | None = None, action_prefix: str | None = None
) -> Sequence[AuditEvent]:
    """The latest events first, for the admin's audit page."""
    query = sa.select(AuditEvent).options(selectinload(AuditEvent.actor))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    return db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
