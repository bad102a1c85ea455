"""Every API failure is JSON: ``{"error": {"status", "message", "fields"?}}``
with the right 4xx, never an HTML page or a traceback. Unmatched paths under
``/api/`` answer in JSON too; the HTML error pages elsewhere are untouched."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from notesbase.api import bp
from notesbase.db import db, is_unavailable
from notesbase.routing import not_found_if_unroutable

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token as 'Authorization: Bearer <token>'.",
    403: "Your token does not allow that.",
    404: "There is nothing here.",
    405: "That method is not allowed here.",
    409: "That clashes with what is stored.",
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


def _from_http(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(status, MESSAGES.get(status) or error.description)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    db.session.rollback()
    return error_response(error.status, error.message, error.fields)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response | HTTPException:
    if error.code is None or error.code < 400:
        return error
    db.session.rollback()
    return _from_http(error)


@bp.errorhandler(InternalServerError)
def server_error(error: InternalServerError) -> Response:
    original = error.original_exception
    if original is not None and is_unavailable(original):
        from notesbase.errors import database_unavailable

        return database_unavailable(original)
    log.error(
        "unhandled API error on %s %s",
        request.method,
        request.path,
        exc_info=error.original_exception,
    )
    db.session.rollback()
    return error_response(500)


@bp.before_app_request
def unmatched_api_path() -> Response | None:
    """A path under /api/ that no route matches (404) or not with this method
    (405): answered in JSON before dispatch would raise it as an HTML page."""
    problem = request.routing_exception
    if (
        request.path.startswith("/api/")
        and isinstance(problem, HTTPException)
        and (problem.code or 0) >= 400
    ):
        return _from_http(not_found_if_unroutable(problem))
    return None


def save() -> None:
    """Flush the request's work, so a constraint lost to a concurrent writer
    is a 409 now, with nothing stored. It commits at the end of the request,
    with its answer (``unit_of_work``)."""
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise ApiError(409, CLASH) from None
