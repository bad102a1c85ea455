"""What facilitators do after a meeting: the public write-up, findings of the
leak check they chose to override, and circulations of the notes by email."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notesbase.disclosure.vocabulary import Confidentiality, Kind
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


# The people a snapshot names or credits (``Mentions`` at publish time): a
# change to one of them re-checks exactly the snapshots that name them.
writeup_snapshot_people = sa.Table(
    "writeup_snapshot_people",
    Base.metadata,
    sa.Column(
        "snapshot_id",
        sa.ForeignKey("writeup_snapshots.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Writeup(Base):
    """A meeting's public write-up as the facilitators write it (the draft):
    a summary in Markdown and the open items chosen to go with it.
    ``published_at`` is None while it is a draft (or after unpublishing);
    what the public reads is the ``snapshot`` taken when it was published."""

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
    snapshot: Mapped[WriteupSnapshot | None] = relationship(
        back_populates="writeup", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def published(self) -> bool:
        return self.published_at is not None

    @property
    def withheld(self) -> bool:
        """Published, but held back from the public by the leak check."""
        return self.snapshot is not None and self.snapshot.withheld_at is not None

    @property
    def public(self) -> bool:
        """Whether the public reads it now: published and not withheld."""
        return self.published and self.snapshot is not None and not self.withheld


class WriteupSnapshot(Base):
    """What the public reads of a write-up, fixed when it was (last)
    published: the summary, and each chosen item's content at its version.
    Consents and people are not fixed: every rendering reads them now.
    ``withheld_at`` is set while a finding of the leak check stands against
    the rendering; it is cleared only by publishing again."""

    __tablename__ = "writeup_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    writeup_id: Mapped[int] = mapped_column(
        sa.ForeignKey("writeups.id", ondelete="CASCADE"), unique=True
    )
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withheld_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many findings stood when it was withheld (the texts are never kept).
    withheld_findings: Mapped[int] = mapped_column(default=0)

    writeup: Mapped[Writeup] = relationship(back_populates="snapshot")
    items: Mapped[list[WriteupSnapshotItem]] = relationship(
        order_by="WriteupSnapshotItem.position, WriteupSnapshotItem.item_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class WriteupSnapshotItem(Base):
    """One chosen item as it was published. The row goes with the item
    (deleted or purged); the item's current confidentiality still decides
    whether it shows (``publishing.writeups.snapshot``)."""

    __tablename__ = "writeup_snapshot_items"

    snapshot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("writeup_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    version: Mapped[int]
    position: Mapped[int]
    section: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, "snapshot_kind"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    speaker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    confidentiality: Mapped[Confidentiality] = mapped_column(
        str_enum(Confidentiality, "snapshot_confidentiality")
    )


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
