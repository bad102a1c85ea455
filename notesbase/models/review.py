"""Review rounds: the people recorded in a meeting's notes check what was
recorded against them before the notes circulate (the agreed record)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notesbase.models.base import NEVER_REUSE_IDS, Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from notesbase.models.meeting import Meeting
    from notesbase.models.notes import Item, Person

# What a reviewer's comment and a facilitator's reason may hold, in characters.
COMMENT_MAX = 2_000
REASON_MAX = 2_000


class ReviewStatus(enum.StrEnum):
    """What is stored; ``circulated`` and a passed deadline are worked out
    when read (``notesbase.review.service.state_of``)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    AGREED = "agreed"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class RequestKind(enum.StrEnum):
    CORRECTION = "correction"
    MEMBERS_ONLY = "members_only"
    CONFIDENTIAL = "confidential"
    REMOVE = "remove"

    @property
    def label(self) -> str:
        return {
            "correction": "Correct the text",
            "members_only": "Make it members-only",
            "confidential": "Make it confidential",
            "remove": "Remove my words",
        }[self.value]


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ReviewRound(Base):
    """One review of a meeting's notes, open until ``deadline``."""

    __tablename__ = "review_rounds"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "review_status"), default=ReviewStatus.DRAFT
    )
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    reviewers: Mapped[list[Reviewer]] = relationship(
        back_populates="round", order_by="Reviewer.id", passive_deletes=True
    )


class Reviewer(Base):
    """A person asked to review; their link's token and their session are
    stored only as SHA-256 hashes."""

    __tablename__ = "reviewers"
    __table_args__ = (sa.UniqueConstraint("round_id", "person_id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[ReviewRound] = relationship(back_populates="reviewers")
    person: Mapped[Person] = relationship()
    requests: Mapped[list[ReviewRequest]] = relationship(
        back_populates="reviewer", order_by="ReviewRequest.id", passive_deletes=True
    )


class ReviewRequest(Base):
    """A correction or a request about one item, made by a reviewer;
    ``item_version`` is the version they saw (a newer one makes it stale)."""

    __tablename__ = "review_requests"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reviewers.id", ondelete="CASCADE"), index=True
    )
    # None once the item is deleted (a removal accepted): the answer stays.
    item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("items.id", ondelete="SET NULL"), index=True
    )
    item_version: Mapped[int]
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind, "review_request_kind"))
    suggested: Mapped[str] = mapped_column(sa.Text, default="")
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "review_request_status"), default=RequestStatus.OPEN
    )
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )

    reviewer: Mapped[Reviewer] = relationship(back_populates="requests")
    item: Mapped[Item | None] = relationship()
