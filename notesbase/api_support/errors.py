"""Every JSON failure has one shape, ``{"error": {"status", "message",
"fields"?}}``, with the right 4xx: ``ApiError`` to refuse, ``error_response``
to answer, ``save`` to turn a constraint lost to a concurrent writer into a
409 with nothing stored."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, jsonify

from notesbase.db import db

MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token as 'Authorization: Bearer <token>'.",
    403: "Your token does not allow that.",
    404: "There is nothing here.",
    405: "That method is not allowed here.",
    409: "That clashes with what is stored.",
    410: "That has ended or been used.",
    413: "The request body is too large.",
    415: "Send the body as JSON with 'Content-Type: application/json'.",
    422: "Some fields are not valid.",
    429: "Too many requests. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing you sent was half-saved.",
    503: "The service is busy or restarting. Please try again in a few seconds.",
}
CLASH = "That clashes with a change made at the same time, so nothing was changed; try again."


class ApiError(Exception):
    """A refusal with a status, a message and optionally one message per field."""

    def __init__(
        self, status: int, message: str | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message or MESSAGES.get(status, "The request failed."))
        self.status = status
        self.message = message or MESSAGES.get(status, "The request failed.")
        self.fields = fields or {}


def error_response(
    status: int, message: str | None = None, fields: dict[str, str] | None = None
) -> Response:
    body: dict[str, object] = {
        "status": status,
        "message": message or MESSAGES.get(status, "The request failed."),
    }
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="notesbase"'
    return response


def save() -> None:
    """Flush the request's work, so a constraint lost to a concurrent writer
    is a 409 now, with nothing stored. It commits at the end of the request,
    with its answer (``unit_of_work``)."""
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise ApiError(409, CLASH) from None
