"""Series, their numbered meetings, and the topics meetings are about."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notesbase.models.base import NEVER_REUSE_IDS, Base, UTCDateTime, str_enum, utcnow
from notesbase.models.privacy import RetentionAction

if TYPE_CHECKING:
    from notesbase.models.member import Member


class MeetingFormat(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return {"online": "Online", "in_person": "In person"}[self.value]


class MeetingStatus(enum.StrEnum):
    UPCOMING = "upcoming"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


meeting_topics = sa.Table(
    "meeting_topics",
    Base.metadata,
    sa.Column("meeting_id", sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


class Series(Base):
    """A programme of numbered meetings; membership is per series."""

    __tablename__ = "series"
    __table_args__ = (
        sa.CheckConstraint(
            "(retention_months IS NULL AND retention_action IS NULL)"
            " OR (retention_months >= 1 AND retention_action IS NOT NULL)",
            name="retention_complete",
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # The retention schedule: how many months after each meeting its full
    # notes are kept, and what then happens. None: kept until changed.
    retention_months: Mapped[int | None]
    retention_action: Mapped[RetentionAction | None] = mapped_column(
        str_enum(RetentionAction, "retention_action")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="series", order_by="Meeting.number", passive_deletes=True
    )
    members: Mapped[list[Member]] = relationship(
        secondary="series_memberships", back_populates="series", order_by="Member.display_name"
    )

    def __repr__(self) -> str:
        return f"<Series {self.slug}>"


class Topic(Base):
    """A theme meetings are tagged with, shared across series."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)

    meetings: Mapped[list[Meeting]] = relationship(
        secondary=meeting_topics, back_populates="topics", order_by="Meeting.date.desc()"
    )

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class Meeting(Base):
    """One numbered occurrence in a series ("the tenth meeting")."""

    __tablename__ = "meetings"
    __table_args__ = (
        sa.UniqueConstraint("series_id", "number"),
        # One meeting per imported page in a series, even under concurrent imports.
        sa.UniqueConstraint("series_id", "source_ref"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("series.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    date: Mapped[date] = mapped_column(sa.Date, index=True)
    start_time: Mapped[time | None] = mapped_column(sa.Time)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/London")
    # None: the format has not been stated.
    format: Mapped[MeetingFormat | None] = mapped_column(str_enum(MeetingFormat, "meeting_format"))
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.UPCOMING
    )
    theme: Mapped[str] = mapped_column(sa.String(300), default="")
    # Free text; "TBC" is a valid value.
    speakers: Mapped[str] = mapped_column(sa.Text, default="")
    registration_url: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    chatham_house: Mapped[bool] = mapped_column(default=True)
    # The network's own website says a write-up of this meeting exists.
    external_writeup: Mapped[bool] = mapped_column(default=False)
    # Where an import came from (the event page's file name without extension),
    # so a re-import finds the same meeting; and what it carried that has no field.
    source_ref: Mapped[str | None] = mapped_column(sa.String(200))
    source_extra: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # The retention action last carried out on this meeting's notes, and when.
    retention_applied: Mapped[RetentionAction | None] = mapped_column(
        str_enum(RetentionAction, "meeting_retention_applied")
    )
    retention_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    series: Mapped[Series] = relationship(back_populates="meetings")
    topics: Mapped[list[Topic]] = relationship(
        secondary=meeting_topics, back_populates="meetings", order_by="Topic.name"
    )

    def __repr__(self) -> str:
        return f"<Meeting {self.series_id}#{self.number}>"
