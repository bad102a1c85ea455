"""Review rounds: opening one, asking the people recorded in the notes, the
single-use link each gets, approving, closing. Services flush, never commit.

The state a reader sees (``state_of``) is the stored status, except that a
round in review whose deadline has passed reads as closed, and any round
whose meeting's notes went out by email after it opened reads as circulated."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from notesbase import audit
from notesbase.db import db
from notesbase.models import (
    Circulation,
    Item,
    Meeting,
    Member,
    Person,
    RequestStatus,
    Reviewer,
    ReviewRequest,
    ReviewRound,
    ReviewStatus,
    utcnow,
)
from notesbase.notes.facts import people_mentions

CIRCULATED = "circulated"
LONGEST = timedelta(days=90)
TOKEN_BYTES = 32


class ReviewError(ValueError):
    """What a facilitator or a reviewer asked for that cannot be done, in words."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh secret and its hash (only the hash is stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def latest_round(meeting: Meeting) -> ReviewRound | None:
    return db.session.scalar(
        sa.select(ReviewRound)
        .where(ReviewRound.meeting_id == meeting.id)
        .order_by(ReviewRound.id.desc())
        .limit(1)
    )


def last_circulated(meeting_id: int) -> datetime | None:
    """When the meeting's notes last went out by email; None if never."""
    return db.session.scalar(
        sa.select(sa.func.max(Circulation.started_at)).where(Circulation.meeting_id == meeting_id)
    )


def circulated_since(review: ReviewRound, last: datetime | None) -> bool:
    """Whether the notes went out by email (last at ``last``) after the round opened."""
    return review.opened_at is not None and last is not None and last >= review.opened_at


def state_of(review: ReviewRound, now: datetime | None = None) -> str:
    """draft, in_review, agreed, closed or circulated."""
    last = None if review.opened_at is None else last_circulated(review.meeting_id)
    return state_at(review, last, now or utcnow())


def state_at(review: ReviewRound, last: datetime | None, now: datetime) -> str:
    """``state_of``, told when the meeting's notes last went out by email
    (``last_circulated``; read for many meetings at once by ``search_filter``)."""
    if review.status is ReviewStatus.DRAFT:
        return ReviewStatus.DRAFT.value
    if circulated_since(review, last):
        return CIRCULATED
    if review.status is ReviewStatus.IN_REVIEW and now >= review.deadline:
        return ReviewStatus.CLOSED.value
    return review.status.value


def is_open(review: ReviewRound | None) -> bool:
    return review is not None and state_of(review) == ReviewStatus.IN_REVIEW.value


def items_of(meeting: Meeting) -> list[Item]:
    return list(
        db.session.scalars(
            sa.select(Item).where(Item.meeting_id == meeting.id).order_by(Item.position, Item.id)
        )
    )


def people_in(item: Item) -> set[int]:
    """Who ``item`` credits (its speaker) or names (in its body or heading),
    decided by the matcher ``disclose`` uses, from the current text."""
    found = set(people_mentions(db.session).people_in_all([item.body or "", item.section or ""]))
    if item.speaker_id is not None:
        found.add(item.speaker_id)
    return found


def recorded_people(meeting: Meeting) -> list[Person]:
    """Everyone the meeting's notes credit or name, by name."""
    ids: set[int] = set()
    for item in items_of(meeting):
        ids |= people_in(item)
    if not ids:
        return []
    return list(
        db.session.scalars(sa.select(Person).where(Person.id.in_(ids)).order_by(Person.name))
    )


@dataclass(frozen=True)
class Invitation:
    """A reviewer and the secret of their link, known only until it is emailed."""

    reviewer: Reviewer
    token: str


def create_round(meeting: Meeting, deadline: datetime, *, actor: Member) -> ReviewRound:
    """A draft round; refused while another round of the meeting is open."""
    current = latest_round(meeting)
    if current is not None and state_of(current) in ("draft", "in_review"):
        raise ReviewError("This meeting already has a review in progress.")
    check_deadline(deadline)
    review = ReviewRound(meeting_id=meeting.id, deadline=deadline, opened_by_id=actor.id)
    db.session.add(review)
    db.session.flush()
    audit.record(
        "review.create",
        "review",
        review.id,
        actor=actor,
        meeting_id=meeting.id,
        deadline=deadline.isoformat(),
    )
    return review


def deadline_at(meeting: Meeting, day: date) -> datetime:
    """The end of ``day`` (23:59) where the meeting was held, in UTC."""
    zone = ZoneInfo(meeting.timezone or "Europe/London")
    return datetime.combine(day, time(23, 59), zone).astimezone(ZoneInfo("UTC"))


def check_deadline(deadline: datetime) -> None:
    now = utcnow()
    if deadline <= now:
        raise ReviewError("Choose a deadline in the future.", 400)
    if deadline - now > LONGEST:
        raise ReviewError("Choose a deadline within 90 days.", 400)


