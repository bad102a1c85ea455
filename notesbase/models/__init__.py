"""All models, importable from one place (Alembic reads ``Base.metadata``)."""

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
    Invite,
    LoginSession,
    Member,
    Role,
    invite_series,
    series_memberships,
)

__all__ = [
    "Base",
    "Invite",
    "LoginSession",
    "Meeting",
    "MeetingFormat",
    "MeetingStatus",
    "Member",
    "Role",
    "Series",
    "Topic",
    "invite_series",
    "meeting_topics",
    "series_memberships",
    "utcnow",
]
