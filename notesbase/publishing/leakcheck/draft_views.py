"""``POST /series/<slug>/meetings/<n>/notes/draft-check``: the notes
editor's names check (``draft``) of an item being typed, in JSON.

Facilitators only, as the editor is (``facilitator_required``: the public is
sent to the login page, other members get 403), before the meeting is even
looked up. The request is the form's fields as JSON, with the page's CSRF
token in ``X-CSRFToken``::

    {"body": "...", "section": "...", "confidentiality": "open",
     "item": 12, "speaker": 3}

(``body`` required; ``item`` when editing a saved item, ``speaker`` when one
is chosen). The answer lists each finding with its place in the text as the
browser counts it (UTF-16), why, whose it is with a link to their consent
page, and the fixes that can be offered before saving. The draft is never
stored, logged or audited; every answer is ``Cache-Control: no-store``.
Every refusal is JSON in the API's shape: 400 for a body that is not JSON,
a field of the wrong type or too long (naming each), 404 for a meeting or
item that does not exist, 413 past the size limit, 429 past
``DRAFT_CHECK_RATE_LIMIT``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from notesbase.access import facilitator_required
from notesbase.api_support.errors import ApiError, error_response
from notesbase.api_support.payload import Fields, json_object
from notesbase.auth.throttle import configured_limit, member_key
from notesbase.db import db
from notesbase.disclosure import Audience, Confidentiality
from notesbase.errors import MESSAGES as PAGE_MESSAGES
from notesbase.models import Item, Meeting, Person
from notesbase.notes.facts import load_notes
from notesbase.notes.forms import person_label
from notesbase.notes.items import BODY_MAX, SECTION_MAX
from notesbase.notes.views import load_notes_meeting
from notesbase.publishing.leakcheck.check import CHANNELS
from notesbase.publishing.leakcheck.draft import Draft, DraftFinding, check_draft, utf16_offset
from notesbase.publishing.leakcheck.people import AUDIENCE_WORDS

bp = Blueprint("draftcheck", __name__)
PATH = "/series/<slug>/meetings/<int:number>/notes/draft-check"
EXPIRED = (
    "This form has expired or was not sent from this site. Please reload the page "
    "to have names checked again."
)
NOT_JSON = "Send the draft as a JSON object with 'Content-Type: application/json'."
KEPT = {Confidentiality.MEMBERS: "members-only", Confidentiality.CONFIDENTIAL: "confidential"}

limit_draft_checks = configured_limit(
    "DRAFT_CHECK_RATE_LIMIT",
    "draft-check",
    "Names are being checked very often: the check pauses for {wait}.",
    methods=["POST"],
    key_func=member_key,
    as_json=True,
)


@bp.errorhandler(CSRFError)
def csrf_refused(error: CSRFError) -> Response:
    return error_response(400, EXPIRED)


@bp.errorhandler(ApiError)
def refused(error: ApiError) -> Response:
    # The shape of the API's refusals; what is not JSON, or a field of the
    # wrong type, is a 400 here, as it is a page's address and not the API.
    status = 400 if error.status in (415, 422) else error.status
    message = NOT_JSON if error.status == 415 else error.message
    if error.status == 422:
        message = "Some fields of the draft are not valid."
    return error_response(status, message, error.fields)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response | HTTPException:
    if error.code is None or error.code < 400:
        return error
    return error_response(error.code, PAGE_MESSAGES.get(error.code))


@bp.after_request
def never_cached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(PATH, methods=["POST"])
@facilitator_required
@limit_draft_checks
def check(slug: str, number: int) -> Response:
    """The names members or the public would read in the draft, and why."""
    meeting = _meeting(slug, number)
    draft = _draft(meeting)
    audiences = {channel.audience for channel in CHANNELS.values()}
    findings = check_draft(load_notes(meeting, items=[]), draft, audiences)
    people = _people({person for finding in findings for person in finding.people})
    return jsonify(
        {
            "audiences": [
                audience.value
                for audience in (Audience.MEMBER, Audience.PUBLIC)
                if audience in audiences and draft.confidentiality.visible_to(audience)
            ],
            "findings": [_finding_json(finding, draft, people) for finding in findings],
        }
    )


def _meeting(slug: str, number: int) -> Meeting:
    try:
        return load_notes_meeting(slug, number)
    except NotFound:
        raise ApiError(404, "There is no such meeting.") from None


def _draft(meeting: Meeting) -> Draft:
    """The draft the request holds; ``ApiError`` naming every field that
    is wrong, 404 for an item that is not this meeting's."""
    fields = Fields(json_object())
    body = fields.text("body", required=True, max_length=BODY_MAX, trim=False)
    section = fields.text("section", max_length=SECTION_MAX, trim=False)
    level = fields.choice("confidentiality", [c.value for c in Confidentiality])
    item_id = fields.integer("item", nullable=True)
    speaker_id = fields.integer("speaker", nullable=True)
    fields.done()
    if speaker_id is not None and db.session.get(Person, speaker_id) is None:
        raise ApiError(422, fields={"speaker": "There is no such person."})
    position = 1
    if item_id is not None:
        item = db.session.get(Item, item_id)
        if item is None or item.meeting_id != meeting.id:
            raise ApiError(404, "That item is not in this meeting.")
        position = item.position
    return Draft(
        body=body,
        section=section,
        confidentiality=Confidentiality(level or Confidentiality.OPEN.value),
        speaker_id=speaker_id,
        item_id=item_id,
        position=position,
    )


def _people(ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(Person).where(Person.id.in_(ids)))
    return {person.id: person for person in rows}


def _finding_json(finding: DraftFinding, draft: Draft, people: dict[int, Person]) -> dict[str, Any]:
    text = draft.body if finding.field == "body" else draft.section

    def at(index: int | None) -> int | None:
        return None if index is None else utf16_offset(text, index)

    fixes: dict[str, Any] = {"span": None, "confidentiality": None}
    if finding.span is not None:
        level = finding.span.level
        fixes["span"] = {
            "level": level.value,
            "label": f"Make “{finding.text}” {KEPT[level]}",
            "places": [[at(start), at(end)] for start, end in finding.span.places],
        }
    if finding.item_level is not None:
        level = finding.item_level
        label = "Make the item members-only" if level is Confidentiality.MEMBERS else None
        fixes["confidentiality"] = {
            "level": level.value,
            "label": label or "Mark the item confidential",
        }
    return {
        "field": finding.field,
        "start": at(finding.start),
        "end": at(finding.end),
        "text": finding.text,
        "rule": finding.rule,
        "why": finding.why,
        "audiences": [
            {
                "audience": refusal.audience.value,
                "label": AUDIENCE_WORDS[refusal.audience],
                "why": refusal.why,
            }
            for refusal in finding.refusals
        ],
        "people": [
            {
                "id": person.id,
                "display": person_label(person),
                "consent_url": url_for("consent.person", person_id=person.id),
            }
            for person in (people.get(i) for i in finding.people)
            if person is not None
        ],
        "fixes": fixes,
    }
