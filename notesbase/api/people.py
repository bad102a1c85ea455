"""People and their consent. Facilitators create people; consent is set or
withdrawn by a facilitator or by the member linked to that person
(``can_set_consent``). A change takes effect on the very next request."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for

from notesbase.access import can_set_consent
from notesbase.api import serialise
from notesbase.api.blueprint import bp
from notesbase.api_support.callers import require_facilitator, require_member
from notesbase.api_support.errors import ApiError, save
from notesbase.api_support.lookup import find_series
from notesbase.api_support.payload import Fields, json_object
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Level
from notesbase.meetings import service
from notesbase.models import Member, Person
from notesbase.notes import people
from notesbase.notes.errors import NotesError

AUDIENCES = [a.value for a in ConsentAudience]
LEVELS = [level.value for level in Level]


def _refused(error: NotesError) -> ApiError:
    db.session.rollback()
    return ApiError(422, fields={error.field: error.message})


def load_person_for(member: Member, person_id: int) -> Person:
    """The person, if ``member`` may manage them: facilitators get 404 for an
    unknown id; anyone else gets the same 403 whether or not it exists."""
    person = db.session.get(Person, person_id)
    if person is not None and can_set_consent(member, person):
        return person
    if member.is_facilitator:
        raise ApiError(404, f"There is no person {person_id}.")
    raise ApiError(403, "Only facilitators and the person themself may do that.")


@bp.post("/people")
def create_person() -> Response:
    actor = require_facilitator()
    fields = Fields(json_object())
    name = fields.text("name", required=True, max_length=people.NAME_MAX, blank=False)
    affiliation = fields.text("affiliation", max_length=people.NAME_MAX, nullable=True)
    descriptor = fields.text("descriptor", max_length=people.NAME_MAX, nullable=True)
    email = fields.text("email", max_length=254, nullable=True, default=None)
    fields.done()
    try:
        person = people.create_person(
            people.PersonFields(name, affiliation or "", descriptor or "", email or None),
            actor=actor,
        )
    except NotesError as error:
        raise _refused(error) from None
    save()
    removed = fields.removed_characters()
    response = jsonify({"id": person.id, **({"removed_characters": removed} if removed else {})})
    response.status_code = 201
    response.headers["Location"] = url_for("api.person_detail", person_id=person.id)
    return response


@bp.get("/people/<int:person_id>")
def person_detail(person_id: int) -> Response:
    person = load_person_for(require_member(), person_id)
    data = serialise.person_json(person)
    data["email"] = person.email
    return jsonify(data)


def _scope(series_slug: Any, meeting_number: Any, errors: dict[str, str]) -> grants.Scope:
    """The scope named by a series slug and a meeting number in that series."""
    if meeting_number is not None and series_slug is None:
        errors["meeting"] = "Give the series the meeting belongs to."
        return grants.Scope()
    if series_slug is None:
        return grants.Scope()
    series = find_series(series_slug)
    if series is None:
        errors["series"] = f"There is no series '{series_slug}'."
        return grants.Scope()
    if meeting_number is None:
        return grants.Scope(series=series)
    meeting = service.meeting_by_number(series, meeting_number)
    if meeting is None:
        errors["meeting"] = f"Series '{series.slug}' has no meeting {meeting_number}."
        return grants.Scope()
    return grants.Scope(meeting=meeting)


@bp.get("/people/<int:person_id>/consent")
def consent_list(person_id: int) -> Response:
    person = load_person_for(require_member(), person_id)
    active = [serialise.grant_json(c) for c in grants.active_grants(person)]
    return jsonify({"person": person.id, "grants": active})


@bp.put("/people/<int:person_id>/consent")
def consent_grant(person_id: int) -> Response:
    """Grant a level for one audience in a scope, replacing the grant there."""
    actor = require_member()
    person = load_person_for(actor, person_id)
    fields = Fields(json_object())
    audience = fields.choice("audience", AUDIENCES, required=True)
    level = fields.choice("level", LEVELS, required=True)
    series_slug = fields.text("series", max_length=80, nullable=True, default=None) or None
    meeting_number = fields.integer("meeting", nullable=True)
    note = fields.text("note", max_length=grants.NOTE_MAX)
    scope = _scope(series_slug, meeting_number, fields.errors)
    fields.done()
    try:
        grant = grants.grant(person, audience, level, scope, actor=actor, note=note)
    except NotesError as error:
        raise _refused(error) from None
    save()
    return jsonify(serialise.grant_json(grant))


@bp.delete("/people/<int:person_id>/consent")
def consent_withdraw(person_id: int) -> Response:
    """Withdraw the active grant for ``audience`` in the scope named by the
    query (``series``, ``meeting``; neither: the grant for everywhere)."""
    actor = require_member()
    person = load_person_for(actor, person_id)
    errors: dict[str, str] = {}
    audience = request.args.get("audience", "")
    if audience not in AUDIENCES:
        errors["audience"] = f"Choose one of: {', '.join(AUDIENCES)}."
    meeting_text = request.args.get("meeting") or None
    meeting_number = None
    if meeting_text is not None:
        if meeting_text.isascii() and meeting_text.isdigit() and len(meeting_text) < 10:
            meeting_number = int(meeting_text)
        else:
            errors["meeting"] = "Give the meeting's number."
    scope = _scope(request.args.get("series") or None, meeting_number, errors)
    if errors:
        raise ApiError(422, fields=errors)
    grant = grants.active_grant(person, ConsentAudience(audience), scope)
    if grant is None:
        raise ApiError(404, f"No active grant for the {audience} audience in that scope.")
    grants.withdraw(grant, actor=actor)
    save()
    return Response(status=204)
