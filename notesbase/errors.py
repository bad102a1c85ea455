"""Every error a user can cause is a page with a clear message, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in first.",
    403: "You do not have permission to do that.",
    404: "There is nothing here.",
    405: "That action is not allowed here.",
    413: "That is too large to accept.",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing you sent was half-saved.",
    503: "The service is busy. Please try again in a moment.",
}


def _render(code: int, message: str | None = None) -> tuple[str, int]:
    text = message or MESSAGES.get(code, "Something went wrong.")
    return render_template("errors.html", code=code, message=text), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _render(
            400,
            "This form has expired or was not sent from this site. "
            "Please go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> object:
        if error.code is None or error.code < 400:
            return error
        response = error.get_response()
        body, code = _render(error.code, MESSAGES.get(error.code) or error.description)
        response.set_data(body)
        response.content_type = "text/html; charset=utf-8"
        response.status_code = code
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        log.error(
            "unhandled error on %s %s",
            request.method,
            request.path,
            exc_info=error.original_exception,
        )
        from notesbase.db import db

        db.session.rollback()
        return _render(500)
