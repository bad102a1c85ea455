"""Facilitators' review routes (a facilitator's bearer token; others get
401/403 before anything is looked up), under a meeting's address:

- ``GET .../review``: the latest review's state, who was asked, who
  answered, every request (404 when the meeting never had one);
- ``POST .../review`` ``{"deadline": "YYYY-MM-DD"}``: open a review and
  email each person their link (201);
- ``POST .../review/close``: close it;
- ``POST .../review/requests/<id>`` ``{"answer": "accept"|"decline",
  "reason"}``: answer a request; the person is emailed the answer."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from notesbase.access import notes_audience
from notesbase.api_support.callers import require_facilitator
from notesbase.api_support.errors import ApiError, save
from notesbase.api_support.lookup import load_meeting, load_series
from notesbase.api_support.payload import Fields, iso, json_object
from notesbase.db import db
from notesbase.disclosure import Audience
from notesbase.models import REASON_MAX, Meeting, Member, ReviewRequest, ReviewRound
from notesbase.review import mail, requests, service
from notesbase.review.api import after_commit, bp, refused

BOARD = "/series/<slug>/meetings/<int:number>/review"
ANSWERS = ["accept", "decline"]


def _load(slug: str, number: int) -> tuple[Member, Meeting]:
    """The facilitator calling and the meeting (403 first, then 404)."""
    actor = require_facilitator()
    meeting = load_meeting(load_series(slug), number)
    if notes_audience(actor, meeting.series) is not Audience.FACILITATOR:
        raise ApiError(403, "Only the series' facilitators may do that.")
    return actor, meeting


def _round(meeting: Meeting) -> ReviewRound:
    review = service.latest_round(meeting)
    if review is None:
        raise ApiError(404, f"Meeting {meeting.number} has no review.")
    return review


def request_json(request: ReviewRequest) -> dict[str, Any]:
    """A request as the board shows it (facilitators read the notes whole)."""
    return {
        "id": request.id,
        "person": {"id": request.reviewer.person_id, "name": request.reviewer.person.name},
        "item": request.item_id,
        "item_version": request.item_version,
        "stale": requests.is_stale(request),
        "kind": request.kind.value,
        "suggested": request.suggested,
        "comment": request.comment,
        "status": request.status.value,
        "reason": request.reason,
        "created_at": iso(request.created_at),
        "resolved_at": iso(request.resolved_at),
    }


def state_json(review: ReviewRound) -> dict[str, Any]:
    meeting = review.meeting
    reviewers = [
        {
            "person": {"id": r.person_id, "name": r.person.name},
            "invited_at": iso(r.invited_at),
            "opened": r.token_used_at is not None,
            "revoked": r.revoked_at is not None,
            "approved_at": iso(r.approved_at),
            "answered": service.answered(r),
        }
        for r in review.reviewers
    ]
    return {
        "series": meeting.series.slug,
        "number": meeting.number,
        "state": service.state_of(review),
        "deadline": iso(review.deadline),
        "opened_at": iso(review.opened_at),
        "ended_at": iso(review.ended_at),
        "reviewers": reviewers,
        "waiting": sorted(r.person.name for r in service.waiting(review)),
        "requests": [request_json(q) for r in review.reviewers for q in r.requests],
        "links": {
            "self": url_for("api.reviews.state", slug=meeting.series.slug, number=meeting.number)
        },
    }


@bp.get(BOARD)
def state(slug: str, number: int) -> Response:
    _actor, meeting = _load(slug, number)
    return jsonify(state_json(_round(meeting)))


def _invite_after_commit(review_id: int, links: dict[int, str]) -> None:
    """Email the links (reviewer id -> secret) of a review whose start was
    saved, and note who got one."""
    review = db.session.get(ReviewRound, review_id)
    if review is None or review.opened_at is None:
        return  # the start was not saved: these links do not exist
    kept = [
        service.Invitation(r, links[r.id])
        for r in review.reviewers
        if r.id in links and r.token_hash == service.token_hash(links[r.id])
    ]
    mail.invite(review, kept)
    db.session.commit()


@bp.post(BOARD)
def open_review(slug: str, number: int) -> Response:
    """Prepare and start a review in one step: every person the notes record
    who has an email is asked, by an email holding their link."""
    actor, meeting = _load(slug, number)
    fields = Fields(json_object())
    day = fields.iso_date("deadline", required=True)
    fields.done()
    assert day is not None  # required: done() refuses a missing date
    try:
        review = service.create_round(meeting, service.deadline_at(meeting, day), actor=actor)
        invitations = service.start(review, actor=actor)
    except service.ReviewError as error:
        db.session.rollback()
        raise refused(error) from None
    save()
    response = jsonify(state_json(review))
    response.status_code = 201
    response.headers["Location"] = url_for(
        "api.reviews.state", slug=meeting.series.slug, number=meeting.number
    )
    review_id, links = review.id, {i.reviewer.id: i.token for i in invitations}
    return after_commit(response, lambda: _invite_after_commit(review_id, links))


@bp.post(BOARD + "/close")
def close_review(slug: str, number: int) -> Response:
    actor, meeting = _load(slug, number)
    review = _round(meeting)
    try:
        service.close(review, actor=actor)
    except service.ReviewError as error:
        db.session.rollback()
        raise refused(error) from None
    save()
    return jsonify(state_json(review))


def _tell_after_commit(request_id: int) -> None:
    """Email the person the answer to their request, once it is saved."""
    request = db.session.get(ReviewRequest, request_id)
    if request is None or request.resolved_at is None:
        return
    mail.send([mail.outcome(request)], request.reviewer.round)


@bp.post(BOARD + "/requests/<int:request_id>")
def answer_request(slug: str, number: int, request_id: int) -> Response:
    """Accept a request (a new item version, or its deletion) or decline it
    with a reason; either way the person is emailed the answer."""
    actor, meeting = _load(slug, number)
    fields = Fields(json_object())
    answer = fields.choice("answer", ANSWERS, required=True)
    reason = fields.text("reason", max_length=REASON_MAX)
    fields.done()
    request = db.session.get(ReviewRequest, request_id)
    if request is None or request.reviewer.round.meeting_id != meeting.id:
        raise ApiError(404, f"Meeting {number} has no review request {request_id}.")
    try:
        if answer == "accept":
            requests.accept(request, actor=actor)
        else:
            requests.reject(request, reason, actor=actor)
    except service.ReviewError as error:
        db.session.rollback()
        raise refused(error) from None
    save()
    return after_commit(jsonify(request_json(request)), lambda: _tell_after_commit(request_id))
