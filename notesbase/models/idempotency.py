"""Idempotency keys of the JSON API: the first answer to a write, kept with
the key its caller sent, so a retry gets that answer instead of doing the
work twice. A row commits in the same transaction as the work it answers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from notesbase.models.base import NEVER_REUSE_IDS, Base, UTCDateTime, utcnow

KEY_MAX = 255
PATH_MAX = 2048


class IdempotencyKey(Base):
    """One caller's key and what it answered. ``status`` is None only inside
    the transaction that claimed the key and is doing the work: no row is
    ever committed without its answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("member_id", "key"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    # SHA-256 of the method, path, query and body: the same key may not
    # stand for another request.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    # The request's path: answers about an item are forgotten when its text
    # is purged (``api.idempotency.forget_item``).
    path: Mapped[str] = mapped_column(sa.String(PATH_MAX), default="")
    status: Mapped[int | None]
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # The headers that matter to a client (Content-Type, Location, ETag).
    headers: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
