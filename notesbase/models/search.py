"""The search outbox: what changed, committed with the change itself."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

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


# The session's items whose text must leave the index without a trace; the
# outbox's hooks (``notesbase.search.outbox``) turn them into "purge" rows.
PURGE_REQUESTS = "search_outbox_purge"


def request_purge(session: Session, item_id: int) -> None:
    """After this transaction, rewrite the index so the purged text leaves
    no trace in deleted-but-unmerged segments either. Here, beside the
    outbox row, so the notes can ask without importing search."""
    session.info.setdefault(PURGE_REQUESTS, set()).add(item_id)


# Who each item names or credits, by the matcher ``disclose`` uses: a person
# or consent change re-indexes exactly these items. Kept by the session
# hooks of ``notesbase.search.outbox`` whenever an item is saved.
item_mentions = sa.Table(
    "item_mentions",
    Base.metadata,
    sa.Column("item_id", sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class MentionScan(Base):
    """A person whose new name, affiliation, descriptor or email items
    written before may carry: ``item_mentions`` does not know those items
    until the scan (run where the outbox is applied) has read every item.
    While any row is here, search leaves out what it cannot vouch for."""

    __tablename__ = "mention_scans"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # A new request replaces the token, so a scan that read the old details
    # never clears the request for the new ones.
    token: Mapped[str] = mapped_column(sa.String(32))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
