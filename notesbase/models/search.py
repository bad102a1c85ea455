"""The search outbox: what changed, committed with the change itself."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from notesbase.models.base import Base, UTCDateTime, utcnow


class IndexOutbox(Base):
    """One unit of index work: "item 12 changed", "meeting 3 changed",
    "person 7 changed". It names what changed, never its text; the indexer
    re-reads the current rows. Each host's index remembers the last row it
    applied, so one shared outbox feeds every host."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
    )
    # "item", "meeting", "person" or "topic".
    target: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
