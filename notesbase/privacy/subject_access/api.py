"""The archive in the JSON API (nested in the API's blueprint, so the
caller's token and JSON errors apply): ``GET /people/<id>/subject-access``
for facilitators and admins (and the person themself), ``GET
/me/subject-access`` for a member's own.
The answer is the zip itself; the audit entry is committed before it."""

from __future__ import annotations

from flask import Blueprint, Response

from notesbase.api import unit_of_work  # noqa: F401 - the API's own hooks run first
from notesbase.api.blueprint import bp as api_bp
from notesbase.api.people import load_person_for
from notesbase.api_support.callers import require_member
from notesbase.api_support.errors import ApiError
from notesbase.db import db
from notesbase.notes.people import person_for_member
from notesbase.privacy.subject_access.service import API, produce
from notesbase.privacy.subject_access.views import download

bp = Blueprint("subject_access_api", __name__)
api_bp.register_blueprint(bp)


@bp.get("/people/<int:person_id>/subject-access")
def person_archive(person_id: int) -> Response:
    """Facilitators and admins for anyone; a member only for the person they
    are (as every ``/people/<id>`` route: 403 otherwise, found or not)."""
    actor = require_member()
    person = load_person_for(actor, person_id)
    archive = produce(person, actor=actor, via=API)
    db.session.commit()
    return download(archive)


@bp.get("/me/subject-access")
def my_archive() -> Response:
    member = require_member()
    person = person_for_member(member)
    if person is None:
        raise ApiError(404, "No person in the notes is linked to your account.")
    archive = produce(person, actor=member, via=API)
    db.session.commit()
    return download(archive)
