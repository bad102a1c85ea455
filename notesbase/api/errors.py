"""Every API failure is JSON (the shape is ``notesbase.api_support.errors``)
with the right 4xx, never an HTML page or a traceback. Unmatched paths under
``/api/`` answer in JSON too; the HTML error pages elsewhere are untouched."""

from __future__ import annotations

import logging

from flask import Response, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from notesbase.api.blueprint import bp
from notesbase.api_support.errors import MESSAGES, ApiError, error_response
from notesbase.db import db, is_unavailable
from notesbase.routing import not_found_if_unroutable

log = logging.getLogger(__name__)


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
