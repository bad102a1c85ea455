"""The audit log: who changed what, and when. It names what changed (fields,
levels, confidentiality) and never carries the text of the notes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notesbase.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from notesbase.models.member import Member


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    # Who acted, as they were known then ("ann@example.org", "command line").
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")
    # Dotted verb: "item.create", "consent.withdraw", "member.role".
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    # Field names and safe values only (levels, kinds, versions), never note text.
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[Member | None] = relationship()
