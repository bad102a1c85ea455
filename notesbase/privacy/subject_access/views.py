"""The archive on the web: facilitators and admins for anyone, from the
person's page; a member for themselves, from "My attributions". Both are
POST forms (CSRF); the zip is an attachment nobody keeps (``no-store``)."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from notesbase.access import current_member, facilitator_required, login_required
from notesbase.db import db
from notesbase.models import Member, Person
from notesbase.notes.people import person_for_member
from notesbase.privacy.subject_access.service import WEB, Archive, produce

bp = Blueprint("subject_access", __name__)


def download(archive: Archive) -> Response:
    response = Response(archive.data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{archive.name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _member() -> Member:
    member = current_member()
    assert member is not None  # the role gate ran first
    return member


@bp.route("/people/<int:person_id>/subject-access", methods=["POST"])
@facilitator_required
def for_person(person_id: int) -> Response:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    archive = produce(person, actor=_member(), via=WEB)
    db.session.commit()
    return download(archive)


@bp.route("/me/attributions/subject-access", methods=["POST"])
@login_required
def mine() -> Response:
    member = _member()
    person = person_for_member(member)
    if person is None:
        abort(404)
    archive = produce(person, actor=member, via=WEB)
    db.session.commit()
    return download(archive)
