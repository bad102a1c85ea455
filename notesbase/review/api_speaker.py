"""The reviewer's routes, for a person who holds no account: their review
link, then the session it gives, exactly as the page does it.

- ``POST /review/session`` with the link's secret in ``Review-Link`` uses
  the link (once: it is then used, for the browser too) and answers a
  session secret, good until the review ends;
- every other route takes that secret in ``Review-Session``: ``GET
  /review/me`` is what the reviewer's page shows (``shown.review_page``,
  through ``disclose``); ``POST /review/me/requests``, ``PUT
  /review/me/consent`` and ``POST /review/me/approve`` do what its forms do.

A refusal is the page's (``links.Refusal``: 403 unknown, revoked or no
session; 410 used or ended), with no data of the notes. The secrets reach
nothing else: no other route reads these headers."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, request, url_for

from notesbase.api_support.errors import ApiError, save
from notesbase.api_support.payload import Fields, iso, json_object
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, DisclosedItem, Level
from notesbase.models import COMMENT_MAX, RequestKind, Reviewer, ReviewRequest, ReviewStatus
from notesbase.notes.errors import NotesError
from notesbase.notes.items import BODY_MAX
from notesbase.review import consent, links, requests
from notesbase.review.api import bp, refused
from notesbase.review.service import ReviewError, approve, state_of, token_hash
from notesbase.review.shown import ShownReviewItem, review_page

LINK_HEADER = "Review-Link"
SESSION_HEADER = "Review-Session"
SECRET_MAX = 200


def _refusal(refusal: links.Refusal) -> ApiError:
    return ApiError(refusal.status, f"{refusal.title}. {refusal.message}")


def _secret(header: str) -> str:
    value = request.headers.get(header, "").strip()
    return value if len(value) <= SECRET_MAX else ""


def session_reviewer() -> Reviewer:
    """The reviewer whose session secret was sent, or the page's refusal."""
    secret = _secret(SESSION_HEADER)
    reviewer = (
        db.session.scalar(sa.select(Reviewer).where(Reviewer.session_hash == token_hash(secret)))
        if secret
        else None
    )
    if reviewer is None:
        raise _refusal(links.NO_SESSION)
    refusal = links.refusal(reviewer)
    if refusal is not None:
        raise _refusal(refusal)
    return reviewer


def writable_reviewer() -> Reviewer:
    """As ``session_reviewer``, while the review is still open to answers."""
    reviewer = session_reviewer()
    if state_of(reviewer.round) != ReviewStatus.IN_REVIEW.value:
        raise _refusal(links.ENDED)
    return reviewer


@bp.post("/review/session")
def start_session() -> Response:
    reviewer = links.reviewer_for_token(_secret(LINK_HEADER))
    refusal = links.link_refusal(reviewer)
    if refusal is not None or reviewer is None:
        raise _refusal(refusal or links.UNKNOWN)
    secret = links.exchange(reviewer, label=links.label_for(reviewer))
    save()
    response = jsonify(
        {
            "session": secret,
            "expires_at": iso(reviewer.round.deadline),
            "links": {"review": url_for("api.reviews.my_review")},
        }
    )
    response.status_code = 201
    response.headers["Location"] = url_for("api.reviews.my_review")
    return response


def _shown(disclosed: DisclosedItem | None) -> dict[str, Any] | None:
    if disclosed is None:
        return None
    return {
        "kind": disclosed.kind.value,
        "section": disclosed.section,
        "body_html": disclosed.body_html,
        "body_text": disclosed.body_text,
        "attribution": disclosed.attribution,
    }


def _item_json(one: ShownReviewItem) -> dict[str, Any]:
    return {
        "id": one.item.id,
        "spoke": one.spoke,
        "members": _shown(one.member),
        "public": _shown(one.public),
        "own_html": one.own_html,
        "own_safe": one.own_safe,
        "held": one.held,
        "editable": one.editable,
        "kinds": [kind.value for kind in one.kinds],
    }


def own_request_json(asked: ReviewRequest) -> dict[str, Any]:
    """A request as the person who made it sees it (the reason only when it
    names nobody else)."""
    return {
        "id": asked.id,
        "item": asked.item_id,
        "kind": asked.kind.value,
        "suggested": asked.suggested,
        "comment": asked.comment,
        "status": asked.status.value,
        "reason": requests.reason_shown(asked),
    }


@bp.get("/review/me")
def my_review() -> Response:
    reviewer = session_reviewer()
    page = review_page(reviewer)
    meeting = page.meeting
    return jsonify(
        {
            "person": {"id": page.person.id, "name": page.person.name},
            "series": meeting.series.title,
            "number": meeting.number,
            "date": meeting.date.isoformat(),
            "state": state_of(reviewer.round),
            "deadline": iso(reviewer.round.deadline),
            "approved_at": iso(reviewer.approved_at),
            "published": page.published,
            "items": [_item_json(one) for one in page.items],
            "requests": [own_request_json(asked) for asked in reviewer.requests],
        }
    )


@bp.post("/review/me/requests")
def make_request() -> Response:
    reviewer = writable_reviewer()
    fields = Fields(json_object())
    item_id = fields.integer("item", required=True)
    kind = fields.choice("kind", [k.value for k in RequestKind], required=True)
    suggested = fields.text("suggested", max_length=BODY_MAX, trim=False)
    comment = fields.text("comment", max_length=COMMENT_MAX)
    fields.done()
    try:
        asked = requests.ask(
            reviewer,
            item_id,
            RequestKind(kind),
            suggested=suggested,
            comment=comment,
            label=links.label_for(reviewer),
        )
    except ReviewError as error:
        db.session.rollback()
        raise refused(error) from None
    save()
    response = jsonify(own_request_json(asked))
    response.status_code = 201
    return response


@bp.put("/review/me/consent")
def set_consent() -> Response:
    reviewer = writable_reviewer()
    fields = Fields(json_object())
    audience = fields.choice("audience", [a.value for a in ConsentAudience], required=True)
    level = fields.choice("level", [v.value for v in Level], required=True)
    scope = fields.choice("scope", list(consent.SCOPES), required=True)
    fields.done()
    try:
        consent.set_consent(reviewer, audience, level, scope)
    except NotesError as error:
        db.session.rollback()
        raise ApiError(422, error.message, {error.field: error.message}) from None
    save()
    return jsonify({"audience": audience, "level": level, "scope": scope})


@bp.post("/review/me/approve")
def approve_record() -> Response:
    reviewer = writable_reviewer()
    approve(reviewer, label=links.label_for(reviewer))
    save()
    return jsonify({"approved_at": iso(reviewer.approved_at), "state": state_of(reviewer.round)})
