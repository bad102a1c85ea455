"""The private review link: its token is exchanged once for a session
scoped to one reviewer (one person, one meeting): a secret in a cookie of
its own (``review_<id>``, HttpOnly, only under ``/review/``, expiring at the
deadline), stored only as a hash. Link and session stop at the deadline,
when the round ends, or when the facilitator revokes them. (Not the login
session's cookie: that one lasts hours, a review days.)"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, request
from werkzeug.wrappers import Response

from notesbase import audit
from notesbase.db import db
from notesbase.models import Reviewer, ReviewStatus, utcnow
from notesbase.review.service import new_token, state_of, token_hash

COOKIE_PATH = "/review/"


@dataclass(frozen=True)
class Refusal:
    """Why a link or a session gives nothing: a status and plain words."""

    status: int
    title: str
    message: str


UNKNOWN = Refusal(
    403,
    "This review link does not work",
    "The link is not one we know, or it has been replaced by a newer one. "
    "Ask the facilitator for a new link.",
)
USED = Refusal(
    410,
    "This review link has been used",
    "Each review link opens the review once, on one device. "
    "If that was not you, or you need to open it elsewhere, ask the facilitator for a new link.",
)
REVOKED = Refusal(
    403,
    "This review link was withdrawn",
    "The facilitator withdrew this link. Ask them if you think that was a mistake.",
)
ENDED = Refusal(
    410,
    "This review has ended",
    "The deadline has passed or the facilitator has closed the review, "
    "so the link no longer opens it.",
)
NO_SESSION = Refusal(
    403,
    "Open your review from its link",
    "This page opens only from the private link emailed to you, on the device you "
    "first opened it with. Ask the facilitator for a new link if you need one.",
)


def reviewer_for_token(token: str) -> Reviewer | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(sa.select(Reviewer).where(Reviewer.token_hash == token_hash(token)))


def refusal(reviewer: Reviewer) -> Refusal | None:
    """Why this reviewer's link or session gives nothing now, if it does not."""
    if reviewer.revoked_at is not None:
        return REVOKED
    if state_of(reviewer.round) not in (ReviewStatus.IN_REVIEW.value, ReviewStatus.AGREED.value):
        return ENDED
    return None


def link_refusal(reviewer: Reviewer | None) -> Refusal | None:
    if reviewer is None:
        return UNKNOWN
    return refusal(reviewer) or (USED if reviewer.token_used_at is not None else None)


def cookie_name(reviewer: Reviewer) -> str:
    return f"review_{reviewer.id}"


def exchange(reviewer: Reviewer, *, label: str) -> str:
    """Use the link: a new session for this reviewer; its secret, for
    ``keep_session`` to give this browser alone."""
    secret, hashed = new_token()
    reviewer.token_used_at = utcnow()
    reviewer.session_hash = hashed
    db.session.flush()
    audit.record(
        "review.sign_in",
        "person",
        reviewer.person_id,
        actor=None,
        actor_label=label,
        meeting_id=reviewer.round.meeting_id,
        review_id=reviewer.round_id,
    )
    return secret


def keep_session(response: Response, reviewer: Reviewer, secret: str) -> Response:
    response.set_cookie(
        cookie_name(reviewer),
        secret,
        expires=reviewer.round.deadline,
        path=COOKIE_PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


def holds_session(reviewer: Reviewer | None) -> bool:
    if reviewer is None or reviewer.session_hash is None:
        return False
    secret = request.cookies.get(cookie_name(reviewer))
    return bool(secret) and token_hash(secret or "") == reviewer.session_hash


def label_for(reviewer: Reviewer) -> str:
    """Who acted, for the audit log: the person, through their review link."""
    return f"review link of person {reviewer.person_id}"
