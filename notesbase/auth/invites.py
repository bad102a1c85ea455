"""Invitations: single-use, expiring links that let someone set up an account.

Only the SHA-256 of a link's token is stored, so the database never holds a
working link; the link itself is shown once, to the admin who made it."""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from notesbase import audit
from notesbase.auth.service import (
    AccountError,
    check_display_name,
    check_new_email,
    check_password,
    check_role,
    create_member,
)
from notesbase.db import db
from notesbase.models import Invite, Member, Role, Series, utcnow


class InviteState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite_state(invite: Invite, now: datetime | None = None) -> InviteState:
    if invite.revoked_at is not None:
        return InviteState.REVOKED
    if invite.accepted_at is not None:
        return InviteState.ACCEPTED
    if invite.expires_at <= (now or utcnow()):
        return InviteState.EXPIRED
    return InviteState.PENDING


def _usable(now: datetime) -> list[sa.ColumnElement[bool]]:
    return [
        Invite.accepted_at.is_(None),
        Invite.revoked_at.is_(None),
        Invite.expires_at > now,
    ]


def create_invite(
    *,
    email: str,
    role: Role | str,
    series: Iterable[Series] = (),
    created_by: Member | None = None,
) -> tuple[Invite, str, int]:
    """A new invitation and its token (the only time the token exists in the
    clear). Earlier pending invitations to the same email are withdrawn, so only
    the newest link works; returns how many were withdrawn too."""
    now = utcnow()
    address = check_new_email(email)
    withdrawn = db.session.execute(
        sa.update(Invite).where(Invite.email == address, *_usable(now)).values(revoked_at=now)
    ).rowcount
    token = secrets.token_urlsafe(32)
    invite = Invite(
        email=address,
        role=check_role(role),
        token_hash=token_hash(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + current_app.config["INVITE_LIFETIME"],
    )
    db.session.add(invite)
    invite.series = list(series)
    db.session.flush()
    audit.record(
        "account.invite.create",
        "invite",
        invite.id,
        actor=created_by,
        role=invite.role.value,
        series=[s.slug for s in invite.series],
        earlier_withdrawn=withdrawn,
    )
    return invite, token, withdrawn


def find_usable_invite(token: str) -> Invite | None:
    """The pending invitation behind ``token``, or None if it is unknown, used,
    expired or revoked (the caller shows the same page for all four)."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        sa.select(Invite).where(Invite.token_hash == token_hash(token), *_usable(utcnow()))
    )


def accept_invite(invite: Invite, *, display_name: str, password: str) -> Member:
    """Turn a pending invitation into an account with its role and series.

    The invitation is claimed with one conditional UPDATE, so two people racing
    with the same link cannot both get an account."""
    check_display_name(display_name)
    check_password(password, "new_password")
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Invite)
        .where(Invite.id == invite.id, *_usable(now))
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AccountError("invite", "This invitation has already been used or withdrawn.")
    member = create_member(
        email=invite.email,
        display_name=display_name,
        password=password,
        role=invite.role,
        series=invite.series,
    )
    db.session.flush()
    invite.accepted_at = now
    invite.member_id = member.id
    db.session.flush()
    audit.record(
        "account.create",
        "member",
        member.id,
        actor=member,
        via="invitation",
        invite_id=invite.id,
        role=member.role.value,
        series=[s.slug for s in member.series],
    )
    audit.record("account.invite.accept", "invite", invite.id, actor=member, member_id=member.id)
    return member


def revoke_invite(invite: Invite, *, actor: Member | None = None) -> bool:
    """Withdraw a pending invitation; False when it was no longer pending."""
    if invite_state(invite) is not InviteState.PENDING:
        return False
    invite.revoked_at = utcnow()
    db.session.flush()
    audit.record("account.invite.revoke", "invite", invite.id, actor=actor)
    return True
