"""All models, importable from one place (Alembic reads ``Base.metadata``)."""

from notesbase.models.audit import AuditEvent
from notesbase.models.base import Base, utcnow
from notesbase.models.meeting import (
    Meeting,
    MeetingFormat,
    MeetingStatus,
    Series,
    Topic,
    meeting_topics,
)
from notesbase.models.member import (
    ApiToken,
    Invite,
    LoginSession,
    Member,
    Role,
    invite_series,
    series_memberships,
)
from notesbase.models.notes import Consent, Item, ItemRevision, Person

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Consent",
    "Invite",
    "Item",
    "ItemRevision",
    "LoginSession",
    "Meeting",
    "MeetingFormat",
    "MeetingStatus",
    "Member",
    "Person",
    "Role",
    "Series",
    "Topic",
    "invite_series",
    "meeting_topics",
    "series_memberships",
    "utcnow",
]
