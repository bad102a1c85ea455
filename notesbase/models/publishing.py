"""What facilitators do after a meeting: the public write-up, findings of the
leak check they chose to override, and circulations of the notes by email."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notesbase.models.base import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from notesbase.models.meeting import Meeting
    from notesbase.models.member import Member
    from notesbase.models.notes import Item


writeup_items = sa.Table(
    "writeup_items",
    Base.metadata,
    sa.Column("writeup_id", sa.ForeignKey("writeups.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
)


class Writeup(Base):
    """A meeting's public write-up: a summary in Markdown and the open items
    chosen to go with it. What the public reads is always the current
    ``disclose`` of these, so a later withdrawal or redaction shows at once.
    ``published_at`` is None while it is a draft (or after unpublishing)."""

    __tablename__ = "writeups"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When it was first published: the stable date of feeds and exports.
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    meeting: Mapped[Meeting] = relationship()
    items: Mapped[list[Item]] = relationship(
        secondary=writeup_items, order_by="Item.position, Item.id"
    )

    @property
    def published(self) -> bool:
        return self.published_at is not None


class LeakOverride(Base):
    """A facilitator's written decision that one leak-check finding is not a
    leak, for one channel of one meeting. ``finding_key`` identifies the
    finding (rule, matched text, place), so a changed text asks again."""

    __tablename__ = "leak_overrides"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "channel", "finding_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    # "writeup", "circulation" or "export".
    channel: Mapped[str] = mapped_column(sa.String(20))
    finding_key: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[Member | None] = relationship()


class RecipientStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Circulation(Base):
    """One sending of a meeting's member notes to its series' active members."""

    __tablename__ = "circulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(300))
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    started_by: Mapped[Member | None] = relationship()
    recipients: Mapped[list[CirculationRecipient]] = relationship(
        back_populates="circulation",
        order_by="CirculationRecipient.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CirculationRecipient(Base):
    """Who one circulation was (or is still to be) sent to. A resumed
    circulation sends only to those not yet ``sent``."""

    __tablename__ = "circulation_recipients"
    __table_args__ = (sa.UniqueConstraint("circulation_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circulation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("circulations.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    # The address it went to, as it was then.
    email: Mapped[str] = mapped_column(sa.String(254))
    status: Mapped[RecipientStatus] = mapped_column(
        str_enum(RecipientStatus, "recipient_status"), default=RecipientStatus.PENDING
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A short reason, never the message itself.
    error: Mapped[str] = mapped_column(sa.String(300), default="")

    circulation: Mapped[Circulation] = relationship(back_populates="recipients")
    member: Mapped[Member | None] = relationship()
