"""Account services: they flush, the caller commits.

Every rule about an account's email, name and password lives here, so the web
forms and the command line refuse the same things with the same words."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy.exc import IntegrityError

from notesbase import audit
from notesbase.auth import sessions, tokens
from notesbase.auth.passwords import hash_password, needs_rehash, verify_password
from notesbase.db import db
from notesbase.models import Member, Role, Series, utcnow
from notesbase.text import clean_line

log = logging.getLogger(__name__)

DISPLAY_NAME_MAX = 120
# A throttled login is audited once in this long per account (and once for
# all attempts naming no account), however many the throttle turns away.
THROTTLE_AUDIT_INTERVAL = timedelta(minutes=5)


class AccountError(ValueError):
    """Input an account cannot take; ``field`` names the form field it belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    """One form per address: NFC (a decomposed and a precomposed accent are
    one account), no invisible characters, lower case."""
    return clean_line(email).lower()


def find_member_by_email(email: str) -> Member | None:
    return db.session.scalar(sa.select(Member).where(Member.email == normalise_email(email)))


def check_email(email: str) -> str:
    """The normalised form of ``email``, or AccountError when it is not an address."""
    candidate = normalise_email(email or "")
    if not candidate:
        raise AccountError("email", "Enter an email address.")
    if len(candidate) > 254:
        raise AccountError("email", "An email address is at most 254 characters long.")
    try:
        validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError("email", f"That is not a valid email address: {error}") from None
    return candidate


def check_new_email(email: str) -> str:
    """Like ``check_email``, and refuses an email that already has an account."""
    candidate = check_email(email)
    if find_member_by_email(candidate) is not None:
        raise AccountError("email", f"There is already an account for {candidate}.")
    return candidate


def check_display_name(name: str) -> str:
    cleaned = clean_line(name)
    if not cleaned:
        raise AccountError("display_name", "Enter a name.")
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise AccountError("display_name", f"A name is at most {DISPLAY_NAME_MAX} characters long.")
    return cleaned


def password_length_problem(password: str) -> str | None:
    """Why ``password`` is too short or too long, or None when its length is fine."""
    low = int(current_app.config["PASSWORD_MIN_LENGTH"])
    high = int(current_app.config["PASSWORD_MAX_LENGTH"])
    if len(password) < low:
        return f"Choose a password of at least {low} characters; a few unrelated words work well."
    if len(password) > high:
        return f"A password is at most {high} characters long."
    return None


def check_password(password: str, field: str = "password") -> str:
    problem = password_length_problem(password or "")
    if problem:
        raise AccountError(field, problem)
    return password


def check_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError("role", f"Unknown role {role!r}; choose one of {choices}.") from None


def series_by_slugs(slugs: Iterable[str]) -> list[Series]:
    """The series named by ``slugs``; AccountError names any slug that has none."""
    wanted = list(dict.fromkeys(s.strip() for s in slugs if s.strip()))
    if not wanted:
        return []
    found = {
        s.slug: s for s in db.session.scalars(sa.select(Series).where(Series.slug.in_(wanted)))
    }
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        raise AccountError("series", f"No series with the slug {', '.join(missing)}.")
    return [found[slug] for slug in wanted]


def series_by_ids(ids: Iterable[int]) -> list[Series]:
    wanted = set(ids)
    if not wanted:
        return []
    found = list(
        db.session.scalars(sa.select(Series).where(Series.id.in_(wanted)).order_by(Series.title))
    )
    if len(found) != len(wanted):
        raise AccountError("series", "One of the chosen series no longer exists.")
    return found


def authenticate(email: str, password: str) -> Member | None:
    """The active member with this email and password, else None.

    Unknown emails and deactivated accounts cost the same hashing as a wrong
    password, and a hash made with older parameters is upgraded on the way."""
    member = find_member_by_email(email)
    password_ok = verify_password(member.password_hash if member else None, password)
    if member is None or not member.active or not password_ok:
        return None
    if member.password_hash and needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
        db.session.flush()
    return member


def _named_account(email: str) -> Member | None:
    return find_member_by_email(email) if len(email) <= 254 else None


def record_failed_login(email: str, *, address: str | None) -> None:
    """Audit a failed login against the account it named, if any. What was
    typed is never kept: a mistyped email is sometimes the password."""
    member = _named_account(email)
    if member is None:
        reason = "unknown account"
    else:
        reason = "wrong password" if member.active else "deactivated account"
    target = member.id if member else None
    audit.record(
        "account.login.failed",
        "member",
        target,
        actor=None,
        actor_label=audit.VISITOR,
        reason=reason,
        address=address,
    )
    log.warning("login failed (%s) for member %s from %s", reason, target or "-", address)


def record_throttled_login(email: str, *, limit: str, address: str | None) -> bool:
    """Audit that the login throttle turned an attempt away: once per
    ``THROTTLE_AUDIT_INTERVAL`` for each account (per-email limit) and once for
    all attempts that name no account. Returns whether an event was recorded."""
    member = _named_account(email) if limit == "per email" else None
    target = member.id if member else None
    log.warning("login throttled (%s) for member %s from %s", limit, target or "-", address)
    since = utcnow() - THROTTLE_AUDIT_INTERVAL
    if audit.recorded_since("account.login.throttled", "member", target, since):
        return False
    audit.record(
        "account.login.throttled",
        "member",
        target,
        actor=None,
        actor_label=audit.VISITOR,
        limit=limit,
        address=address,
    )
    return True


def create_member(
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role | str = Role.MEMBER,
    series: Iterable[Series] = (),
) -> Member:
    """A new, active account; AccountError for any input it cannot take."""
    member = Member(
        email=check_new_email(email),
        display_name=check_display_name(display_name),
        password_hash=hash_password(check_password(password)),
        role=check_role(role),
        active=True,
    )
    try:
        with db.session.begin_nested():  # a concurrent signup with the same email
            db.session.add(member)
            member.series = list(series)
    except IntegrityError:
        raise AccountError("email", f"There is already an account for {member.email}.") from None
    return member


def rename(member: Member, display_name: str) -> None:
    name = check_display_name(display_name)
    if name == member.display_name:
        return
    member.display_name = name
    db.session.flush()
    audit.record("account.rename", "member", member.id, actor=member)


def change_password(member: Member, current: str, new: str, *, keep_token: str | None) -> int:
    """Set a new password after checking the current one; every other login
    session of the member ends. Returns how many were ended."""
    if not verify_password(member.password_hash, current or ""):
        raise AccountError("current_password", "That is not your current password.")
    member.password_hash = hash_password(check_password(new, "new_password"))
    db.session.flush()
    ended = sessions.end_all(member, keep=keep_token)
    audit.record("account.password", "member", member.id, actor=member, other_sessions_ended=ended)
    return ended


def deactivate(member: Member, *, actor: Member | None = None) -> int:
    """Stop ``member`` logging in, end every login session they have and
    revoke their API tokens for good: reactivating the account brings none
    back. ``actor`` None is the command line. Returns the sessions ended."""
    was_active = member.active
    member.active = False
    db.session.flush()
    ended = sessions.end_all(member)
    revoked = tokens.revoke_all(member, actor=actor, reason="account.deactivate")
    audit.record(
        "account.deactivate",
        "member",
        member.id,
        actor=actor,
        was_active=was_active,
        sessions_ended=ended,
        tokens_revoked=revoked,
    )
    return ended


def reactivate(member: Member, *, actor: Member | None = None) -> None:
    if member.active:
        return
    member.active = True
    db.session.flush()
    audit.record("account.reactivate", "member", member.id, actor=actor)
