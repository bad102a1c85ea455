"""Bearer tokens for the JSON API. A token acts as its member; only its SHA-256
is stored, so the token itself is shown once, when it is made. Services flush;
the caller commits."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context, request

from notesbase import audit
from notesbase.db import SAFE_METHODS, db
from notesbase.models import ApiToken, Member, utcnow

PREFIX = "nb_"
NAME_MAX = 100
TOKEN_MAX = 200
# last_used_at is written at most this often per token: a busy integration
# should not turn every read into a write.
USE_RESOLUTION = timedelta(minutes=1)
log = logging.getLogger(__name__)


class TokenError(ValueError):
    """A token request the service cannot take; ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(member: Member, name: str = "", *, actor: Member | None) -> tuple[ApiToken, str]:
    """A new token for ``member``: the stored row and the token to show once."""
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX:
        raise TokenError("name", f"A token name is at most {NAME_MAX} characters.")
    if not member.active:
        raise TokenError("email", "That account is deactivated.")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(member_id=member.id, name=name, token_hash=token_hash(token))
    db.session.add(row)
    db.session.flush()
    audit.record("token.create", "member", member.id, actor=actor, token_id=row.id)
    return row, token


def list_tokens(member: Member) -> list[ApiToken]:
    """Every token of ``member``, usable ones first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.member_id == member.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
        )
    )


def revoke_token(row: ApiToken, *, actor: Member | None) -> bool:
    """Revoke a token for good; False when it was already revoked."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.flush()
    audit.record("token.revoke", "member", row.member_id, actor=actor, token_id=row.id)
    return True


def revoke_all(member: Member, *, actor: Member | None, reason: str) -> int:
    """Revoke every usable token of ``member`` for good (each audited, with
    ``reason``); how many there were."""
    rows = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.member_id == member.id, ApiToken.revoked_at.is_(None))
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    db.session.flush()
    for row in rows:
        audit.record(
            "token.revoke", "member", member.id, actor=actor, token_id=row.id, reason=reason
        )
    return len(rows)


def resolve(token: str) -> Member | None:
    """The active member a token acts as, or None for an unknown or revoked
    token or a deactivated member. Notes the use (flushed, not committed)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    row = db.session.execute(
        sa.select(ApiToken, Member)
        .join(Member, Member.id == ApiToken.member_id)
        .where(
            ApiToken.token_hash == token_hash(token),
            ApiToken.revoked_at.is_(None),
            Member.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    api_token, member = row
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at >= USE_RESOLUTION:
        if has_request_context() and request.method not in SAFE_METHODS:
            api_token.last_used_at = now  # saved with the request's own writes
            db.session.flush()
        else:
            _note_use(api_token.id, now)
    return member


def _note_use(token_id: int, now: datetime) -> None:
    """Record when a token was last used by a reading request, in a short
    transaction of its own that writes first: upgrading the request's read
    transaction to a write would fail at once on SQLite when another process
    wrote meanwhile.
    Bookkeeping only: a busy database skips it rather than fail the request."""
    try:
        with db.engine.begin() as connection:
            connection.execute(
                sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
            )
    except sa.exc.OperationalError:
        log.info("token %s: last use not recorded (database busy)", token_id)
