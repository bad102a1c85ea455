"""Member accounts, their series, invitations and login sessions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notesbase.models.base import NEVER_REUSE_IDS, Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from notesbase.models.meeting import Series


class Role(enum.StrEnum):
    """Roles, weakest first; each includes the powers of those before it."""

    MEMBER = "member"
    FACILITATOR = "facilitator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        return self.value.capitalize()

    def has_rank_below(self, other: Role) -> bool:
        return self.rank < other.rank


series_memberships = sa.Table(
    "series_memberships",
    Base.metadata,
    sa.Column("series_id", sa.ForeignKey("series.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)

invite_series = sa.Table(
    "invite_series",
    Base.metadata,
    sa.Column("invite_id", sa.ForeignKey("invites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("series_id", sa.ForeignKey("series.id", ondelete="CASCADE"), primary_key=True),
)


class Member(UserMixin, Base):
    """Someone who logs in. Emails are stored lower-cased and trimmed."""

    __tablename__ = "members"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "member_role"), default=Role.MEMBER)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[list[Series]] = relationship(
        secondary=series_memberships, back_populates="members", order_by="Series.title"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive members
        return self.active

    def get_id(self) -> str:
        """Flask-Login keeps the login session's token, never the member id."""
        token = getattr(self, "login_token", None)
        if token is None:
            raise RuntimeError("member has no login session")
        return str(token)

    def has_role(self, role: Role) -> bool:
        return self.role.rank >= role.rank

    @property
    def is_facilitator(self) -> bool:
        return self.has_role(Role.FACILITATOR)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    def __repr__(self) -> str:
        return f"<Member {self.id}>"


class Invite(Base):
    """A single-use, expiring invitation; only a hash of its token is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "invite_role"), default=Role.MEMBER)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))

    series: Mapped[list[Series]] = relationship(secondary=invite_series, order_by="Series.title")
    created_by: Mapped[Member | None] = relationship(foreign_keys=[created_by_id])


class LoginSession(Base):
    """One login from one browser. The cookie carries a random token whose hash
    is kept here, so logging out, changing the password or deactivating the
    account makes every earlier cookie worthless."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()


class ApiToken(Base):
    """A bearer token for the JSON API, acting as its member. Only a hash of
    the token is kept; the token itself is shown once, when it is made."""

    __tablename__ = "api_tokens"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()
