"""The privacy notice in the JSON API: ``GET /privacy`` for anyone, ``PUT``
for admins (``{"text": "..."}``, blank for the default)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from notesbase.api import unit_of_work  # noqa: F401 - the API's own hooks run first
from notesbase.api.blueprint import bp as api_bp
from notesbase.api_support.callers import require_member
from notesbase.api_support.errors import ApiError
from notesbase.api_support.payload import Fields, json_object
from notesbase.privacy.notice import service

bp = Blueprint("privacy_api", __name__)
api_bp.register_blueprint(bp)


def _notice() -> dict[str, Any]:
    setting = service.stored()
    return {
        "text": service.notice_text(),
        "html": str(service.notice_html()),
        "default": setting is None or not setting.value.strip(),
        "retention": [{"series": title, "schedule": said} for title, said in service.schedules()],
    }


@bp.get("/privacy")
def get_notice() -> Response:
    return jsonify(_notice())


@bp.put("/privacy")
def put_notice() -> Response:
    actor = require_member()
    if not actor.is_admin:
        raise ApiError(403, "Only admins may do that.")
    fields = Fields(json_object())
    text = fields.text("text", required=True, max_length=service.NOTICE_MAX)
    fields.done()
    try:
        service.set_notice(text or "", actor=actor)
    except service.NoticeError as error:
        raise ApiError(422, fields={"text": str(error)}) from None
    return jsonify(_notice())
