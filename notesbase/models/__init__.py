"""All models, importable from one place (Alembic reads ``Base.metadata``)."""

from notesbase.models.audit import AuditEvent
from notesbase.models.base import Base, utcnow
from notesbase.models.idempotency import IdempotencyKey
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
from notesbase.models.privacy import RetentionAction, SiteSetting
from notesbase.models.publishing import (
    Circulation,
    CirculationRecipient,
    LeakOverride,
    RecipientStatus,
    Writeup,
    WriteupSnapshot,
    WriteupSnapshotItem,
    writeup_items,
    writeup_snapshot_people,
)
from notesbase.models.review import (
    COMMENT_MAX,
    REASON_MAX,
    RequestKind,
    RequestStatus,
    Reviewer,
    ReviewRequest,
    ReviewRound,
    ReviewStatus,
)
from notesbase.models.search import IndexOutbox, MentionScan, item_mentions
from notesbase.models.stamp import DisclosureStamp

__all__ = [
    "COMMENT_MAX",
    "REASON_MAX",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Circulation",
    "CirculationRecipient",
    "Consent",
    "DisclosureStamp",
    "IdempotencyKey",
    "IndexOutbox",
    "Invite",
    "Item",
    "ItemRevision",
    "LeakOverride",
    "LoginSession",
    "Meeting",
    "MeetingFormat",
    "MeetingStatus",
    "Member",
    "MentionScan",
    "Person",
    "RecipientStatus",
    "RequestKind",
    "RequestStatus",
    "RetentionAction",
    "ReviewRequest",
    "ReviewRound",
    "ReviewStatus",
    "Reviewer",
    "Role",
    "Series",
    "SiteSetting",
    "Topic",
    "Writeup",
    "WriteupSnapshot",
    "WriteupSnapshotItem",
    "invite_series",
    "item_mentions",
    "meeting_topics",
    "series_memberships",
    "utcnow",
    "writeup_items",
    "writeup_snapshot_people",
]