def start(review: ReviewRound, *, actor: Member) -> list[Invitation]:
    """Draft → in review: one reviewer, with a new link, for each person the
    notes record who has an email. The caller emails the invitations."""
    if review.status is not ReviewStatus.DRAFT:
        raise ReviewError("This review has already started.")
    check_deadline(review.deadline)
    invitations = []
    for person in recorded_people(review.meeting):
        if not person.email:
            continue
        token, hashed = new_token()
        reviewer = Reviewer(round_id=review.id, person_id=person.id, token_hash=hashed)
        db.session.add(reviewer)
        invitations.append(Invitation(reviewer, token))
    if not invitations:
        raise ReviewError("Nobody recorded in these notes has an email address to ask.")
    review.status = ReviewStatus.IN_REVIEW
    review.opened_at = utcnow()
    db.session.flush()
    audit.record(
        "review.start",
        "review",
        review.id,
        actor=actor,
        meeting_id=review.meeting_id,
        reviewers=len(invitations),
    )
    return invitations


def renew_link(reviewer: Reviewer, *, actor: Member) -> Invitation:
    """A new link for one reviewer (the old one stops working)."""
    if not is_open(reviewer.round):
        raise ReviewError("Links can be sent only while the review is open.")
    if reviewer.revoked_at is not None:
        raise ReviewError("This person's link was revoked.")
    token, hashed = new_token()
    reviewer.token_hash = hashed
    reviewer.token_used_at = None
    reviewer.session_hash = None
    db.session.flush()
    audit.record(
        "review.link",
        "person",
        reviewer.person_id,
        actor=actor,
        meeting_id=reviewer.round.meeting_id,
        review_id=reviewer.round_id,
    )
    return Invitation(reviewer, token)


def revoke(reviewer: Reviewer, *, actor: Member) -> bool:
    """The reviewer's link and session stop working at once."""
    if reviewer.revoked_at is not None:
        return False
    reviewer.revoked_at = utcnow()
    settle(reviewer.round)
    db.session.flush()
    audit.record(
        "review.revoke",
        "person",
        reviewer.person_id,
        actor=actor,
        meeting_id=reviewer.round.meeting_id,
        review_id=reviewer.round_id,
    )
    return True


def close(review: ReviewRound, *, actor: Member) -> None:
    if state_of(review) not in ("draft", "in_review"):
        raise ReviewError("This review has already ended.")
    review.status = ReviewStatus.CLOSED
    review.ended_at = utcnow()
    db.session.flush()
    audit.record("review.close", "review", review.id, actor=actor, meeting_id=review.meeting_id)


def open_requests(reviewer: Reviewer) -> list[ReviewRequest]:
    return [r for r in reviewer.requests if r.status is RequestStatus.OPEN]


def answered(reviewer: Reviewer) -> bool:
    return reviewer.approved_at is not None or bool(reviewer.requests)


def waiting(review: ReviewRound) -> list[Reviewer]:
    """Who was asked and has not answered (neither approved nor asked for anything)."""
    return [r for r in review.reviewers if r.revoked_at is None and not answered(r)]


def settle(review: ReviewRound) -> bool:
    """In review → agreed once everyone still asked has approved (someone
    approving, or the last holdout's link revoked). True when it is agreed."""
    if review.status is not ReviewStatus.IN_REVIEW:
        return review.status is ReviewStatus.AGREED
    asked = [r for r in review.reviewers if r.revoked_at is None]
    if asked and all(r.approved_at is not None for r in asked):
        review.status = ReviewStatus.AGREED
        review.ended_at = utcnow()
        return True
    return False


def approve(reviewer: Reviewer, *, label: str) -> bool:
    """The reviewer agrees to the record; when everyone asked has, the round
    is agreed. False when they had already approved."""
    if reviewer.approved_at is not None:
        return False
    reviewer.approved_at = utcnow()
    review = reviewer.round
    agreed = settle(review)
    db.session.flush()
    audit.record(
        "review.approve",
        "person",
        reviewer.person_id,
        actor=None,
        actor_label=label,
        meeting_id=review.meeting_id,
        review_id=review.id,
        agreed=agreed,
    )
    return True


@dataclass(frozen=True)
class Waiting:
    """For the confirm pages of circulating and publishing: an open review,
    and who has not answered it (facilitators' eyes only)."""

    review: ReviewRound
    names: list[str]
    unresolved: int


def waiting_names(meeting: Meeting) -> Waiting | None:
    """The open review of ``meeting`` and who has not answered; None when
    no review is open."""
    review = latest_round(meeting)
    if review is None or not is_open(review):
        return None
    names = sorted(r.person.name for r in waiting(review))
    unresolved = sum(len(open_requests(r)) for r in review.reviewers)
    return Waiting(review, names, unresolved)
