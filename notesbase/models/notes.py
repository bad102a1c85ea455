"""The notes of a meeting: people who took part, items with their revisions,
and the consent each person has given to be credited."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notesbase.disclosure.vocabulary import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models.base import NEVER_REUSE_IDS, Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from notesbase.models.meeting import Meeting, Series
    from notesbase.models.member import Member


class Person(Base):
    """Someone who spoke or took part; may be linked to a member account."""

    __tablename__ = "people"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    affiliation: Mapped[str] = mapped_column(sa.String(200), default="")
    # Chosen by the person: "a local authority data lead".
    descriptor: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    member: Mapped[Member | None] = relationship()
    consents: Mapped[list[Consent]] = relationship(
        back_populates="person", order_by="Consent.granted_at", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class Item(Base):
    """One unit of a meeting's notes. ``version`` rises on every change (it is
    SQLAlchemy's version counter, so a concurrent edit fails instead of being
    lost), and each version's content is kept as an :class:`ItemRevision`."""

    __tablename__ = "items"
    __table_args__ = (sa.CheckConstraint("version >= 1", name="version_positive"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    section: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, "item_kind"), default=Kind.POINT)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    speaker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    confidentiality: Mapped[Confidentiality] = mapped_column(
        str_enum(Confidentiality, "item_confidentiality"), default=Confidentiality.OPEN
    )
    version: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    meeting: Mapped[Meeting] = relationship()
    speaker: Mapped[Person | None] = relationship()
    author: Mapped[Member | None] = relationship()
    revisions: Mapped[list[ItemRevision]] = relationship(
        back_populates="item",
        order_by="ItemRevision.version",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Item {self.id} v{self.version}>"


class ItemRevision(Base):
    """The content of one version of an item, for facilitators' eyes only."""

    __tablename__ = "item_revisions"
    __table_args__ = (sa.UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    section: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, "revision_kind"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    speaker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    confidentiality: Mapped[Confidentiality] = mapped_column(
        str_enum(Confidentiality, "revision_confidentiality")
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(back_populates="revisions")
    speaker: Mapped[Person | None] = relationship()
    author: Mapped[Member | None] = relationship()


class Consent(Base):
    """A grant of how a person may be credited for one audience, everywhere,
    in one series or at one meeting (the narrowest active grant wins).
    Withdrawing or replacing a grant stamps ``withdrawn_at``: history is kept."""

    __tablename__ = "consents"
    __table_args__ = (
        sa.CheckConstraint("series_id IS NULL OR meeting_id IS NULL", name="one_scope"),
        sa.Index("ix_consents_person_active", "person_id", "withdrawn_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    audience: Mapped[ConsentAudience] = mapped_column(str_enum(ConsentAudience, "consent_audience"))
    level: Mapped[Level] = mapped_column(str_enum(Level, "consent_level"))
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    # Where it was given: "in the room", "by the person online", ...
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    granted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="consents")
    series: Mapped[Series | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    granted_by: Mapped[Member | None] = relationship(foreign_keys=[granted_by_id])
    withdrawn_by: Mapped[Member | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
