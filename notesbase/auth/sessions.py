"""Login sessions kept in the database.

The browser's cookie (and the remember-me cookie) carries only a random token;
the database keeps its SHA-256. Ending a login session there ends it in every
process on the next request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, session
from flask_login import login_user, logout_user

from notesbase.db import db
from notesbase.extensions import login_manager
from notesbase.models import LoginSession, Member, utcnow


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(member: Member, *, remember: bool = False) -> LoginSession:
    """Log ``member`` in with a fresh session: a new token, the old cookie content
    dropped, and any login this browser already had revoked."""
    _revoke(session.get("_user_id"))
    session.clear()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = current_app.config[
        "REMEMBER_COOKIE_DURATION" if remember else "LOGIN_SESSION_LIFETIME"
    ]
    login_session = LoginSession(
        member=member,
        token_hash=token_hash(token),
        remember=remember,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(login_session)
    member.last_login_at = now
    db.session.flush()
    member.login_token = token  # type: ignore[attr-defined]
    login_user(member, remember=remember, duration=lifetime)
    return login_session


def end_current() -> None:
    """Log out this browser: its login session is revoked, not just forgotten."""
    _revoke(session.get("_user_id"))
    logout_user()
    session.clear()


def _revoke(token: str | None) -> None:
    if token:
        db.session.execute(
            sa.update(LoginSession)
            .where(LoginSession.token_hash == token_hash(token), LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all(member: Member, *, keep: str | None = None) -> int:
    """Revoke every login session of ``member`` (but the one with token ``keep``)."""
    statement = (
        sa.update(LoginSession)
        .where(LoginSession.member_id == member.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep:
        statement = statement.where(LoginSession.token_hash != token_hash(keep))
    return db.session.execute(statement).rowcount


def current_token() -> str | None:
    return session.get("_user_id")


@login_manager.user_loader
def load_member(token: str) -> Member | None:
    """The member behind a cookie's token, if that login is still valid."""
    now: datetime = utcnow()
    row = db.session.execute(
        sa.select(LoginSession, Member)
        .join(Member, Member.id == LoginSession.member_id)
        .where(
            LoginSession.token_hash == token_hash(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > now,
            Member.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    _login_session, member = row
    member.login_token = token  # type: ignore[attr-defined]
    return member
