"""Erasure in the JSON API, admins only: ``GET /api/v1/people/<id>/erasure``
previews (changes nothing), ``POST`` erases with ``{"default": ...,
"items": {"<id>": "remove"|"anonymise"}}``. The API's unit of work commits
the change with its answer; the file work runs once the answer is sent."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from notesbase.api import unit_of_work  # noqa: F401 - the API's own hooks run first
from notesbase.api.blueprint import bp as api_bp
from notesbase.api_support.callers import require_member
from notesbase.api_support.errors import ApiError
from notesbase.api_support.payload import json_object
from notesbase.db import db
from notesbase.models import Member, Person
from notesbase.privacy.erasure.plan import Choice, ErasureError, choice_of, parse_overrides
from notesbase.privacy.erasure.service import Result, finish_files, forget, prepare_files

bp = Blueprint("erasure_api", __name__)
api_bp.register_blueprint(bp)


def _admin() -> Member:
    member = require_member()
    if not member.is_admin:
        raise ApiError(403, "Only admins may erase a person.")
    return member


def _person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        raise ApiError(404, f"There is no person {person_id}: they may have been erased already.")
    return person


def result_json(result: Result) -> dict[str, Any]:
    return {
        "person": result.person_id,
        "dry_run": result.dry_run,
        "items": [
            {
                "id": p.item_id,
                "series": p.series_title,
                "meeting": p.meeting_number,
                "credits": p.credits,
                "choice": p.choice.value,
            }
            for p in result.items
        ],
        "removed": result.count(Choice.REMOVE),
        "anonymised": result.count(Choice.ANONYMISE),
        "made_confidential": result.made_confidential,
        "rows": dict(result.rows),
        "audit_events": result.audit_events,
        "outbox_messages": len(result.outbox),
        "member_account": result.member_erased,
        "backups": [
            {
                "path": b.path,
                "written_at": b.written_at.isoformat(),
                "ages_out": b.ages_out.isoformat(),
            }
            for b in result.backups
        ],
        "not_erasable": list(result.not_erasable),
    }


def _refused(error: ErasureError) -> ApiError:
    db.session.rollback()
    fields = {error.field: error.message} if error.field else None
    return ApiError(error.status, error.message, fields)


@bp.get("/people/<int:person_id>/erasure")
def erasure_preview(person_id: int) -> Response:
    _admin()
    person = _person(person_id)
    try:
        default = choice_of(request.args.get("default", "anonymise"), "default")
        result = forget(person, default, actor=None, dry_run=True)
    except ErasureError as error:
        raise _refused(error) from None
    db.session.rollback()
    return jsonify(result_json(result))


@bp.post("/people/<int:person_id>/erasure")
def erasure(person_id: int) -> Response:
    actor = _admin()
    body = json_object()
    person = _person(person_id)
    unknown = sorted(set(body) - {"default", "items"})
    if unknown:
        raise ApiError(422, fields={unknown[0]: "Not a field of an erasure."})
    raw_items = body.get("items", {})
    if not isinstance(raw_items, dict):
        raise ApiError(422, fields={"items": "Give an object of item id to choice."})
    try:
        default = choice_of(body.get("default", "anonymise"), "default")
        result = forget(person, default, parse_overrides(raw_items), actor=actor)
        prepare_files(result)
    except ErasureError as error:
        raise _refused(error) from None
    response = jsonify(result_json(result))
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def finish() -> None:
        with app.app_context():
            finish_files(app)

    response.call_on_close(finish)
    return response
